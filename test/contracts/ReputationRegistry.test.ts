/**
 * ReputationRegistry: ERC-8004 feedback, responses, summaries, and Agentry's verified-feedback rule
 * (a client counts as verified only with an agreement on which at least one call was redeemed).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { getAddress, keccak256, parseEventLogs, toHex, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAddress, generatePrivateKey } from "viem/accounts";
import {
  deployAgentry,
  networkHelpers,
  registerAgent,
  requestHashOf,
  signVoucher,
  viem,
  type Agentry,
} from "../support/fixture.ts";

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const INT128_MAX = 2n ** 127n - 1n;
const INT128_MIN = -(2n ** 127n);
const PRICE = 1000n;

type Wallet = Agentry["client"];

interface FeedbackInput {
  value?: bigint;
  decimals?: number;
  tag1?: string;
  tag2?: string;
  endpoint?: string;
  feedbackURI?: string;
  feedbackHash?: Hex;
}

function feedbackArgs(f: FeedbackInput) {
  return [
    f.value ?? 80n,
    f.decimals ?? 0,
    f.tag1 ?? "",
    f.tag2 ?? "",
    f.endpoint ?? "",
    f.feedbackURI ?? "",
    f.feedbackHash ?? ZERO32,
  ] as const;
}

async function give(a: Agentry, who: Wallet, agentId: bigint, f: FeedbackInput = {}): Promise<Hex> {
  const hash = await a.reputation.write.giveFeedback([agentId, ...feedbackArgs(f)], { account: who.account });
  await a.publicClient.waitForTransactionReceipt({ hash });
  return hash;
}

async function reputationEvents(a: Agentry, hash: Hex) {
  const receipt = await a.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === a.reputation.address.toLowerCase());
  return parseEventLogs({ abi: a.reputation.abi, logs });
}

/** Opens an ETH agreement between `client` and `agentId` (10 calls funded); redeems `redeemCalls` of them. */
async function openAgreement(a: Agentry, agentId: bigint, client: Wallet, redeemCalls = 0n): Promise<bigint> {
  const owner = await a.agentRegistry.read.ownerOf([agentId]);
  if ((await a.escrow.read.priceOf([agentId, zeroAddress])) === 0n) {
    await a.escrow.write.setPrice([agentId, zeroAddress, PRICE], { account: owner });
  }
  const agreementId = await a.escrow.read.nextAgreementId();
  const expiresAt = BigInt(await networkHelpers.time.latest()) + 3600n;
  await a.escrow.write.open([agentId, zeroAddress, 10n * PRICE, 10, expiresAt, zeroAddress], {
    account: client.account,
    value: 10n * PRICE,
  });
  if (redeemCalls > 0n) {
    const requestHash = requestHashOf(`call ${agreementId}`);
    const signature = await signVoucher(client, {
      chainId: a.chainId,
      escrow: a.escrow.address,
      agreementId,
      calls: redeemCalls,
      amount: redeemCalls * PRICE,
      requestHash,
    });
    await a.escrow.write.redeem([agreementId, redeemCalls, redeemCalls * PRICE, requestHash, signature, requestHashOf("root")]);
  }
  const agreement = await a.escrow.read.getAgreement([agreementId]);
  assert.equal(agreement.client, getAddress(client.account.address));
  assert.equal(BigInt(agreement.redeemedCalls), redeemCalls);
  return agreementId;
}

function randomAddresses(n: number): Address[] {
  return Array.from({ length: n }, () => privateKeyToAddress(generatePrivateKey()));
}

describe("ReputationRegistry: giving feedback", () => {
  it("emits NewFeedback with every field, numbers entries from 1 and lists clients once, in order", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    const stranger = getAddress(a.stranger.account.address);
    assert.deepEqual(await a.reputation.read.getClients([agentId]), []);
    assert.equal(await a.reputation.read.getLastIndex([agentId, client]), 0n);

    const f = { value: -42n, decimals: 1, tag1: "starred", tag2: "latency", endpoint: "https://mcp.example/tools",
      feedbackURI: "ipfs://bafkreifeedback", feedbackHash: keccak256(toHex("feedback file")) };
    const events = await reputationEvents(a, await give(a, a.client, agentId, f));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.eventName, "NewFeedback");
    assert.deepEqual(events[0]!.args, {
      agentId, clientAddress: client, feedbackIndex: 1n, value: -42n, valueDecimals: 1,
      indexedTag1: keccak256(toHex("starred")), tag1: "starred", tag2: "latency", endpoint: f.endpoint,
      feedbackURI: f.feedbackURI, feedbackHash: f.feedbackHash,
    });
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 1n]), [-42n, 1, "starred", "latency", false]);
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 1n]), false);

    const e2 = await reputationEvents(a, await give(a, a.client, agentId, { value: 99n }));
    assert.deepEqual(e2[0]!.args, {
      agentId, clientAddress: client, feedbackIndex: 2n, value: 99n, valueDecimals: 0,
      indexedTag1: keccak256("0x"), tag1: "", tag2: "", endpoint: "", feedbackURI: "", feedbackHash: ZERO32,
    });
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 2n]), [99n, 0, "", "", false]);
    await give(a, a.stranger, agentId);
    await give(a, a.client, agentId);
    assert.deepEqual(await a.reputation.read.getClients([agentId]), [client, stranger]);
    assert.equal(await a.reputation.read.getLastIndex([agentId, client]), 3n);
    assert.equal(await a.reputation.read.getLastIndex([agentId, stranger]), 1n);
    // per agent
    const other = await registerAgent(a);
    assert.deepEqual(await a.reputation.read.getClients([other]), []);
    assert.equal(await a.reputation.read.getLastIndex([other, client]), 0n);
    await give(a, a.client, other);
    assert.equal(await a.reputation.read.getLastIndex([other, client]), 1n);
  });

  it("the agent's owner, approved address and operators may not give it feedback", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const approved = a.others[0]!;
    const operator = a.others[1]!;
    await a.agentRegistry.write.approve([approved.account.address, agentId], { account: a.provider.account });
    await a.agentRegistry.write.setApprovalForAll([operator.account.address, true], { account: a.provider.account });
    for (const who of [a.provider, approved, operator]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.reputation.write.giveFeedback([agentId, ...feedbackArgs({})], { account: who.account }),
        a.reputation, "SelfFeedbackNotAllowed", [agentId, getAddress(who.account.address)]);
    }
    // after a transfer the former owner is a client like any other, the new owner is not
    await a.agentRegistry.write.transferFrom([a.provider.account.address, a.client.account.address, agentId], { account: a.provider.account });
    await give(a, a.provider, agentId);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([agentId, ...feedbackArgs({})], { account: a.client.account }),
      a.reputation, "SelfFeedbackNotAllowed", [agentId, getAddress(a.client.account.address)]);
    assert.deepEqual(await a.reputation.read.getClients([agentId]), [getAddress(a.provider.account.address)]);
  });

  it("feedback on an unknown agent reverts UnknownAgent", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([1n, ...feedbackArgs({})], { account: a.client.account }), a.reputation, "UnknownAgent", [1n]);
    await registerAgent(a);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([0n, ...feedbackArgs({})], { account: a.client.account }), a.reputation, "UnknownAgent", [0n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([2n, ...feedbackArgs({})], { account: a.client.account }), a.reputation, "UnknownAgent", [2n]);
  });

  it("accepts up to 18 decimals and the full int128 range", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = a.client.account.address;
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([agentId, ...feedbackArgs({ decimals: 19 })], { account: a.client.account }),
      a.reputation, "InvalidValueDecimals", [19]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([agentId, ...feedbackArgs({ decimals: 255 })], { account: a.client.account }),
      a.reputation, "InvalidValueDecimals", [255]);
    await give(a, a.client, agentId, { value: INT128_MAX, decimals: 18 });
    await give(a, a.client, agentId, { value: INT128_MIN, decimals: 0 });
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 1n]), [INT128_MAX, 18, "", "", false]);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 2n]), [INT128_MIN, 0, "", "", false]);
  });

  it("enforces tag (64 bytes) and endpoint/URI (2048 bytes) limits at their boundaries", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const t64 = "t".repeat(64);
    const u2048 = `https://${"u".repeat(2040)}`;
    const cases: [FeedbackInput, string, bigint, bigint][] = [
      [{ tag1: `${t64}x` }, "tag1", 65n, 64n],
      [{ tag2: `${t64}x` }, "tag2", 65n, 64n],
      [{ tag1: "é".repeat(33) }, "tag1", 66n, 64n], // bytes, not characters
      [{ endpoint: `${u2048}x` }, "endpoint", 2049n, 2048n],
      [{ feedbackURI: `${u2048}x` }, "feedbackURI", 2049n, 2048n],
    ];
    for (const [input, field, length, max] of cases) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.reputation.write.giveFeedback([agentId, ...feedbackArgs(input)], { account: a.client.account }),
        a.reputation, "InputTooLong", [field, length, max]);
    }
    const hash = await give(a, a.client, agentId, { tag1: t64, tag2: t64, endpoint: u2048, feedbackURI: u2048 });
    const [event] = await reputationEvents(a, hash);
    assert.equal(event!.eventName, "NewFeedback");
    assert.equal(event!.args.endpoint, u2048);
    assert.equal(event!.args.feedbackURI, u2048);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, a.client.account.address, 1n]), [80n, 0, t64, t64, false]);
    assert.equal(await a.reputation.read.MAX_TAG_LENGTH(), 64n);
    assert.equal(await a.reputation.read.MAX_URI_LENGTH(), 2048n);
    assert.equal(await a.reputation.read.MAX_VALUE_DECIMALS(), 18);
    assert.equal(await a.reputation.read.MAX_QUERY_CLIENTS(), 100n);
  });

  it("a client keeps at most MAX_FEEDBACK_PER_CLIENT (1000) entries per agent", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const otherAgent = await registerAgent(a);
    assert.equal(await a.reputation.read.MAX_FEEDBACK_PER_CLIENT(), 1000n);
    for (let i = 0; i < 1000; i++) {
      await a.reputation.write.giveFeedback([agentId, BigInt(i), 0, "", "", "", "", ZERO32], { account: a.client.account });
    }
    const client = getAddress(a.client.account.address);
    assert.equal(await a.reputation.read.getLastIndex([agentId, client]), 1000n);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 1000n]), [999n, 0, "", "", false]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([agentId, ...feedbackArgs({})], { account: a.client.account }),
      a.reputation, "TooMuchFeedback", [agentId, client]);
    // revoking does not free a slot; other clients and other agents are unaffected
    await a.reputation.write.revokeFeedback([agentId, 1n], { account: a.client.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveFeedback([agentId, ...feedbackArgs({})], { account: a.client.account }),
      a.reputation, "TooMuchFeedback", [agentId, client]);
    await give(a, a.stranger, agentId);
    await give(a, a.client, otherAgent);
    // summaries still work over a full client (1000 entries, one revoked: 1..999 averaged = 500)
    assert.deepEqual(await a.reputation.read.getSummary([agentId, [client], "", ""]), [999n, 500n, 0]);
  });
});

describe("ReputationRegistry: revoking", () => {
  it("revokes the caller's own entry only, once", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    await give(a, a.client, agentId, { value: 10n });
    await give(a, a.client, agentId, { value: 20n });
    await give(a, a.stranger, agentId, { value: 30n });

    const events = await reputationEvents(a, await a.reputation.write.revokeFeedback([agentId, 2n], { account: a.client.account }));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.eventName, "FeedbackRevoked");
    assert.deepEqual(events[0]!.args, { agentId, clientAddress: client, feedbackIndex: 2n });
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 2n]), [20n, 0, "", "", true]);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 1n]), [10n, 0, "", "", false]);

    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.revokeFeedback([agentId, 2n], { account: a.client.account }),
      a.reputation, "FeedbackAlreadyRevoked", [agentId, client, 2n]);
    for (const index of [0n, 3n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.reputation.write.revokeFeedback([agentId, index], { account: a.client.account }),
        a.reputation, "FeedbackNotFound", [agentId, client, index]);
    }
    // the stranger has one entry of its own: index 2 is not theirs to revoke
    const stranger = getAddress(a.stranger.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.revokeFeedback([agentId, 2n], { account: a.stranger.account }),
      a.reputation, "FeedbackNotFound", [agentId, stranger, 2n]);
    // the agent's owner cannot revoke clients' feedback either
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.revokeFeedback([agentId, 1n], { account: a.provider.account }),
      a.reputation, "FeedbackNotFound", [agentId, getAddress(a.provider.account.address), 1n]);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 1n]), [10n, 0, "", "", false]);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, stranger, 1n]), [30n, 0, "", "", false]);
    // unknown agent
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.revokeFeedback([99n, 1n], { account: a.client.account }),
      a.reputation, "FeedbackNotFound", [99n, client, 1n]);
  });

  it("readFeedback and isFeedbackVerified revert for a missing entry", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.read.readFeedback([agentId, client, 1n]), a.reputation, "FeedbackNotFound", [agentId, client, 1n]);
    await give(a, a.client, agentId);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.read.readFeedback([agentId, client, 0n]), a.reputation, "FeedbackNotFound", [agentId, client, 0n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.read.readFeedback([agentId, client, 2n]), a.reputation, "FeedbackNotFound", [agentId, client, 2n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.read.isFeedbackVerified([agentId, client, 2n]), a.reputation, "FeedbackNotFound", [agentId, client, 2n]);
  });
});

describe("ReputationRegistry: responses", () => {
  it("appends responses from anyone and counts them per responder and in total", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    const A = a.provider; // the agent answering
    const B = a.stranger; // a spam tagger
    const rA = getAddress(A.account.address);
    const rB = getAddress(B.account.address);
    await give(a, a.client, agentId);
    await give(a, a.client, agentId);

    const responseHash = keccak256(toHex("refund proof"));
    const events = await reputationEvents(a, await a.reputation.write.appendResponse(
      [agentId, client, 1n, "ipfs://refund", responseHash], { account: A.account }));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.eventName, "ResponseAppended");
    assert.deepEqual(events[0]!.args, {
      agentId, clientAddress: client, feedbackIndex: 1n, responder: rA, responseURI: "ipfs://refund", responseHash,
    });
    await a.reputation.write.appendResponse([agentId, client, 1n, "ipfs://refund-2", ZERO32], { account: A.account });
    await a.reputation.write.appendResponse([agentId, client, 1n, "ipfs://spam", ZERO32], { account: B.account });
    await a.reputation.write.appendResponse([agentId, client, 2n, "ipfs://spam", ZERO32], { account: B.account });

    const count = (index: bigint, responders: Address[]) => a.reputation.read.getResponseCount([agentId, client, index, responders]);
    assert.equal(await count(1n, []), 3n);
    assert.equal(await count(1n, [rA]), 2n);
    assert.equal(await count(1n, [rB]), 1n);
    assert.equal(await count(1n, [rA, rB]), 3n);
    assert.equal(await count(2n, []), 1n);
    assert.equal(await count(2n, [rA]), 0n);
    assert.equal(await count(0n, []), 4n); // all of the client's entries
    assert.equal(await count(0n, [rB]), 2n);
    assert.equal(await count(0n, [rA, rB]), 4n);
    assert.equal(await count(1n, [zeroAddress]), 0n); // address(0) is not a responder
    assert.equal(await count(1n, [zeroAddress, rA]), 2n);
    assert.equal(await count(3n, []), 0n); // beyond the last entry
    assert.equal(await count(1n, [getAddress(a.others[0]!.account.address)]), 0n);
    // another client of the same agent has no responses
    assert.equal(await a.reputation.read.getResponseCount([agentId, getAddress(a.stranger.account.address), 0n, []]), 0n);
    // 100 responders is fine
    assert.equal(await count(0n, [...randomAddresses(99), rB]), 2n);
  });

  it("responses to revoked feedback are allowed; empty, too long or missing targets revert", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    await give(a, a.client, agentId);
    await viem.assertions.revertWithCustomError(
      a.reputation.write.appendResponse([agentId, client, 1n, "", ZERO32], { account: a.provider.account }), a.reputation, "EmptyResponseURI");
    const u2048 = "r".repeat(2048);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.appendResponse([agentId, client, 1n, `${u2048}r`, ZERO32], { account: a.provider.account }),
      a.reputation, "InputTooLong", ["responseURI", 2049n, 2048n]);
    await a.reputation.write.appendResponse([agentId, client, 1n, u2048, ZERO32], { account: a.provider.account });
    for (const index of [0n, 2n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        a.reputation.write.appendResponse([agentId, client, index, "ipfs://r", ZERO32], { account: a.provider.account }),
        a.reputation, "FeedbackNotFound", [agentId, client, index]);
    }
    await a.reputation.write.revokeFeedback([agentId, 1n], { account: a.client.account });
    await a.reputation.write.appendResponse([agentId, client, 1n, "ipfs://after-revoke", ZERO32], { account: a.stranger.account });
    assert.equal(await a.reputation.read.getResponseCount([agentId, client, 1n, []]), 2n);
  });

  it("getResponseCount requires a client and at most 100 responders", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    await viem.assertions.revertWithCustomError(
      a.reputation.read.getResponseCount([agentId, zeroAddress, 0n, []]), a.reputation, "ClientsRequired");
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.read.getResponseCount([agentId, a.client.account.address, 0n, randomAddresses(101)]),
      a.reputation, "TooManyAddresses", [101n, 100n]);
  });
});

describe("ReputationRegistry: summaries and reads", () => {
  it("averages mixed decimals at the largest scale: 80 (0 dec) and 90.50 (2 dec) -> 85.25", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    await give(a, a.client, agentId, { value: 80n, decimals: 0 });
    await give(a, a.stranger, agentId, { value: 9050n, decimals: 2 });
    const clients = [a.client.account.address, a.stranger.account.address];
    assert.deepEqual(await a.reputation.read.getSummary([agentId, clients, "", ""]), [2n, 8525n, 2]);
    assert.deepEqual(await a.reputation.read.getSummary([agentId, [a.client.account.address], "", ""]), [1n, 80n, 0]);
    assert.deepEqual(await a.reputation.read.getSummary([agentId, [a.stranger.account.address], "", ""]), [1n, 9050n, 2]);
    // negative values and 18 decimals
    await give(a, a.others[0]!, agentId, { value: -205n * 10n ** 17n, decimals: 18 }); // -20.5
    assert.deepEqual(
      await a.reputation.read.getSummary([agentId, [...clients, a.others[0]!.account.address], "", ""]),
      [3n, 50n * 10n ** 18n, 18]); // (80 + 90.50 - 20.5) / 3
  });

  it("filters by tags, excludes revoked entries and only counts the clients asked for", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const c = a.client.account.address;
    const s = a.stranger.account.address;
    await give(a, a.client, agentId, { value: 10n, tag1: "starred", tag2: "weather" }); // c#1
    await give(a, a.client, agentId, { value: 20n, tag1: "starred", tag2: "news" }); // c#2
    await give(a, a.client, agentId, { value: 30n, tag1: "reachable" }); // c#3
    await give(a, a.stranger, agentId, { value: 40n, tag1: "starred", tag2: "weather" }); // s#1
    await give(a, a.others[0]!, agentId, { value: 1000n, tag1: "starred" }); // not asked for
    const summary = (clients: Address[], tag1: string, tag2: string) => a.reputation.read.getSummary([agentId, clients, tag1, tag2]);
    assert.deepEqual(await summary([c, s], "", ""), [4n, 25n, 0]);
    assert.deepEqual(await summary([c, s], "starred", ""), [3n, 70n / 3n, 0]);
    assert.deepEqual(await summary([c, s], "starred", "weather"), [2n, 25n, 0]);
    assert.deepEqual(await summary([c, s], "", "weather"), [2n, 25n, 0]);
    assert.deepEqual(await summary([c, s], "", "news"), [1n, 20n, 0]);
    assert.deepEqual(await summary([c, s], "reachable", "weather"), [0n, 0n, 0]);
    assert.deepEqual(await summary([c, s], "Starred", ""), [0n, 0n, 0]); // exact match
    assert.deepEqual(await summary([s, ...randomAddresses(99)], "", ""), [1n, 40n, 0]);
    await a.reputation.write.revokeFeedback([agentId, 1n], { account: a.client.account });
    assert.deepEqual(await summary([c, s], "starred", "weather"), [1n, 40n, 0]);
    assert.deepEqual(await summary([c, s], "", ""), [3n, 30n, 0]);
    await a.reputation.write.revokeFeedback([agentId, 1n], { account: a.stranger.account });
    assert.deepEqual(await summary([c, s], "starred", "weather"), [0n, 0n, 0]);
    assert.deepEqual(await summary([s], "", ""), [0n, 0n, 0]);
    // an agent nobody rated
    assert.deepEqual(await a.reputation.read.getSummary([99n, [c], "", ""]), [0n, 0n, 0]);
  });

  it("requires 1..100 client addresses in summaries and readAllFeedback", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const r = a.reputation;
    await viem.assertions.revertWithCustomError(r.read.getSummary([agentId, [], "", ""]), r, "ClientsRequired");
    await viem.assertions.revertWithCustomError(r.read.getVerifiedSummary([agentId, [], "", ""]), r, "ClientsRequired");
    await viem.assertions.revertWithCustomError(r.read.readAllFeedback([agentId, [], "", "", true]), r, "ClientsRequired");
    const many = randomAddresses(101);
    await viem.assertions.revertWithCustomErrorWithArgs(r.read.getSummary([agentId, many, "", ""]), r, "TooManyAddresses", [101n, 100n]);
    await viem.assertions.revertWithCustomErrorWithArgs(r.read.getVerifiedSummary([agentId, many, "", ""]), r, "TooManyAddresses", [101n, 100n]);
    await viem.assertions.revertWithCustomErrorWithArgs(r.read.readAllFeedback([agentId, many, "", "", false]), r, "TooManyAddresses", [101n, 100n]);
    assert.deepEqual(await r.read.getSummary([agentId, many.slice(1), "", ""]), [0n, 0n, 0]);
    assert.deepEqual(await r.read.readAllFeedback([agentId, many.slice(1), "", "", true]), [[], [], [], [], [], [], []]);
  });

  it("reverts SummaryOverflow when the average does not fit int128 at the common scale", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const clients = [a.client.account.address];
    await give(a, a.client, agentId, { value: INT128_MAX, decimals: 0 });
    await give(a, a.client, agentId, { value: INT128_MAX, decimals: 0 });
    assert.deepEqual(await a.reputation.read.getSummary([agentId, clients, "", ""]), [2n, INT128_MAX, 0]);
    await give(a, a.client, agentId, { value: 0n, decimals: 18 });
    await viem.assertions.revertWithCustomError(a.reputation.read.getSummary([agentId, clients, "", ""]), a.reputation, "SummaryOverflow");

    const negative = [a.stranger.account.address];
    await give(a, a.stranger, agentId, { value: INT128_MIN, decimals: 0 });
    assert.deepEqual(await a.reputation.read.getSummary([agentId, negative, "", ""]), [1n, INT128_MIN, 0]);
    await give(a, a.stranger, agentId, { value: 0n, decimals: 1 });
    await viem.assertions.revertWithCustomError(a.reputation.read.getSummary([agentId, negative, "", ""]), a.reputation, "SummaryOverflow");
  });

  it("readAllFeedback returns matching entries in client order, with or without revoked ones", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const c = getAddress(a.client.account.address);
    const s = getAddress(a.stranger.account.address);
    await give(a, a.stranger, agentId, { value: 1n, decimals: 0, tag1: "starred", tag2: "x" }); // s#1
    await give(a, a.client, agentId, { value: 2n, decimals: 1, tag1: "starred" }); // c#1
    await give(a, a.client, agentId, { value: -3n, decimals: 2, tag1: "reachable", tag2: "x" }); // c#2
    await give(a, a.client, agentId, { value: 4n, decimals: 3, tag1: "starred", tag2: "x" }); // c#3
    await a.reputation.write.revokeFeedback([agentId, 3n], { account: a.client.account });
    const read = (clients: Address[], tag1: string, tag2: string, includeRevoked: boolean) =>
      a.reputation.read.readAllFeedback([agentId, clients, tag1, tag2, includeRevoked]);

    assert.deepEqual(await read([c, s], "", "", true), [
      [c, c, c, s], [1n, 2n, 3n, 1n], [2n, -3n, 4n, 1n], [1, 2, 3, 0],
      ["starred", "reachable", "starred", "starred"], ["", "x", "x", "x"], [false, false, true, false],
    ]);
    assert.deepEqual(await read([c, s], "", "", false), [
      [c, c, s], [1n, 2n, 1n], [2n, -3n, 1n], [1, 2, 0],
      ["starred", "reachable", "starred"], ["", "x", "x"], [false, false, false],
    ]);
    assert.deepEqual(await read([s, c], "starred", "", true), [
      [s, c, c], [1n, 1n, 3n], [1n, 2n, 4n], [0, 1, 3], ["starred", "starred", "starred"], ["x", "", "x"], [false, false, true],
    ]);
    assert.deepEqual(await read([c, s], "starred", "x", false), [[s], [1n], [1n], [0], ["starred"], ["x"], [false]]);
    assert.deepEqual(await read([c, s], "", "x", true), [
      [c, c, s], [2n, 3n, 1n], [-3n, 4n, 1n], [2, 3, 0], ["reachable", "starred", "starred"], ["x", "x", "x"], [false, true, false],
    ]);
    assert.deepEqual(await read([c], "none", "", true), [[], [], [], [], [], [], []]);
  });

  it("names its identity registry and escrow", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    assert.equal(await a.reputation.read.getIdentityRegistry(), getAddress(a.agentRegistry.address));
    assert.equal(await a.reputation.read.escrow(), getAddress(a.escrow.address));
  });
});

describe("ReputationRegistry: verified feedback", () => {
  it("a client with a redeemed call gives verified feedback in one step", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    const agreementId = await openAgreement(a, agentId, a.client, 1n);
    const args = [agreementId, 95n, 0, "starred", "", "https://mcp", "ipfs://fb", ZERO32] as const;
    const { result } = await a.reputation.simulate.giveVerifiedFeedback(args, { account: a.client.account.address });
    assert.equal(result, 1n);
    const events = await reputationEvents(a, await a.reputation.write.giveVerifiedFeedback(args, { account: a.client.account }));
    assert.deepEqual(events.map((e) => e.eventName), ["NewFeedback", "FeedbackVerified"]);
    assert.deepEqual(events[0]!.args, {
      agentId, clientAddress: client, feedbackIndex: 1n, value: 95n, valueDecimals: 0, indexedTag1: keccak256(toHex("starred")),
      tag1: "starred", tag2: "", endpoint: "https://mcp", feedbackURI: "ipfs://fb", feedbackHash: ZERO32,
    });
    assert.deepEqual(events[1]!.args, { agentId, clientAddress: client, feedbackIndex: 1n, agreementId });
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 1n]), true);
    assert.deepEqual(await a.reputation.read.readFeedback([agentId, client, 1n]), [95n, 0, "starred", "", false]);
    assert.deepEqual(await a.reputation.read.getClients([agentId]), [client]);
    // the same agreement verifies later feedback too
    await a.reputation.write.giveVerifiedFeedback([agreementId, ...feedbackArgs({ value: 70n })], { account: a.client.account });
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 2n]), true);
    assert.deepEqual(await a.reputation.read.getVerifiedSummary([agentId, [client], "", ""]), [2n, 82n, 0]);
  });

  it("feedback given the standard way starts unverified; anyone may present the client's paid agreement", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    await give(a, a.client, agentId, { value: 60n });
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 1n]), false);
    const agreementId = await openAgreement(a, agentId, a.client, 3n);
    const events = await reputationEvents(a, await a.reputation.write.verifyFeedback([agentId, client, 1n, agreementId], { account: a.stranger.account }));
    assert.deepEqual(events.map((e) => e.eventName), ["FeedbackVerified"]);
    assert.deepEqual(events[0]!.args, { agentId, clientAddress: client, feedbackIndex: 1n, agreementId });
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 1n]), true);
    // a closed agreement still proves the client paid
    await a.escrow.write.close([agreementId], { account: a.provider.account });
    await give(a, a.client, agentId, { value: 40n });
    await a.reputation.write.verifyFeedback([agentId, client, 2n, agreementId], { account: a.client.account });
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 2n]), true);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.verifyFeedback([agentId, client, 3n, agreementId]), a.reputation, "FeedbackNotFound", [agentId, client, 3n]);
  });

  it("a wallet that never paid cannot get verified: no agreement, someone else's, or nothing redeemed", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const stranger = getAddress(a.stranger.account.address);
    const clientAgreement = await openAgreement(a, agentId, a.client, 1n);
    const fb = feedbackArgs({});
    const r = a.reputation;
    const opts = { account: a.stranger.account };

    // no agreement at all (unknown id)
    await viem.assertions.revertWithCustomErrorWithArgs(r.write.giveVerifiedFeedback([999n, ...fb], opts), r, "NotAgreementClient", [999n, stranger]);
    await viem.assertions.revertWithCustomErrorWithArgs(r.write.giveVerifiedFeedback([0n, ...fb], opts), r, "NotAgreementClient", [0n, stranger]);
    // someone else's paid agreement
    await viem.assertions.revertWithCustomErrorWithArgs(
      r.write.giveVerifiedFeedback([clientAgreement, ...fb], opts), r, "NotAgreementClient", [clientAgreement, stranger]);
    await give(a, a.stranger, agentId);
    await viem.assertions.revertWithCustomErrorWithArgs(
      r.write.verifyFeedback([agentId, stranger, 1n, clientAgreement], opts), r, "NotAgreementClient", [clientAgreement, stranger]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      r.write.verifyFeedback([agentId, stranger, 1n, 999n], opts), r, "NotAgreementClient", [999n, stranger]);
    // its own agreement, funded but with no redeemed call
    const unpaid = await openAgreement(a, agentId, a.stranger, 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(r.write.giveVerifiedFeedback([unpaid, ...fb], opts), r, "NoRedeemedCalls", [unpaid]);
    await viem.assertions.revertWithCustomErrorWithArgs(r.write.verifyFeedback([agentId, stranger, 1n, unpaid]), r, "NoRedeemedCalls", [unpaid]);
    // ... even once closed with a full refund
    await a.escrow.write.close([unpaid], { account: a.provider.account });
    await viem.assertions.revertWithCustomErrorWithArgs(r.write.verifyFeedback([agentId, stranger, 1n, unpaid]), r, "NoRedeemedCalls", [unpaid]);

    assert.equal(await r.read.isFeedbackVerified([agentId, stranger, 1n]), false);
    assert.equal(await r.read.getLastIndex([agentId, stranger]), 1n);
    assert.deepEqual(await r.read.getVerifiedSummary([agentId, [stranger], "", ""]), [0n, 0n, 0]);
  });

  it("an agreement with another agent does not verify feedback on this one", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const otherAgent = await registerAgent(a);
    const client = getAddress(a.client.account.address);
    const otherAgreement = await openAgreement(a, otherAgent, a.client, 2n);
    await give(a, a.client, agentId);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.verifyFeedback([agentId, client, 1n, otherAgreement]), a.reputation, "AgreementForAnotherAgent", [otherAgreement, agentId]);
    assert.equal(await a.reputation.read.isFeedbackVerified([agentId, client, 1n]), false);
    // giveVerifiedFeedback always rates the agreement's own agent
    await a.reputation.write.giveVerifiedFeedback([otherAgreement, ...feedbackArgs({ value: 5n })], { account: a.client.account });
    assert.equal(await a.reputation.read.getLastIndex([agentId, client]), 1n);
    assert.equal(await a.reputation.read.getLastIndex([otherAgent, client]), 1n);
    assert.equal(await a.reputation.read.isFeedbackVerified([otherAgent, client, 1n]), true);
    assert.deepEqual(await a.reputation.read.readFeedback([otherAgent, client, 1n]), [5n, 0, "", "", false]);
  });

  it("the agent's owner cannot verify self-feedback by paying its own agent", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const selfAgreement = await openAgreement(a, agentId, a.provider, 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      a.reputation.write.giveVerifiedFeedback([selfAgreement, ...feedbackArgs({})], { account: a.provider.account }),
      a.reputation, "SelfFeedbackNotAllowed", [agentId, getAddress(a.provider.account.address)]);
  });

  it("getVerifiedSummary counts only verified, non-revoked entries; getSummary counts all", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const c = a.client.account.address;
    const s = a.stranger.account.address;
    const o = a.others[0]!;
    const paid = await openAgreement(a, agentId, a.client, 1n);
    const paidOther = await openAgreement(a, agentId, o, 1n);
    await a.reputation.write.giveVerifiedFeedback([paid, ...feedbackArgs({ value: 90n, tag1: "starred" })], { account: a.client.account }); // c#1 verified
    await give(a, a.client, agentId, { value: 30n, tag1: "starred" }); // c#2 unverified
    await give(a, a.stranger, agentId, { value: 0n, tag1: "starred" }); // s#1 never paid
    await give(a, o, agentId, { value: 9000n, decimals: 2, tag1: "uptime" }); // o#1: 90.00
    await a.reputation.write.verifyFeedback([agentId, o.account.address, 1n, paidOther]); // o#1 verified
    const all = [c, s, o.account.address];
    assert.deepEqual(await a.reputation.read.getSummary([agentId, all, "", ""]), [4n, 5250n, 2]); // (90+30+0+90)/4
    assert.deepEqual(await a.reputation.read.getVerifiedSummary([agentId, all, "", ""]), [2n, 9000n, 2]);
    assert.deepEqual(await a.reputation.read.getSummary([agentId, all, "starred", ""]), [3n, 40n, 0]);
    assert.deepEqual(await a.reputation.read.getVerifiedSummary([agentId, all, "starred", ""]), [1n, 90n, 0]);
    assert.deepEqual(await a.reputation.read.getVerifiedSummary([agentId, [s], "", ""]), [0n, 0n, 0]);
    // revoked verified feedback drops out of both
    await a.reputation.write.revokeFeedback([agentId, 1n], { account: a.client.account });
    assert.deepEqual(await a.reputation.read.getVerifiedSummary([agentId, all, "starred", ""]), [0n, 0n, 0]);
    assert.deepEqual(await a.reputation.read.getVerifiedSummary([agentId, all, "", ""]), [1n, 9000n, 2]);
    assert.deepEqual(await a.reputation.read.getSummary([agentId, all, "", ""]), [3n, 4000n, 2]); // (30+0+90)/3
  });
});
