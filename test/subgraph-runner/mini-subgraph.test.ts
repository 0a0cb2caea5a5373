/**
 * The runner against its fixture subgraph on a real hardhat node: every entity and field produced
 * by real transactions and read back through GraphQL; each filter, ordering and pagination form
 * of graph-node's dialect on enough entities to tell them apart; file data sources from the
 * content store; identical results after a restart; reindexing on a fresh chain; a trapping
 * mapping reported as an indexing error.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { getAddress, keccak256, toHex, type Address, type Hex } from "viem";
import { gql, gqlData } from "./support/mini-subgraph.ts";
import { openContentStore, startEmitterChain, startMiniRunner, tempDir, type EmitterChain, type MiniRunner } from "./support/emitter-chain.ts";
import type { ContentStore } from "../../protocol/src/content/store.ts";

const OWNERS: Address[] = [
  "0x00000000000000000000000000000000000000a1",
  "0x00000000000000000000000000000000000000b2",
  "0x00000000000000000000000000000000000000c3",
];
const NAMES = ["alpha", "Beta", "gamma", "DELTA"];
const COUNT = 24;

/** What the mapping stores for thing i (the test's own model of handleThingSet). */
interface Thing {
  id: string;
  owner: string;
  amount: bigint;
  delta: bigint;
  tag: Hex;
  data: Hex;
  flag: boolean;
  name: string;
  scores: bigint[];
  small: number;
  big: bigint;
  ratio: string;
  nameHash: Hex;
  label: string | null;
  kind: "SMALL" | "LARGE";
  tags: string[];
  block: number;
  txHash: Hex;
  timestamp: bigint;
}

function input(i: number) {
  const amount = BigInt((i * 137) % 2000) * (i % 7 === 0 ? 10n ** 20n : 1n);
  return {
    id: `t${String(i).padStart(2, "0")}`,
    owner: OWNERS[i % 3]!,
    amount,
    delta: BigInt(i - 12),
    tag: keccak256(toHex(`tag ${i}`)),
    data: (i % 4 === 0 ? "0x" : `0x${"ab".repeat(i % 3)}${i.toString(16).padStart(2, "0")}`) as Hex,
    flag: i % 2 === 0,
    name: `${NAMES[i % 4]}${i}`,
    scores: i % 5 === 0 ? [] : [BigInt(i), BigInt(i * 2)],
    small: (i * 10) % 256,
  };
}

/** amount / 10^6 + delta / 4, exactly, in plain notation without trailing zeros. */
function ratio(amount: bigint, delta: bigint): string {
  const scaled = amount + delta * 250_000n; // in millionths
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe("local subgraph runner: fixture subgraph on a hardhat node", { timeout: 300_000 }, () => {
  let env: EmitterChain;
  let mini: MiniRunner;
  let content: ContentStore;
  let dataDir: string;
  let contentDir: string;
  const things: Thing[] = [];
  let metaCid: string;
  let counterBlock = 0;

  const url = () => mini.runner.url;
  const ids = async (args: string) => (await gqlData<{ things: { id: string }[] }>(url(), `{ things(first: 1000${args ? `, ${args}` : ""}) { id } }`)).things.map((t) => t.id);
  const expectIds = (model: Thing[]) => model.map((t) => t.id).sort();
  async function synced(receipt: { blockNumber: bigint }) {
    await mini.runner.waitForBlock(Number(receipt.blockNumber));
  }

  before(async () => {
    env = await startEmitterChain();
    dataDir = await tempDir("agentry-runner-data-");
    contentDir = await tempDir("agentry-runner-ipfs-");
    content = await openContentStore(contentDir);
    mini = await startMiniRunner(env.chain.url, dataDir, content);
    for (let i = 0; i < COUNT; i++) {
      const t = input(i);
      const receipt = await env.send("set", [t.id, t.owner, t.amount, t.delta, t.tag, t.data, t.flag, t.name, t.scores, t.small]);
      const block = await env.client.getBlock({ blockNumber: receipt.blockNumber });
      things.push({
        ...t,
        owner: t.owner.toLowerCase(),
        big: t.amount % 2n ** 62n,
        ratio: ratio(t.amount, t.delta),
        nameHash: keccak256(toHex(t.name)),
        label: t.flag ? `${t.name.toUpperCase()}#${t.amount}` : null,
        kind: t.amount > 1000n ? "LARGE" : "SMALL",
        tags: [t.tag.slice(0, 6)],
        block: Number(receipt.blockNumber),
        txHash: receipt.transactionHash,
        timestamp: block.timestamp,
      });
    }
    // a second update of t01: updates and tags accumulate, createdAt stays
    const again = input(1);
    const receipt = await env.send("set", [again.id, again.owner, again.amount, again.delta, keccak256(toHex("again")), again.data, again.flag, again.name, again.scores, again.small]);
    const t01 = things[1]!;
    t01.tags = [...t01.tags, keccak256(toHex("again")).slice(0, 6)];
    t01.tag = keccak256(toHex("again"));
    t01.txHash = receipt.transactionHash;
    t01.timestamp = (await env.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    (t01 as Thing & { updates?: number }).updates = 2;
    metaCid = await content.put(new TextEncoder().encode('{"title": "Meta of t02", "size": 123456789012345678901234567890, "decimals": 18}'));
    await env.send("link", ["t02", metaCid]);
    const counted = await env.send("count", [7n]);
    counterBlock = Number(counted.blockNumber);
    await synced(await env.send("remove", ["t23"]));
    things.pop();
  });

  after(async () => {
    await mini?.runner.stop();
    await content?.close();
    await env?.chain.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(contentDir, { recursive: true, force: true });
  });

  it("reads back every field of every entity the transactions produced", async () => {
    const data = await gqlData<{
      things: Record<string, unknown>[];
      accounts: { id: string; thingCount: number; things: { id: string }[]; friends: { id: string }[] | null }[];
      counters: { id: string; count: string; lastIndex: string }[];
      removals: { id: string; thing: string; block: string }[];
      thingMeta: { id: string; title: string; size: string; decimals: string } | null;
    }>(url(), `{
      things(first: 1000, orderBy: id) { id owner { id } amount delta tag data flag name scores small big ratio nameHash label kind tags
        meta { id } updates createdAt updatedAt txHash }
      accounts(orderBy: id) { id thingCount things(orderBy: id) { id } friends { id } }
      counters { id count lastIndex }
      removals { id thing block }
      thingMeta(id: "${metaCid}") { id title size decimals }
    }`);
    assert.equal(data.things.length, COUNT - 1);
    for (const [i, t] of [...things].sort(byId).entries()) {
      const got = data.things[i]!;
      assert.deepEqual(got, {
        id: t.id, owner: { id: t.owner }, amount: t.amount.toString(), delta: t.delta.toString(), tag: t.tag, data: t.data, flag: t.flag,
        name: t.name, scores: t.scores.map(String), small: t.small, big: t.big.toString(), ratio: t.ratio, nameHash: t.nameHash,
        label: t.label, kind: t.kind, tags: t.tags, meta: t.id === "t02" ? { id: metaCid } : null,
        updates: (t as Thing & { updates?: number }).updates ?? 1, createdAt: String(t.block), updatedAt: t.timestamp.toString(), txHash: t.txHash,
      }, `thing ${t.id}`);
    }
    const sender = env.account.address.toLowerCase();
    const owners = [...OWNERS.map((o) => o.toLowerCase()), sender].sort();
    assert.deepEqual(data.accounts.map((a) => a.id), owners);
    for (const account of data.accounts) {
      // t23 was removed, but it was created: thingCount counts creations
      const created = [...things.map((t) => t.owner), OWNERS[23 % 3]!.toLowerCase()].filter((o) => o === account.id).length;
      assert.equal(account.thingCount, created, `thingCount of ${account.id}`);
      assert.deepEqual(account.things.map((t) => t.id), things.filter((t) => t.owner === account.id).map((t) => t.id).sort());
      assert.deepEqual(account.friends, account.id === sender ? null : [{ id: sender }]);
    }
    assert.deepEqual(data.counters, [{ id: sender, count: "7", lastIndex: "6" }]);
    assert.equal(data.removals.length, 1);
    assert.equal(data.removals[0]!.thing, "t23");
    assert.equal(data.thingMeta?.title, "Meta of t02 for t02");
    assert.equal(data.thingMeta?.size, "123456789012345678901234567890");
    assert.equal(data.thingMeta?.decimals, "18");
    const single = await gqlData<{ thing: { id: string; name: string } | null; missing: unknown; account: { id: string } | null }>(
      url(), `{ thing(id: "t05") { id name } missing: thing(id: "nope") { id } account(id: "${OWNERS[0]}") { id } }`);
    assert.deepEqual(single, { thing: { id: "t05", name: things[5]!.name }, missing: null, account: { id: OWNERS[0]!.toLowerCase() } });
  });

  it("filters scalars with every suffix graph-node generates", async () => {
    const cases: [string, (t: Thing) => boolean][] = [
      // String
      ['name: "Beta1"', (t) => t.name === "Beta1"],
      ['name_not: "Beta1"', (t) => t.name !== "Beta1"],
      ['name_gt: "alpha8"', (t) => t.name > "alpha8"],
      ['name_lt: "DELTA3"', (t) => t.name < "DELTA3"],
      ['name_gte: "gamma2"', (t) => t.name >= "gamma2"],
      ['name_lte: "Beta13"', (t) => t.name <= "Beta13"],
      ['name_in: ["alpha0", "gamma10", "nothing"]', (t) => ["alpha0", "gamma10"].includes(t.name)],
      ['name_not_in: ["alpha0", "gamma10"]', (t) => !["alpha0", "gamma10"].includes(t.name)],
      ['name_contains: "ta1"', (t) => t.name.includes("ta1")],
      ['name_contains_nocase: "ETA"', (t) => t.name.toLowerCase().includes("eta")],
      ['name_not_contains: "a"', (t) => !t.name.includes("a")],
      ['name_not_contains_nocase: "A"', (t) => !t.name.toLowerCase().includes("a")],
      ['name_starts_with: "gam"', (t) => t.name.startsWith("gam")],
      ['name_starts_with_nocase: "del"', (t) => t.name.toLowerCase().startsWith("del")],
      ['name_not_starts_with: "al"', (t) => !t.name.startsWith("al")],
      ['name_not_starts_with_nocase: "BE"', (t) => !t.name.toLowerCase().startsWith("be")],
      ['name_ends_with: "1"', (t) => t.name.endsWith("1")],
      ['name_ends_with_nocase: "A1"', (t) => t.name.toLowerCase().endsWith("a1")],
      ['name_not_ends_with: "2"', (t) => !t.name.endsWith("2")],
      ['name_not_ends_with_nocase: "TA5"', (t) => !t.name.toLowerCase().endsWith("ta5")],
      ['label: null', (t) => t.label === null],
      ['label_not: null', (t) => t.label !== null],
      ['name_contains: "%"', () => false],
      // ID
      ['id: "t07"', (t) => t.id === "t07"],
      ['id_gt: "t15"', (t) => t.id > "t15"],
      ['id_lte: "t03"', (t) => t.id <= "t03"],
      ['id_in: ["t01", "t02", "zz"]', (t) => ["t01", "t02"].includes(t.id)],
      ['id_not_in: ["t01"]', (t) => t.id !== "t01"],
      // BigInt (including 10^20-scale values and negatives)
      ['amount: "1233"', (t) => t.amount === 1233n],
      ['amount_not: "0"', (t) => t.amount !== 0n],
      ['amount_gt: "1000"', (t) => t.amount > 1000n],
      ['amount_lt: "548"', (t) => t.amount < 548n],
      ['amount_gte: "100000000000000000000"', (t) => t.amount >= 10n ** 20n],
      ['amount_lte: "137"', (t) => t.amount <= 137n],
      ['amount_in: ["137", "274", "5"]', (t) => [137n, 274n].includes(t.amount)],
      ['amount_not_in: ["137"]', (t) => t.amount !== 137n],
      ['delta_lt: "-5"', (t) => t.delta < -5n],
      ['delta_gte: "0"', (t) => t.delta >= 0n],
      // BigDecimal
      ['ratio_gt: "0.5"', (t) => Number(t.ratio) > 0.5],
      ['ratio_lte: "-1.75"', (t) => Number(t.ratio) <= -1.75],
      [`ratio: "${things[3]?.ratio ?? "0"}"`, (t) => t.ratio === things[3]!.ratio],
      // Int and Int8
      ["small: 30", (t) => t.small === 30],
      ["small_not: 30", (t) => t.small !== 30],
      ["small_gt: 100", (t) => t.small > 100],
      ["small_lt: 50", (t) => t.small < 50],
      ["small_gte: 200", (t) => t.small >= 200],
      ["small_lte: 0", (t) => t.small <= 0],
      ["small_in: [10, 20, 999]", (t) => [10, 20].includes(t.small)],
      ["small_not_in: [10, 20]", (t) => ![10, 20].includes(t.small)],
      ['big_gt: "1000"', (t) => t.big > 1000n],
      ['big_in: ["137", "411"]', (t) => [137n, 411n].includes(t.big)],
      // Boolean
      ["flag: true", (t) => t.flag],
      ["flag_not: true", (t) => !t.flag],
      ["flag_in: [false]", (t) => !t.flag],
      ["flag_not_in: [false, true]", () => false],
      // Bytes
      ['data: "0x"', (t) => t.data === "0x"],
      ['data_not: "0x"', (t) => t.data !== "0x"],
      ['data_gt: "0xab"', (t) => Buffer.compare(Buffer.from(t.data.slice(2), "hex"), Buffer.from("ab", "hex")) > 0],
      ['data_lt: "0x10"', (t) => Buffer.compare(Buffer.from(t.data.slice(2), "hex"), Buffer.from("10", "hex")) < 0],
      ['data_gte: "0xabab"', (t) => Buffer.compare(Buffer.from(t.data.slice(2), "hex"), Buffer.from("abab", "hex")) >= 0],
      ['data_lte: "0x05"', (t) => Buffer.compare(Buffer.from(t.data.slice(2), "hex"), Buffer.from("05", "hex")) <= 0],
      ['data_in: ["0x01", "0xab05"]', (t) => ["0x01", "0xab05"].includes(t.data)],
      ['data_not_in: ["0x"]', (t) => t.data !== "0x"],
      ['data_contains: "0xabab"', (t) => t.data.slice(2).includes("abab")],
      ['data_not_contains: "0xab"', (t) => !/^(..)*ab/.test(t.data.slice(2))],
      // enum
      ["kind: LARGE", (t) => t.kind === "LARGE"],
      ["kind_not: LARGE", (t) => t.kind !== "LARGE"],
      ["kind_in: [SMALL]", (t) => t.kind === "SMALL"],
      ["kind_not_in: [SMALL, LARGE]", () => false],
      // lists
      ["scores: []", (t) => t.scores.length === 0],
      ['scores: ["3", "6"]', (t) => t.scores.join() === "3,6"],
      ["scores_not: []", (t) => t.scores.length > 0],
      ['scores_contains: ["4"]', (t) => t.scores.includes(4n)],
      ['scores_not_contains: ["4"]', (t) => !t.scores.includes(4n)],
      [`tags_contains: ["${things[4]?.tags[0] ?? ""}"]`, (t) => t.tags.includes(things[4]!.tags[0]!)],
      [`tags_contains_nocase: ["${(things[4]?.tags[0] ?? "").toUpperCase()}"]`, (t) => t.tags.includes(things[4]!.tags[0]!)],
      [`tags_not_contains_nocase: ["${(things[4]?.tags[0] ?? "").toUpperCase()}"]`, (t) => !t.tags.includes(things[4]!.tags[0]!)],
      // references filter as the referenced id's String
      [`owner: "${OWNERS[1]}"`, (t) => t.owner === OWNERS[1]],
      [`owner_not: "${OWNERS[1]}"`, (t) => t.owner !== OWNERS[1]],
      [`owner_in: ["${OWNERS[0]}", "${OWNERS[2]}"]`, (t) => t.owner !== OWNERS[1]],
      [`owner_not_in: ["${OWNERS[0]}"]`, (t) => t.owner !== OWNERS[0]],
      ['owner_ends_with: "c3"', (t) => t.owner.endsWith("c3")],
      [`owner_gt: "${OWNERS[1]}"`, (t) => t.owner > OWNERS[1]!],
    ];
    for (const [where, predicate] of cases) {
      assert.deepEqual(await ids(`where: { ${where} }`), expectIds(things.filter(predicate)), `where: { ${where} }`);
    }
  });

  it("filters on related entities (field_), derived fields, and/or and _change_block", async () => {
    const thingCount = new Map<string, number>();
    for (const t of things) thingCount.set(t.owner, (thingCount.get(t.owner) ?? 0) + 1);
    thingCount.set(OWNERS[23 % 3]!.toLowerCase(), thingCount.get(OWNERS[23 % 3]!.toLowerCase())! + 1);
    assert.deepEqual(await ids("where: { owner_: { thingCount_gt: 7 } }"), expectIds(things.filter((t) => thingCount.get(t.owner)! > 7)));
    assert.deepEqual(await ids(`where: { owner_: { id: "${OWNERS[2]}" }, flag: true }`), expectIds(things.filter((t) => t.owner === OWNERS[2] && t.flag)));
    assert.deepEqual(await ids("where: { meta_: { title_contains: \"t02\" } }"), ["t02"]);
    const accounts = await gqlData<{ accounts: { id: string }[] }>(url(), '{ accounts(where: { things_: { name_starts_with: "DELTA" } }, orderBy: id) { id } }');
    assert.deepEqual(accounts.accounts.map((a) => a.id), [...new Set(things.filter((t) => t.name.startsWith("DELTA")).map((t) => t.owner))].sort());
    assert.deepEqual(await ids('where: { or: [{ small_lt: 30 }, { name_ends_with: "9" }] }'), expectIds(things.filter((t) => t.small < 30 || t.name.endsWith("9"))));
    assert.deepEqual(await ids('where: { and: [{ flag: true }, { or: [{ kind: LARGE }, { id_lt: "t05" }] }] }'), expectIds(things.filter((t) => t.flag && (t.kind === "LARGE" || t.id < "t05"))));
    const last = things[things.length - 1]!.block;
    assert.deepEqual(await ids(`where: { _change_block: { number_gte: ${last} } }`), expectIds(things.filter((t) => t.block >= last || t.id === "t01" || t.id === "t02")));
    const nested = await gqlData<{ account: { things: { id: string }[] } }>(url(), `{ account(id: "${OWNERS[0]}") { things(where: { flag: false }, orderBy: small, orderDirection: desc, first: 2) { id } } }`);
    const expected = things.filter((t) => t.owner === OWNERS[0] && !t.flag).sort((a, b) => b.small - a.small || (a.id < b.id ? 1 : -1)).slice(0, 2).map((t) => t.id);
    assert.deepEqual(nested.account.things.map((t) => t.id), expected);
  });

  it("orders by every kind of field, both directions, with the id as tiebreaker", async () => {
    const compare = {
      amount: (a: Thing, b: Thing) => (a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0),
      delta: (a: Thing, b: Thing) => Number(a.delta - b.delta),
      name: (a: Thing, b: Thing) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      small: (a: Thing, b: Thing) => a.small - b.small,
      flag: (a: Thing, b: Thing) => Number(a.flag) - Number(b.flag),
      data: (a: Thing, b: Thing) => Buffer.compare(Buffer.from(a.data.slice(2), "hex"), Buffer.from(b.data.slice(2), "hex")),
      ratio: (a: Thing, b: Thing) => Math.sign(Number(a.ratio) - Number(b.ratio)),
      kind: (a: Thing, b: Thing) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0),
      owner: (a: Thing, b: Thing) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0),
    };
    for (const [field, cmp] of Object.entries(compare)) {
      for (const direction of ["asc", "desc"] as const) {
        const sign = direction === "asc" ? 1 : -1;
        const expected = [...things].sort((a, b) => sign * (cmp(a, b) || byId(a, b))).map((t) => t.id);
        assert.deepEqual(await ids(`orderBy: ${field}, orderDirection: ${direction}`), expected, `orderBy ${field} ${direction}`);
      }
    }
    const counts = await gqlData<{ things: { id: string; owner: { thingCount: number } }[] }>(url(), "{ things(first: 1000, orderBy: owner__thingCount, orderDirection: desc) { id owner { thingCount } } }");
    const seen = counts.things.map((t) => t.owner.thingCount);
    assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
    assert.deepEqual(await ids(""), expectIds(things), "default order: id ascending");
  });

  it("paginates with first and skip, and rejects out-of-range values", async () => {
    const all = await ids("orderBy: amount, orderDirection: desc");
    const pages: string[] = [];
    for (let skip = 0; skip < all.length; skip += 5) {
      const page = (await gqlData<{ things: { id: string }[] }>(url(), `{ things(first: 5, skip: ${skip}, orderBy: amount, orderDirection: desc) { id } }`)).things;
      assert.ok(page.length <= 5);
      pages.push(...page.map((t) => t.id));
    }
    assert.deepEqual(pages, all);
    assert.equal((await gqlData<{ things: unknown[] }>(url(), "{ things { id } }")).things.length, COUNT - 1, "first defaults to 100");
    assert.deepEqual((await gqlData<{ things: unknown[] }>(url(), "{ things(first: 0) { id } }")).things, []);
    assert.deepEqual((await gqlData<{ things: unknown[] }>(url(), "{ things(skip: 1000) { id } }")).things, []);
    const tooMany = await gql(url(), "{ things(first: 1001) { id } }");
    assert.match(tooMany.errors?.[0]?.message ?? "", /`first` argument must be between 0 and 1000, but is 1001/);
    const negative = await gql(url(), "{ things(skip: -1) { id } }");
    assert.match(negative.errors?.[0]?.message ?? "", /`skip` argument must be between 0/);
  });

  it("answers unknown fields and bad arguments with GraphQL errors, and keeps serving", async () => {
    const bad: [string, RegExp][] = [
      ["{ thingz { id } }", /Cannot query field "thingz" on type "Query"/],
      ["{ things { id color } }", /Cannot query field "color" on type "Thing"/],
      ['{ things(where: { colour: "red" }) { id } }', /Thing_filter" not to include unknown field "colour"/],
      ['{ things(where: { amount_gt: "ten" }) { id } }', /BigInt must be an integer/],
      ['{ things(where: { data: "0xz1" }) { id } }', /Bytes must be 0x-prefixed hex/],
      ['{ things(where: { ratio_gt: "1.2.3" }) { id } }', /BigDecimal/],
      ["{ things(orderBy: colour) { id } }", /Value "colour" does not exist in "Thing_orderBy" enum/],
      ["{ things(orderBy: owner__things) { id } }", /does not exist in "Thing_orderBy" enum/],
      ["{ thing { id } }", /Argument "Query.thing\(id:\)" of type "ID!" is required/],
      ["{ things(where: { amount_gt: null }) { id } }", /needs a value, not null/],
      [`{ account(id: "not-hex") { id } }`, /not 0x-prefixed hex/],
      ["{ things(block: { number: 99999999 }) { id } }", /has only indexed up to block number \d+ and data for block number 99999999 is therefore not yet available/],
      ["{ things(block: { number: 1 }) { id } }", /keeps only the latest state/],
      ["{ things { id ", /Syntax Error/],
    ];
    for (const [query, message] of bad) {
      const body = await gql(url(), query);
      assert.ok(body.errors?.length, `${query} should fail`);
      assert.match(body.errors!.map((e) => e.message).join("\n"), message, query);
    }
    const meta = await gqlData<{ _meta: { block: { number: number; hash: string }; hasIndexingErrors: boolean } }>(url(), "{ _meta { block { number hash } hasIndexingErrors } }");
    const head = await env.client.getBlock();
    assert.deepEqual(meta._meta, { block: { number: Number(head.number), hash: head.hash }, hasIndexingErrors: false });
    const sameBlock = await gqlData<{ things: unknown[] }>(url(), `{ things(block: { number_gte: ${Number(head.number)} }) { id } }`);
    assert.equal(sameBlock.things.length, COUNT - 1);
  });

  it("serves GET, POST with variables, CORS preflight, and says what is wrong with bad requests", async () => {
    const get = await fetch(`${url()}?query=${encodeURIComponent('query T($id: ID!) { thing(id: $id) { name } }')}&variables=${encodeURIComponent('{"id":"t04"}')}`);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual(await get.json(), { data: { thing: { name: things[4]!.name } } });
    const vars = await gql(url(), "query Q($w: Thing_filter, $n: Int) { things(where: $w, first: $n, orderBy: id) { id } }", { w: { flag: false }, n: 2 });
    assert.deepEqual(vars.data, { things: things.filter((t) => !t.flag).slice(0, 2).map((t) => ({ id: t.id })) });
    const preflight = await fetch(url(), { method: "OPTIONS", headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    const notJson = await fetch(url(), { method: "POST", body: "{not json" });
    assert.equal(notJson.status, 400);
    assert.match(JSON.stringify(await notJson.json()), /must be JSON with a query/);
    const noQuery = await fetch(url(), { method: "POST", body: JSON.stringify({ variables: {} }) });
    assert.equal(noQuery.status, 400);
    const elsewhere = await fetch(url().replace("/subgraphs/name/mini", "/subgraphs/name/other"), { method: "POST", body: "{}" });
    assert.equal(elsewhere.status, 404);
    assert.match(JSON.stringify(await elsewhere.json()), /this runner serves \/subgraphs\/name\/mini/);
  });

  it("runs a file data source once its file reaches the content store", async () => {
    const later = new TextEncoder().encode('{"title": "Late", "size": 7, "decimals": 0}');
    const { cidOf } = await import("../../protocol/src/index.ts");
    const cid = await cidOf(later);
    await mini.runner.waitForBlock(Number((await env.send("link", ["t03", cid])).blockNumber));
    const before = await gqlData<{ thing: { meta: { id: string } | null }; thingMeta: unknown }>(url(), `{ thing(id: "t03") { meta { id } } thingMeta(id: "${cid}") { id } }`);
    assert.deepEqual(before, { thing: { meta: null }, thingMeta: null }, "the reference dangles until the file is found");
    assert.equal(await content.put(later), cid);
    const deadline = Date.now() + 15_000;
    let found: { thingMeta: { title: string } | null } = { thingMeta: null };
    while (Date.now() < deadline && !found.thingMeta) {
      await new Promise((r) => setTimeout(r, 100));
      found = await gqlData(url(), `{ thingMeta(id: "${cid}") { title } }`);
    }
    assert.deepEqual(found.thingMeta, { title: "Late for t03" });
    assert.ok(mini.logs.some((l) => l.includes(`file ${cid}`) && l.includes("not in the content store yet")));
  });

  it("gives identical results after a restart and resumes from the last indexed block", async () => {
    const queries = [
      "{ things(first: 1000, orderBy: ratio, orderDirection: desc) { id owner { id thingCount } amount ratio scores tags meta { title } } }",
      "{ accounts { id things { id } } counters { id count } removals { id } thingMetas(orderBy: id) { id title size } _meta { block { number hash } } }",
      '{ things(where: { or: [{ name_contains_nocase: "ETA" }, { amount_gt: "1500" }] }, skip: 2, first: 7, orderBy: small) { id } }',
    ];
    const before = await Promise.all(queries.map((q) => gqlData(url(), q)));
    await mini.runner.stop();
    mini = await startMiniRunner(env.chain.url, dataDir, content);
    assert.ok(mini.logs.some((l) => /resuming after block \d+ with \d+ entities/.test(l)), mini.logs.join("\n"));
    const after = await Promise.all(queries.map((q) => gqlData(url(), q)));
    assert.deepEqual(after, before);
    const receipt = await env.send("count", [2n]);
    await mini.runner.waitForBlock(Number(receipt.blockNumber));
    const counter = await gqlData<{ counters: { count: string; lastIndex: string }[] }>(url(), "{ counters { count lastIndex } }");
    assert.deepEqual(counter.counters, [{ count: "9", lastIndex: "1" }]);
    assert.ok(counterBlock > 0);
  });

  it("reports a trapping mapping as an indexing error with its block and handler, and stops there", async () => {
    const boom = await env.send("boom", [5n]);
    await mini.runner.waitForBlock(Number(boom.blockNumber));
    const meta = await gqlData<{ _meta: { block: { number: number }; hasIndexingErrors: boolean } }>(url(), "{ _meta { block { number } hasIndexingErrors } }");
    assert.deepEqual(meta._meta, { block: { number: Number(boom.blockNumber) - 1 }, hasIndexingErrors: true });
    const line = mini.logs.find((l) => l.includes("ERROR") && l.includes("handleBoom"));
    assert.ok(line, mini.logs.join("\n"));
    assert.match(line!, new RegExp(`failed at block ${boom.blockNumber}: Mapping aborted at src/mapping.ts, line \\d+, column \\d+, with message: boom with code 5`));
    assert.equal(mini.runner.indexer.indexingState.error?.handler, "handleBoom");
    const afterBoom = await env.send("set", ["late", OWNERS[0], 1n, 0n, keccak256("0x01"), "0x", true, "late", [], 1]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await gqlData<{ thing: unknown }>(url(), '{ thing(id: "late") { id } }').then((d) => d.thing), null, `block ${afterBoom.blockNumber} is not indexed`);
    assert.equal((await ids("")).length, COUNT - 1, "data before the failed block stays queryable");
  });

  it("reindexes from scratch on a fresh chain (different genesis)", async () => {
    await mini.runner.stop();
    await env.chain.stop();
    env = await startEmitterChain();
    mini = await startMiniRunner(env.chain.url, dataDir, content);
    assert.ok(mini.logs.some((l) => l.includes("indexing from scratch: a different chain")), mini.logs.join("\n"));
    const receipt = await env.send("set", ["fresh", getAddress(OWNERS[0]!), 42n, 1n, keccak256("0x02"), "0x", false, "fresh", [], 2]);
    await mini.runner.waitForBlock(Number(receipt.blockNumber));
    const data = await gqlData<{ things: { id: string }[]; _meta: { hasIndexingErrors: boolean } }>(url(), "{ things { id } _meta { hasIndexingErrors } }");
    assert.deepEqual(data, { things: [{ id: "fresh" }], _meta: { hasIndexingErrors: false } });
  });
});
