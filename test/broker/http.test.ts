/**
 * The broker and the content store through the real Next.js production server: HTTP statuses,
 * body limits, media types, a fuzz of thousands of generated bodies (only 4xx, never a 5xx, the
 * server stays up), and a paid call end to end over HTTP.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { privateKeyToAccount } from "viem/accounts";
import {
  brokerErrorSchema, cidOf, encodeVoucher, invokeThroughBroker, MAX_CONTENT_BYTES, REGISTRATION_TYPE, requestHash, signVoucher, BrokerError,
} from "../../protocol/src/index.ts";
import { buildWeb, webBuildIsStale, startWeb, type WebServer } from "../../scripts/lib/web.ts";
import { FsBlockstore } from "blockstore-fs";
import { importer } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import { LOCAL_STATE_DIR } from "../../scripts/lib/paths.ts";
import {
  createPricedAgent, DEV_KEYS, localContracts, makeEligible, openAgreement, startStack, startWorker, waitForLog, type Stack, type WorkerProcess,
} from "../support/stack.ts";

const PRICE = 1_000_000_000n;
const ref = { chainId: 31337, escrow: localContracts.AgreementEscrow.address };

const registrationFile = {
  type: REGISTRATION_TYPE,
  name: "Text tools",
  description: "Deterministic text utilities",
  services: [{ name: "MCP", endpoint: "https://worker.example/mcp", version: "2025-11-25" }],
  supportedTrust: ["tee-attestation", "reputation"],
  agentry: { tools: [{ name: "text_stats", description: "Counts words", inputSchema: { type: "object", properties: { text: { type: "string" } } }, price: "1000000000", tags: ["text"] }] },
};

describe("broker and content store over HTTP (Next.js production server)", { timeout: 900_000 }, () => {
  let stack: Stack;
  let web: WebServer;
  let worker: WorkerProcess;
  let dir: string;
  let agentId: bigint;

  const post = (pathname: string, body: NonNullable<RequestInit["body"]>, type = "application/json") =>
    fetch(new URL(pathname, web.url), { method: "POST", headers: { "content-type": type }, body });

  before(async () => {
    if (await webBuildIsStale(".next")) await buildWeb(".next");
    stack = await startStack();
    dir = await mkdtemp(path.join(tmpdir(), "agentry-http-"));
    const operatorKeyFile = path.join(dir, "operator-key");
    await writeFile(operatorKeyFile, `${DEV_KEYS[4]}\n`, { mode: 0o600 });
    agentId = await createPricedAgent(stack, stack.provider, PRICE);
    worker = await startWorker(stack, { args: ["--register", "true", "--operator-key-file", operatorKeyFile, "--content-dir", path.join(dir, "ipfs")] });
    await waitForLog(worker.logs, /"msg":"worker registered"/);
    await makeEligible(stack, agentId, stack.provider, worker.address);
    web = await startWeb(
      { AGENTRY_RPC_URL: stack.chain.url, AGENTRY_CHAIN_ID: "31337", AGENTRY_CONTENT_DIR: path.join(dir, "ipfs") },
      { distDir: ".next", logFile: path.join(LOCAL_STATE_DIR, "test-web-broker.log") },
    );
  });
  after(async () => {
    await web?.stop();
    await worker?.stop();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves a paid call end to end and the client library verifies the receipt", async () => {
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 2 });
    const args = { text: "one two three" };
    const voucher = await signVoucher(agreement.sessionKey, ref, { agreementId: agreement.id, calls: 1n, amount: PRICE, requestHash: requestHash({ agentId, toolName: "text_stats", arguments: args }) });
    const outcome = await invokeThroughBroker(web.url, ref, { agentId, tool: "text_stats", arguments: args, voucher });
    assert.equal(outcome.receipt.calls, 1n);
    assert.equal(outcome.worker.address.toLowerCase(), worker.address.toLowerCase());
    await assert.rejects(invokeThroughBroker(web.url, ref, { agentId, tool: "text_stats", arguments: args, voucher }), (e) => e instanceof BrokerError && e.status === 409);
  });

  it("answers bad requests with honest statuses and { error, reason, hint }", async () => {
    const cases: Array<[string, Response, number]> = [
      ["not JSON", await post("/api/invoke", "{nope"), 400],
      ["wrong shape", await post("/api/invoke", JSON.stringify({ agentId: 1 })), 400],
      ["wrong media type", await post("/api/invoke", "agentId=1", "application/x-www-form-urlencoded"), 415],
      ["too large", await post("/api/invoke", JSON.stringify({ pad: "x".repeat(300 * 1024) })), 413],
      ["unknown agreement", await post("/api/invoke", JSON.stringify({ agentId: agentId.toString(), tool: "text_stats", arguments: {}, voucher: encodeVoucher(await signVoucher(privateKeyToAccount(DEV_KEYS[2]!), ref, { agreementId: 9999n, calls: 1n, amount: PRICE, requestHash: requestHash({ agentId, toolName: "text_stats", arguments: {} }) })) })), 402],
    ];
    for (const [what, response, status] of cases) {
      assert.equal(response.status, status, what);
      const body = brokerErrorSchema.parse(await response.json());
      assert.ok(body.reason.length > 0 && body.hint.length > 0, what);
    }
  });

  it("stores registration files and evidence by CID, checks them, and serves them back", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(registrationFile));
    const created = await post("/api/ipfs", bytes);
    assert.equal(created.status, 201);
    const { cid, uri } = (await created.json()) as { cid: string; uri: string };
    assert.equal(cid, await cidOf(bytes), "the same CID an IPFS node gives these bytes");
    assert.equal(uri, `ipfs://${cid}`);
    const fetched = await fetch(new URL(`/ipfs/${cid}`, web.url));
    assert.equal(fetched.status, 200);
    assert.deepEqual(new Uint8Array(await fetched.arrayBuffer()), bytes);
    assert.match(fetched.headers.get("cache-control") ?? "", /immutable/);

    const invalid = await post("/api/ipfs", JSON.stringify({ ...registrationFile, agentry: { tools: [{ name: "bad name!", inputSchema: { type: "object" }, price: "1.5" }] } }));
    assert.equal(invalid.status, 400);
    const reason = (brokerErrorSchema.parse(await invalid.json())).reason;
    assert.match(reason, /agentry\.tools\.0\.name/);
    assert.match(reason, /agentry\.tools\.0\.price/);
    assert.equal((await post("/api/ipfs", new Uint8Array([1, 2, 3]), "application/octet-stream")).status, 400, "bytes that are not evidence");
    assert.equal((await post("/api/ipfs", "x", "text/plain")).status, 415);
    assert.equal((await post("/api/ipfs", new Uint8Array(4 * 1024 * 1024 + 1), "application/octet-stream")).status, 413);
    assert.equal((await fetch(new URL(`/ipfs/${await cidOf(new Uint8Array([42]))}`, web.url))).status, 404);
    assert.equal((await fetch(new URL("/ipfs/not-a-cid", web.url))).status, 400);

    // A directory in the store (as a Kubo node may hold): named, refused as a request, never a server error.
    const blocks = new FsBlockstore(path.join(dir, "ipfs"));
    await blocks.open();
    let directory: CID | undefined;
    for await (const entry of importer([{ path: "agent.json", content: bytes }], blocks, { wrapWithDirectory: true, cidVersion: 1, rawLeaves: true })) directory = entry.cid;
    await blocks.close();
    const listing = await fetch(new URL(`/ipfs/${directory}`, web.url));
    assert.equal(listing.status, 400);
    assert.match(brokerErrorSchema.parse(await listing.json()).reason, /is a directory, not a file/);
  });

  it("survives thousands of generated bodies with 4xx answers only", async () => {
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 1 });
    const voucher = encodeVoucher(await signVoucher(agreement.sessionKey, ref, { agreementId: agreement.id, calls: 1n, amount: PRICE, requestHash: requestHash({ agentId, toolName: "text_stats", arguments: { text: "a" } }) }));
    const valid = { agentId: agentId.toString(), tool: "text_stats", arguments: { text: "a" }, voucher };
    // Near-valid requests (one field replaced by anything), arbitrary JSON, and arbitrary text.
    const mutated = fc.record({ key: fc.constantFrom("agentId", "tool", "arguments", "voucher", "extra"), value: fc.jsonValue({ maxDepth: 3 }) })
      .map(({ key, value }) => JSON.stringify({ ...valid, [key]: value }));
    const voucherMutated = fc.record({ key: fc.constantFrom("agreementId", "calls", "amount", "requestHash", "signature"), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) })
      .map(({ key, value }) => JSON.stringify({ ...valid, voucher: { ...voucher, [key]: value } }));
    const bodies = fc.oneof(mutated, voucherMutated, fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 300 }));
    const samples = fc.sample(bodies, { numRuns: 2500, seed: 8004 });
    const statuses = new Map<number, number>();
    for (let i = 0; i < samples.length; i += 25) {
      const batch = await Promise.all(samples.slice(i, i + 25).map(async (body) => {
        const response = await post("/api/invoke", body);
        await response.arrayBuffer();
        return response.status;
      }));
      for (const status of batch) {
        assert.ok(status >= 400 && status < 500, `a generated body got HTTP ${status}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }
    assert.ok((statuses.get(400) ?? 0) > 100, `mostly malformed: ${JSON.stringify([...statuses])}`);
    // Still up and serving (a 429 from the per-address limit is an answer too).
    assert.ok([400, 429].includes((await post("/api/invoke", "{}")).status));
  });

  // Last: it spends this address's upload allowance.
  it("limits the bytes uploaded per client address, which X-Forwarded-For cannot change", async () => {
    const junk = new Uint8Array(MAX_CONTENT_BYTES).fill(7); // not evidence: refused, but counted
    const statuses: number[] = [];
    for (let i = 0; i < 5 && statuses.at(-1) !== 429; i++) {
      const response = await post("/api/ipfs", junk, "application/octet-stream");
      statuses.push(response.status);
      if (response.status === 429) {
        assert.ok(Number(response.headers.get("retry-after")) >= 1, "Retry-After says when");
        const error = brokerErrorSchema.parse(await response.json());
        assert.equal(error.error, "RATE_LIMITED");
        assert.match(error.reason, /too many bytes uploaded from this address \(127\.0\.0\.1\)/);
      } else {
        await response.arrayBuffer();
      }
    }
    assert.equal(statuses.at(-1), 429, `16 MiB per address: ${statuses.join(", ")}`);
    assert.ok(statuses.slice(0, -1).every((status) => status === 400), statuses.join(", "));
    // Another address claimed in the headers is not believed (no proxy is trusted by default).
    const spoofed = await fetch(new URL("/api/ipfs", web.url), {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "x-forwarded-for": "203.0.113.77", "x-agentry-client-address": "203.0.113.78" },
      body: junk,
    });
    assert.equal(spoofed.status, 429);
    assert.match(brokerErrorSchema.parse(await spoofed.json()).reason, /\(127\.0\.0\.1\)/);
  });
});
