/**
 * The broker (web/lib/broker) on the real stack: a hardhat node with the contracts, worker
 * processes registered on-chain with their evidence in a real content store, and misbehaving
 * workers. The broker runs in this process, exactly as the API route runs it; the HTTP layer is
 * tested through the Next.js server in broker-http.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { json } from "node:stream/consumers";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256, stringToBytes, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import {
  BrokerError, encodeVoucher, parseReceipt, requestHash, signVoucher, verifyReceipt, workerRegistryAbi, workerRegistrationTypes,
  workerRegistryDomain, encodeEvidence, ipfsUri, TeeType, type SignedVoucher, SubgraphError, isSubgraphError, approvedWorkerAddresses,
} from "../../protocol/src/index.ts";
import { openContentStore, type ContentStore } from "../../protocol/src/content/store.ts";
import { createBroker, type Broker } from "../../web/lib/broker/broker.ts";
import { MemoryRateLimiter } from "../../web/lib/rate-limit.ts";
import { rankWorkers, WorkerHealth } from "../../web/lib/broker/routing.ts";
import { subgraphCandidates, SUBGRAPH_MAX_LAG_BLOCKS, WorkerDirectory, type CandidateSource } from "../../web/lib/broker/workers.ts";
import { registerWorker } from "../../worker/src/register.ts";
import { DevProvider } from "../../worker/src/attestation/dev.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import {
  createPricedAgent, DEV_KEYS, localContracts, makeEligible, openAgreement, startStack, startWorker, waitForLog,
  type Agreement, type Stack, type WorkerProcess,
} from "../support/stack.ts";

const PRICE = 1_000_000_000n;
const ref = { chainId: 31337, escrow: localContracts.AgreementEscrow.address };
const ARGS = { document: { a: [1, 2, 3] }, path: "$.a[1]" };

interface Logged {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

describe("broker on the real stack", { timeout: 900_000 }, () => {
  let stack: Stack;
  let dir: string;
  let content: ContentStore;
  let operatorKeyFile: string;
  const operator = privateKeyToAccount(DEV_KEYS[4]!);
  const workers: WorkerProcess[] = [];
  const rogues: ChildProcessWithoutNullStreams[] = [];
  const logs: Logged[] = [];
  let agentId: bigint;

  function newBroker(overrides: { callTimeoutMs?: number; perAgreement?: MemoryRateLimiter; perClient?: MemoryRateLimiter; perIp?: MemoryRateLimiter } = {}): Broker {
    const directory = new WorkerDirectory({
      publicClient: stack.publicClient, chainId: 31337, content, cacheMs: 0, evidenceCacheMs: 60_000, allowDev: true,
      log: (message, fields) => logs.push({ level: "warn", message, fields }),
    });
    const open = () => new MemoryRateLimiter({ ratePerSecond: 1000, burst: 1000 });
    return createBroker({
      publicClient: stack.publicClient, chainId: 31337, directory, callTimeoutMs: overrides.callTimeoutMs ?? 10_000, agreementCacheMs: 0,
      limits: { perAgreement: overrides.perAgreement ?? open(), perClient: overrides.perClient ?? open(), perIp: overrides.perIp ?? open() },
      health: new WorkerHealth({ failureBackoffMs: 60_000, maxInFlight: 64 }),
      log: (level, message, fields) => logs.push({ level, message, fields }),
    });
  }

  async function startRegisteredWorker(): Promise<WorkerProcess> {
    const worker = await startWorker(stack, { args: ["--register", "true", "--operator-key-file", operatorKeyFile, "--content-dir", path.join(dir, "ipfs")] });
    workers.push(worker);
    await waitForLog(worker.logs, /"msg":"worker registered"/);
    return worker;
  }

  /** A rogue MCP server registered on-chain with DEV evidence for its key. */
  async function startRogue(mode: "forged" | "mismatched" | "hang"): Promise<Address> {
    const key = generatePrivateKey();
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/rogue-worker.ts", mode], { cwd: ROOT, env: { ...process.env, ROGUE_KEY: key } }) as ChildProcessWithoutNullStreams;
    rogues.push(child);
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const [, url] = await waitForLog(() => out, /listening (\S+)/);
    await registerWorker({
      publicClient: stack.publicClient, operator: stack.wallet(operator), workerPrivateKey: key, provider: new DevProvider(),
      store: content, endpoint: url!, validitySeconds: 86_400,
    });
    return privateKeyToAccount(key).address;
  }

  async function voucherFor(agreement: Agreement, calls: bigint, tool = "json_query", args: Record<string, unknown> = ARGS, signer: PrivateKeyAccount = agreement.sessionKey, amount?: bigint): Promise<SignedVoucher> {
    return signVoucher(signer, ref, { agreementId: agreement.id, calls, amount: amount ?? calls * agreement.price, requestHash: requestHash({ agentId: agreement.agentId, toolName: tool, arguments: args }) });
  }

  function body(agreement: Agreement, voucher: SignedVoucher, tool = "json_query", args: Record<string, unknown> = ARGS) {
    return { agentId: agreement.agentId.toString(), tool, arguments: args, voucher: encodeVoucher(voucher) };
  }

  async function rejects(promise: Promise<unknown>, code: string, status: number, pattern?: RegExp): Promise<BrokerError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof BrokerError, `expected a BrokerError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.status, status);
      assert.ok(error.hint.length > 0, "every error says what to do");
      if (pattern) assert.match(error.message, pattern);
      return error;
    }
    assert.fail(`expected ${code}`);
  }

  before(async () => {
    stack = await startStack();
    dir = await mkdtemp(path.join(tmpdir(), "agentry-broker-"));
    content = await openContentStore(path.join(dir, "ipfs"));
    operatorKeyFile = path.join(dir, "operator-key");
    await writeFile(operatorKeyFile, `${DEV_KEYS[4]}\n`, { mode: 0o600 });
    const funder = privateKeyToAccount(DEV_KEYS[3]!);
    agentId = await createPricedAgent(stack, stack.provider, PRICE);
    const [a, b] = [await startRegisteredWorker(), await startRegisteredWorker()];
    await makeEligible(stack, agentId, stack.provider, a.address);
    await makeEligible(stack, agentId, stack.provider, b.address);
    void funder;
  });
  after(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    for (const r of rogues) r.kill("SIGKILL");
    await content?.close();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs a paid call on an eligible worker and returns the result with a receipt that verifies", async () => {
    const broker = newBroker();
    const agreement = await openAgreement(stack, agentId, PRICE);
    const voucher = await voucherFor(agreement, 1n);
    const response = await broker.invoke(body(agreement, voucher), { ip: "test" });
    const answer = (response.result.structuredContent ?? JSON.parse(String((response.result.content?.[0] as { text: string }).text))) as { matches: { value: unknown }[] };
    assert.equal(answer.matches[0]?.value, 2, "the tool really ran on these arguments");
    const receipt = parseReceipt(response.receipt);
    await verifyReceipt(ref, receipt, { worker: response.worker.address as Address, agreementId: agreement.id, calls: 1n, requestHash: voucher.requestHash, result: response.result });
    assert.ok(workers.some((w) => w.address.toLowerCase() === response.worker.address.toLowerCase()));
    await broker.close();
  });

  it("keeps an agreement on one worker (the same on every broker instance), and fails over with the same voucher when it dies", async () => {
    const [first, second] = [newBroker(), newBroker()];
    const agreement = await openAgreement(stack, agentId, PRICE);
    const served: string[] = [];
    for (let calls = 1n; calls <= 4n; calls++) {
      const broker = calls % 2n ? first : second;
      served.push((await broker.invoke(body(agreement, await voucherFor(agreement, calls)), { ip: "test" })).worker.address.toLowerCase());
    }
    assert.equal(new Set(served).size, 1, "every call of the agreement went to the same worker, whichever broker sent it");
    const chosen = workers.find((w) => w.address.toLowerCase() === served[0])!;
    await chosen.kill(); // kill -9: its calls 1..4 are unredeemed
    const response = await first.invoke(body(agreement, await voucherFor(agreement, 5n)), { ip: "test" });
    assert.notEqual(response.worker.address.toLowerCase(), served[0], "the call went to the other worker");
    const receipt = parseReceipt(response.receipt);
    assert.equal(receipt.calls, 5n);
    assert.ok(logs.some((l) => l.message.includes("failed before answering") && String(l.fields?.worker).toLowerCase() === served[0]));
    workers.splice(workers.indexOf(chosen), 1);
    workers.push(await startRegisteredWorker()); // the agent keeps two workers for the next tests
    await makeEligible(stack, agentId, stack.provider, workers.at(-1)!.address);
    await first.close();
    await second.close();
  });

  it("refuses a forged or mismatched receipt, reports the worker, and serves the call on an honest one", async () => {
    const rogueAgent = await createPricedAgent(stack, stack.provider, PRICE);
    const forged = await startRogue("forged");
    const mismatched = await startRogue("mismatched");
    for (const w of [forged, mismatched, workers[0]!.address]) await makeEligible(stack, rogueAgent, stack.provider, w);
    // Open agreements until both rogues rank ahead of the honest worker, so the broker meets them first.
    const candidates = [{ address: forged }, { address: mismatched }, { address: workers[0]!.address }];
    let agreement: Agreement;
    do agreement = await openAgreement(stack, rogueAgent, PRICE, { calls: 2 });
    while (rankWorkers(agreement.id, candidates, new WorkerHealth({ failureBackoffMs: 1, maxInFlight: 1 }))[2]!.address !== workers[0]!.address);
    const broker = newBroker();
    const response = await broker.invoke(body(agreement, await voucherFor(agreement, 1n)), { ip: "test" });
    assert.equal(response.worker.address.toLowerCase(), workers[0]!.address.toLowerCase());
    const refused = logs.filter((l) => l.message.includes("does not verify; refused")).map((l) => String(l.fields?.worker).toLowerCase());
    assert.ok(refused.includes(forged.toLowerCase()) && refused.includes(mismatched.toLowerCase()), `both rogues reported: ${refused.join(", ")}`);

    // With only rogues approved, the call fails honestly.
    const onlyRogue = await createPricedAgent(stack, stack.provider, PRICE);
    await makeEligible(stack, onlyRogue, stack.provider, forged);
    const lonely = await openAgreement(stack, onlyRogue, PRICE, { calls: 1 });
    await rejects(newBroker().invoke(body(lonely, await voucherFor(lonely, 1n)), { ip: "test" }), "BAD_RECEIPT", 502);
    await broker.close();
  });

  it("never chooses a worker whose evidence does not match its registered (and pinned) measurement", async () => {
    const agent = await createPricedAgent(stack, stack.provider, PRICE);
    // Registered on-chain with a measurement its DEV evidence does not report.
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const cid = await content.put(encodeEvidence({ tee: "DEV", key: account.address }));
    const measurement = keccak256(stringToBytes("some other code"));
    const expiresAt = (await stack.publicClient.getBlock()).timestamp + 86_400n;
    const message = { worker: account.address, operator: operator.address, teeType: TeeType.DEV, measurement, evidenceURI: ipfsUri(cid), endpoint: workers[0]!.url, expiresAt };
    const signature = await account.signTypedData({ domain: workerRegistryDomain(31337, localContracts.WorkerRegistry.address), types: workerRegistrationTypes, primaryType: "WorkerRegistration", message });
    await stack.publicClient.waitForTransactionReceipt({
      hash: await stack.wallet(operator).writeContract({ address: localContracts.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "registerWorker", args: [account.address, TeeType.DEV, measurement, message.evidenceURI, message.endpoint, expiresAt, signature], account: operator, chain: null }),
    });
    await makeEligible(stack, agent, stack.provider, account.address);
    const eligible = await stack.publicClient.readContract({ address: localContracts.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "isEligible", args: [agent, account.address] });
    assert.equal(eligible, true, "on-chain it is eligible: only the evidence tells");
    const agreement = await openAgreement(stack, agent, PRICE, { calls: 1 });
    await rejects(newBroker().invoke(body(agreement, await voucherFor(agreement, 1n)), { ip: "test" }), "NO_WORKER", 502, /no eligible worker/);
    assert.ok(logs.some((l) => l.message.includes("evidence does not verify") && /MEASUREMENT_MISMATCH/.test(String(l.fields?.reason))));
  });

  it("finds workers through the subgraph, and reads the chain when it is down, lags, or has not indexed an approval", async () => {
    const directory = (candidates: CandidateSource) =>
      new WorkerDirectory({
        publicClient: stack.publicClient, chainId: 31337, content, candidates, cacheMs: 0, evidenceCacheMs: 60_000, allowDev: true,
        log: (message, fields) => logs.push({ level: "warn", message, fields }),
      });
    // Every worker approved for the agent on-chain (the two live ones and the one killed earlier, still registered).
    const approved = (await approvedWorkerAddresses(stack.publicClient, 31337, agentId)).map((a) => a.toLowerCase()).sort();
    for (const w of workers) assert.ok(approved.includes(w.address.toLowerCase()));
    const found = async (candidates: CandidateSource) => (await directory(candidates).eligible(agentId)).map((w) => w.address.toLowerCase()).sort();
    const asked: bigint[] = [];

    // The index answers: its candidates are used (each still checked on-chain), the chain's logs are not read.
    const logsBefore = logs.length;
    assert.deepEqual(await found(async (agent) => (asked.push(agent), [workers[0]!.address])), [workers[0]!.address.toLowerCase()]);
    assert.deepEqual(asked, [agentId]);
    assert.equal(logs.length, logsBefore, "no fallback when the index has an eligible worker");

    // Down or behind the head (what subgraphCandidates throws for either): the chain's approvals.
    assert.deepEqual(await found(async () => { throw new SubgraphError("lagging", "http://subgraph.invalid", "the subgraph has indexed up to block 3, not yet block 40"); }), approved);
    assert.ok(logs.slice(logsBefore).some((l) => l.message.includes("subgraph unavailable") && /block 3/.test(String(l.fields?.error))));

    // Answers, but without the newest approvals (or only with workers no longer eligible): the chain decides.
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    assert.deepEqual(await found(async () => []), approved);
    assert.deepEqual(await found(async () => [stranger]), approved);
    assert.ok(logs.some((l) => l.message.includes("proposes no eligible worker")));
  });

  it("asks the subgraph for the agent's workers as of the chain head", async () => {
    // A subgraph that records the query and answers as graph-node does for an index that is behind.
    const bodies: { variables?: { block?: { number_gte?: number } } }[] = [];
    const server = createServer(async (req, res) => {
      bodies.push((await json(req)) as (typeof bodies)[number]);
      const wanted = bodies.at(-1)!.variables?.block?.number_gte ?? 0;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ message: `Failed to decode \`block.number_gte\` value: \`subgraph QmTest has only indexed up to block number 3 and data for block number ${wanted} is therefore not yet available\`` }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const source = subgraphCandidates(`http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/agentry`, stack.publicClient);
      const headBefore = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
      await assert.rejects(source(agentId), (error: unknown) => isSubgraphError(error, "lagging"));
      const headAfter = await stack.publicClient.getBlockNumber({ cacheTime: 0 }); // the workers may redeem meanwhile
      const asked = BigInt(bodies[0]!.variables?.block?.number_gte ?? -1);
      assert.ok(asked >= headBefore - SUBGRAPH_MAX_LAG_BLOCKS && asked <= headAfter - SUBGRAPH_MAX_LAG_BLOCKS, `asked for block ${asked}, head ${headBefore}..${headAfter}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("answers every error with its code, status, reason and hint, and charges nothing", async () => {
    const broker = newBroker();
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 3 });
    const good = await voucherFor(agreement, 1n);
    await rejects(broker.invoke({ agentId: "x" }, { ip: "t" }), "MALFORMED_REQUEST", 400, /agentId/);
    await rejects(broker.invoke({ ...body(agreement, good), extra: 1 }, { ip: "t" }), "MALFORMED_REQUEST", 400);
    await rejects(broker.invoke(body(agreement, good, "json_query", { other: true }), { ip: "t" }), "WRONG_REQUEST", 400);
    await rejects(broker.invoke({ ...body(agreement, good), agentId: "999999" }, { ip: "t" }), "WRONG_REQUEST", 400);
    const otherAgent = await createPricedAgent(stack, stack.provider, PRICE);
    const forOther = await signVoucher(agreement.sessionKey, ref, { agreementId: agreement.id, calls: 1n, amount: PRICE, requestHash: requestHash({ agentId: otherAgent, toolName: "json_query", arguments: ARGS }) });
    await rejects(broker.invoke({ ...body(agreement, forOther), agentId: otherAgent.toString() }, { ip: "t" }), "NOT_ALLOWED", 403);
    const ghost = await signVoucher(agreement.sessionKey, ref, { agreementId: agreement.id, calls: 1n, amount: PRICE, requestHash: requestHash({ agentId: 424242n, toolName: "json_query", arguments: ARGS }) });
    await rejects(broker.invoke({ ...body(agreement, ghost), agentId: "424242" }, { ip: "t" }), "UNKNOWN_AGENT", 404);
    await rejects(broker.invoke(body(agreement, await voucherFor(agreement, 1n, "no_such_tool", {}), "no_such_tool", {}), { ip: "t" }), "UNKNOWN_TOOL", 404);
    await rejects(broker.invoke(body(agreement, await voucherFor(agreement, 1n, undefined, undefined, undefined, 5n)), { ip: "t" }), "VOUCHER_DOES_NOT_PAY", 402, /amount/);
    const stranger = privateKeyToAccount(generatePrivateKey());
    await rejects(broker.invoke(body(agreement, await voucherFor(agreement, 1n, undefined, undefined, stranger)), { ip: "t" }), "VOUCHER_DOES_NOT_PAY", 402);
    const missing = await signVoucher(agreement.sessionKey, ref, { ...good, agreementId: 10_000n });
    await rejects(broker.invoke(body({ ...agreement, id: 10_000n }, missing), { ip: "t" }), "VOUCHER_DOES_NOT_PAY", 402, /does not exist/);
    // Nothing above consumed call 1.
    await broker.invoke(body(agreement, good), { ip: "t" });
    const replay = await rejects(broker.invoke(body(agreement, good), { ip: "t" }), "WRONG_CALL_INDEX", 409);
    assert.equal(replay.details?.expectedCalls, "2");
    const noWorkers = await createPricedAgent(stack, stack.provider, PRICE);
    const lonely = await openAgreement(stack, noWorkers, PRICE, { calls: 1 });
    await rejects(broker.invoke(body(lonely, await voucherFor(lonely, 1n)), { ip: "t" }), "NO_WORKER", 502);
    await broker.close();
  });

  it("rate-limits per agreement", async () => {
    const broker = newBroker({ perAgreement: new MemoryRateLimiter({ ratePerSecond: 0.001, burst: 2 }) });
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 5 });
    await broker.invoke(body(agreement, await voucherFor(agreement, 1n)), { ip: "t" });
    await broker.invoke(body(agreement, await voucherFor(agreement, 2n)), { ip: "t" });
    const limited = await rejects(broker.invoke(body(agreement, await voucherFor(agreement, 3n)), { ip: "t" }), "RATE_LIMITED", 429);
    assert.ok(Number(limited.details?.retryAfterMs) > 0);
    // Another agreement is not affected.
    const other = await openAgreement(stack, agentId, PRICE, { calls: 1 });
    await broker.invoke(body(other, await voucherFor(other, 1n)), { ip: "t" });
    await broker.close();
  });

  it("rate-limits per client address, across that client's agreements", async () => {
    const broker = newBroker({ perClient: new MemoryRateLimiter({ ratePerSecond: 0.001, burst: 2 }) });
    const first = await openAgreement(stack, agentId, PRICE, { calls: 5 });
    const second = await openAgreement(stack, agentId, PRICE, { calls: 5, client: first.client });
    await broker.invoke(body(first, await voucherFor(first, 1n)), { ip: "t" });
    await broker.invoke(body(second, await voucherFor(second, 1n)), { ip: "t" });
    const limited = await rejects(broker.invoke(body(first, await voucherFor(first, 2n)), { ip: "t" }), "RATE_LIMITED", 429, new RegExp(`client ${first.client.address}`));
    assert.ok(Number(limited.details?.retryAfterMs) > 0);
    // Another client is not affected.
    const other = await openAgreement(stack, agentId, PRICE, { calls: 1 });
    await broker.invoke(body(other, await voucherFor(other, 1n)), { ip: "t" });
    await broker.close();
    // The refused call charged nothing: call 2 is still the next one (another broker instance, not limited, serves it).
    const unlimited = newBroker();
    const served = await unlimited.invoke(body(first, await voucherFor(first, 2n)), { ip: "t" });
    assert.equal(served.receipt.calls, "2");
    await unlimited.close();
  });

  it("rate-limits per caller IP before any other work", async () => {
    const broker = newBroker({ perIp: new MemoryRateLimiter({ ratePerSecond: 0.001, burst: 1 }) });
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 5 });
    await broker.invoke(body(agreement, await voucherFor(agreement, 1n)), { ip: "198.51.100.7" });
    // Even a malformed body is refused as rate-limited: the limit comes before parsing.
    await rejects(broker.invoke({ garbage: true }, { ip: "198.51.100.7" }), "RATE_LIMITED", 429, /198\.51\.100\.7/);
    await broker.invoke(body(agreement, await voucherFor(agreement, 2n)), { ip: "198.51.100.8" });
    await broker.close();
  });

  it("times out on a worker that never answers, without charging", async () => {
    const agent = await createPricedAgent(stack, stack.provider, PRICE);
    await makeEligible(stack, agent, stack.provider, await startRogue("hang"));
    const agreement = await openAgreement(stack, agent, PRICE, { calls: 1 });
    const broker = newBroker({ callTimeoutMs: 1_000 });
    await rejects(broker.invoke(body(agreement, await voucherFor(agreement, 1n)), { ip: "t" }), "TIMEOUT", 504);
    await broker.close();
  });
});

