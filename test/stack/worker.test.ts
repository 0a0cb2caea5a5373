/**
 * The worker node through the real stack: a hardhat node with the contracts, the worker as a
 * process, and the official SDK's MCP client paying with vouchers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { parseEventLogs, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  AgentryRpcError, agreementEscrowAbi, merkleRoot, parseReceipt, receiptDigest, RECEIPT_META_KEY, resultHash, verifyReceipt, VOUCHER_META_KEY,
} from "../../protocol/src/index.ts";
import {
  createPricedAgent, localContracts, mcpClient, openAgreement, paidCall, startStack, startWorker, type Stack, type WorkerProcess,
} from "../support/stack.ts";

const PRICE = 1_000_000_000n;
const ref = { chainId: 31337, escrow: localContracts.AgreementEscrow.address };

async function rpcCode(promise: Promise<unknown>): Promise<{ code: number; message: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof McpError, `expected an MCP error, got ${String(error)}`);
    return { code: error.code, message: error.message, data: (error.data ?? {}) as Record<string, unknown> };
  }
  assert.fail("expected the call to be rejected");
}

async function agreementOnChain(stack: Stack, id: bigint) {
  return stack.publicClient.readContract({ address: localContracts.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [id] });
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("worker node on the real stack", { timeout: 600_000 }, () => {
  let stack: Stack;
  let agentId: bigint;
  let worker: WorkerProcess;

  before(async () => {
    stack = await startStack();
    agentId = await createPricedAgent(stack, stack.provider, PRICE);
    worker = await startWorker(stack, { args: ["--redeem-threshold", "3", "--redeem-interval-ms", "600000"] });
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  it("lists tools for free, serves paid calls with verifiable receipts, and redeems them on-chain", async () => {
    const client = await mcpClient(worker.url);
    const { tools } = await client.listTools();
    for (const name of ["json_query", "regex_extract", "hash_encode", "convert_units", "csv_to_json", "text_stats"]) {
      assert.ok(tools.some((t) => t.name === name), `${name} listed`);
    }
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 10 });
    const digests: Hex[] = [];
    for (let calls = 1n; calls <= 6n; calls++) {
      const args = { operation: "hash", input: `hello ${calls}`, algorithm: "sha256" };
      const result = await paidCall(client, agreement, calls, "hash_encode", args);
      assert.notEqual(result.isError, true, JSON.stringify(result));
      const receipt = parseReceipt((result._meta as Record<string, unknown>)[RECEIPT_META_KEY]);
      await verifyReceipt(ref, receipt, { worker: worker.address, agreementId: agreement.id, calls, requestHash: receipt.requestHash, result });
      assert.equal(receipt.resultHash, resultHash(result));
      digests.push(receiptDigest(ref, receipt));
      // Threshold 3: the worker redeems without being asked, after call 3 and again after call 6.
      if (calls === 3n) await waitFor(() => agreementOnChain(stack, agreement.id), (a) => a.redeemedCalls === 3);
    }
    const onChain = await waitFor(() => agreementOnChain(stack, agreement.id), (a) => a.redeemedCalls === 6);
    assert.equal(onChain.redeemedAmount, 6n * PRICE);
    const logs = await stack.publicClient.getLogs({ address: localContracts.AgreementEscrow.address, fromBlock: 0n });
    const redeemed = parseEventLogs({ abi: agreementEscrowAbi, logs, eventName: "Redeemed" }).filter((e) => e.args.agreementId === agreement.id);
    assert.equal(redeemed.length, 2);
    // The second root, grown from the first redemption's tree, is the root of all six receipts.
    assert.equal(redeemed[0]!.args.receiptsRoot, merkleRoot(digests.slice(0, 3)));
    assert.equal(redeemed[1]!.args.receiptsRoot, merkleRoot(digests));
    assert.equal(redeemed[0]!.args.paid + redeemed[1]!.args.paid, 6n * PRICE);
    await client.close();
  });

  it("rejects every bad voucher with an MCP error naming the problem, and charges nothing", async () => {
    const client = await mcpClient(worker.url);
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 2, maxCalls: 3 });
    const args = { csv: "a,b\n1,2" };
    const tool = "csv_to_json";

    const missing = await rpcCode(client.callTool({ name: tool, arguments: args }));
    assert.equal(missing.code, AgentryRpcError.VOUCHER_MISSING);
    assert.match(missing.message, /agentry\/voucher/);

    const malformed = await rpcCode(client.callTool({ name: tool, arguments: args, _meta: { [VOUCHER_META_KEY]: { agreementId: "x" } } }));
    assert.equal(malformed.code, AgentryRpcError.VOUCHER_MALFORMED);
    assert.match(malformed.message, /agreementId/);

    const wrongIndex = await rpcCode(paidCall(client, agreement, 0n, tool, args));
    assert.equal(wrongIndex.code, AgentryRpcError.WRONG_CALL_INDEX);
    assert.equal(wrongIndex.data.expectedCalls, "1");

    const wrongAmount = await rpcCode(paidCall(client, agreement, 1n, tool, args, { amount: PRICE - 1n }));
    assert.equal(wrongAmount.code, AgentryRpcError.WRONG_AMOUNT);

    const wrongRequest = await rpcCode(paidCall(client, agreement, 1n, tool, args, { requestArgs: { text: "other" } }));
    assert.equal(wrongRequest.code, AgentryRpcError.WRONG_REQUEST);

    const stranger = await rpcCode(paidCall(client, agreement, 1n, tool, args, { signer: privateKeyToAccount(generatePrivateKey()) }));
    assert.equal(stranger.code, AgentryRpcError.VOUCHER_SIGNATURE);
    assert.match(stranger.message, /neither the client nor the current session key/);

    const unknownAgreement = await rpcCode(paidCall(client, { ...agreement, id: 999_999n }, 1n, tool, args));
    assert.equal(unknownAgreement.code, AgentryRpcError.AGREEMENT_UNUSABLE);
    assert.match(unknownAgreement.message, /does not exist/);

    const unknownTool = await rpcCode(paidCall(client, agreement, 1n, "no_such_tool", args));
    assert.match(unknownTool.message, /unknown tool "no_such_tool"/);

    // A tool error (bad input found while running) is returned but not charged either.
    const toolError = await paidCall(client, agreement, 1n, "regex_extract", { text: "x", pattern: "(" });
    assert.equal(toolError.isError, true);
    assert.equal((toolError._meta as Record<string, unknown> | undefined)?.[RECEIPT_META_KEY], undefined);

    // None of the above consumed call 1: it still works, then 2 works, then the deposit is exhausted.
    assert.notEqual((await paidCall(client, agreement, 1n, tool, args)).isError, true);
    assert.notEqual((await paidCall(client, agreement, 2n, tool, args)).isError, true);
    const exhausted = await rpcCode(paidCall(client, agreement, 3n, tool, args));
    assert.equal(exhausted.code, AgentryRpcError.AGREEMENT_UNUSABLE);
    assert.match(exhausted.message, /covers 2 calls; top it up/);
    await client.close();
  });

  it("refuses closed and expired agreements", async () => {
    const client = await mcpClient(worker.url);
    const closed = await openAgreement(stack, agentId, PRICE, { calls: 2 });
    const closeTx = await stack.publicClient.waitForTransactionReceipt({
      hash: await stack.wallet(stack.provider).writeContract({ address: localContracts.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "close", args: [closed.id], account: stack.provider, chain: null }),
    });
    assert.equal(closeTx.status, "success");
    assert.equal((await agreementOnChain(stack, closed.id)).closed, true);
    const closedError = await rpcCode(paidCall(client, closed, 1n, "text_stats", { text: "hi" }).then((r) => {
      throw new Error(`served a closed agreement: ${JSON.stringify(r)}`);
    }));
    assert.equal(closedError.code, AgentryRpcError.AGREEMENT_UNUSABLE);
    assert.match(closedError.message, /closed/);

    const expiring = await openAgreement(stack, agentId, PRICE, { calls: 2, ttlSeconds: 2 });
    await new Promise((r) => setTimeout(r, 3_000));
    await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const expired = await rpcCode(paidCall(client, expiring, 1n, "text_stats", { text: "hi" }));
    assert.equal(expired.code, AgentryRpcError.AGREEMENT_UNUSABLE);
    assert.match(expired.message, /expired/);
    await client.close();
  });

  it("serves /healthz, /metrics, /receipts and refuses oversized or malformed bodies", async () => {
    const health = (await (await fetch(`${worker.baseUrl}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(health.status, "ok");
    assert.equal(health.worker, worker.address);
    assert.equal(health.attested, false);
    const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
    assert.match(metrics, /agentry_worker_calls_total\{tool="hash_encode",outcome="paid"\} 6/);
    assert.match(metrics, /agentry_worker_redemptions_total\{result="success"\} 2/);
    assert.match(metrics, /agentry_worker_store_rows_total (\d+)/);
    assert.ok(Number(/agentry_worker_store_commits_total (\d+)/.exec(metrics)?.[1]) >= 1, "commits are counted");
    assert.match(metrics, /agentry_worker_errors_total\{reason="WRONG_CALL_INDEX"\} \d+/);
    assert.match(metrics, /agentry_worker_call_duration_seconds_count \d+/);
    assert.match(metrics, /agentry_worker_vouchers_awaiting_redemption \d+/);
    const receipts = (await (await fetch(`${worker.baseUrl}/receipts/1`)).json()) as { lastCalls: number; receipts: unknown[] };
    assert.equal(receipts.lastCalls, 6);
    assert.equal(receipts.receipts.length, 6);
    const page = (await (await fetch(`${worker.baseUrl}/receipts/1?from=2&to=3`)).json()) as { receipts: { calls: number }[] };
    assert.deepEqual(page.receipts.map((r) => r.calls), [2, 3]);
    for (const query of ["from=abc", "to=-1", "from=1e3", `to=${"9".repeat(20)}`]) {
      const refused = await fetch(`${worker.baseUrl}/receipts/1?${query}`);
      assert.equal(refused.status, 400, query);
      assert.match(((await refused.json()) as { error: string }).error, /must be call indexes/);
    }

    const big = await fetch(worker.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(2_000_000) }) });
    assert.equal(big.status, 413);
    const notJson = await fetch(worker.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    assert.equal(notJson.status, 400);
    const get = await fetch(worker.url);
    assert.equal(get.status, 405);
    assert.equal((await fetch(`${worker.baseUrl}/healthz`)).status, 200, "the worker is still up");
  });
});

describe("worker node: fronting, shutdown and crashes", { timeout: 600_000 }, () => {
  let stack: Stack;
  let agentId: bigint;

  before(async () => {
    stack = await startStack();
    agentId = await createPricedAgent(stack, stack.provider, PRICE);
  });
  after(async () => stack?.stop());

  it("fronts an existing stdio MCP server: its tools are listed and paid like the worker's own", async () => {
    const worker = await startWorker(stack, { args: ["--upstream-command", "node_modules/.bin/tsx test/fixtures/upper-mcp-server.ts"] });
    try {
      const client = await mcpClient(worker.url);
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === "shout"));
      assert.ok(tools.some((t) => t.name === "json_query"));
      const agreement = await openAgreement(stack, agentId, PRICE, { calls: 5 });
      const result = await paidCall(client, agreement, 1n, "shout", { text: "paid upstream" });
      assert.deepEqual(result.content, [{ type: "text", text: "PAID UPSTREAM" }]);
      const receipt = parseReceipt((result._meta as Record<string, unknown>)[RECEIPT_META_KEY]);
      await verifyReceipt(ref, receipt, { worker: worker.address, agreementId: agreement.id, calls: 1n, requestHash: receipt.requestHash, result });
      const missing = await rpcCode(client.callTool({ name: "shout", arguments: { text: "free?" } }));
      assert.equal(missing.code, AgentryRpcError.VOUCHER_MISSING);
      await client.close();
    } finally {
      await worker.stop();
    }
  });

  it("shuts down gracefully: in-flight calls finish and every served call is redeemed before exit", async () => {
    const worker = await startWorker(stack, { args: ["--redeem-threshold", "1000"] });
    const client = await mcpClient(worker.url);
    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 20 });
    for (let calls = 1n; calls <= 5n; calls++) await paidCall(client, agreement, calls, "text_stats", { text: `call ${calls}` });
    const inFlight = paidCall(client, agreement, 6n, "text_stats", { text: "in flight" });
    await new Promise((r) => setTimeout(r, 5));
    const exit = worker.stop();
    const last = await inFlight.then((r) => r, (e: unknown) => e);
    assert.equal(await exit, 0);
    const served = last instanceof McpError ? 5n : 6n;
    if (last instanceof McpError) assert.equal(last.code, AgentryRpcError.SHUTTING_DOWN);
    const onChain = await agreementOnChain(stack, agreement.id);
    assert.equal(onChain.redeemedCalls, Number(served));
    assert.match(worker.logs(), /"msg":"redeemed"/);
    await client.close().catch(() => undefined);
  });

  it("survives kill -9 under load: no receipt lost, nothing redeemed twice, clients continue from the right index", async () => {
    const agreements = [];
    for (let i = 0; i < 4; i++) agreements.push(await openAgreement(stack, agentId, PRICE, { calls: 400 }));
    const worker = await startWorker(stack, { args: ["--redeem-threshold", "40", "--redeem-interval-ms", "500"] });
    const received = new Map<bigint, Map<bigint, string>>(agreements.map((a) => [a.id, new Map()]));
    let killed = false;
    const loops = agreements.map(async (agreement) => {
      const client = await mcpClient(worker.url);
      for (let calls = 1n; ; calls++) {
        try {
          const result = await paidCall(client, agreement, calls, "json_query", { path: "$.n", document: { n: Number(calls) } });
          assert.notEqual(result.isError, true, JSON.stringify(result.content));
          received.get(agreement.id)!.set(calls, JSON.stringify((result._meta as Record<string, unknown>)[RECEIPT_META_KEY]));
        } catch (error) {
          if (killed) return; // the worker died mid-call, as intended
          throw error;
        }
      }
    });
    try {
      await Promise.race([
        waitFor(async () => [...received.values()].reduce((n, m) => n + m.size, 0), (n) => n >= 150, 120_000),
        ...loops.map((l) => l.then(() => assert.fail("a client stopped before the kill"))),
      ]);
    } finally {
      killed = true;
      await worker.kill();
    }
    await Promise.all(loops);

    const restarted = await startWorker(stack, { dataDir: worker.dataDir, args: ["--redeem-threshold", "1000000", "--redeem-interval-ms", "600000"] });
    try {
      const client = await mcpClient(restarted.url);
      for (const agreement of agreements) {
        const got = received.get(agreement.id)!;
        const stored = (await (await fetch(`${restarted.baseUrl}/receipts/${agreement.id}`)).json()) as { lastCalls: number; receipts: { calls: number; receipt: unknown }[] };
        // No receipt lost: every receipt a client received is in the worker's store, unchanged.
        for (const [calls, receipt] of got) {
          const row = stored.receipts.find((r) => BigInt(r.calls) === calls);
          assert.ok(row, `receipt ${calls} of agreement ${agreement.id} lost`);
          assert.equal(JSON.stringify(row.receipt), receipt);
        }
        // The store holds exactly the received calls, plus at most the one whose answer the kill cut off.
        assert.ok(stored.lastCalls === got.size || stored.lastCalls === got.size + 1, `stored ${stored.lastCalls}, received ${got.size}`);
        // The client's next call continues from the right index.
        let next = BigInt(got.size + 1);
        const retry = await paidCall(client, agreement, next, "json_query", { path: "$.n", document: { n: Number(next) } }).catch((e: unknown) => e);
        if (retry instanceof McpError) {
          assert.equal(retry.code, AgentryRpcError.WRONG_CALL_INDEX, retry.message);
          assert.equal(retry.data && (retry.data as { expectedCalls: string }).expectedCalls, String(next + 1n));
          next += 1n;
          assert.notEqual((await paidCall(client, agreement, next, "json_query", { path: "$.n", document: { n: 1 } })).isError, true);
        }
      }
      await client.close();
    } finally {
      assert.equal(await restarted.stop(), 0);
    }
    // Everything served is redeemed exactly once: Redeemed events strictly increase and sum to the calls.
    const logs = await stack.publicClient.getLogs({ address: localContracts.AgreementEscrow.address, fromBlock: 0n });
    const events = parseEventLogs({ abi: agreementEscrowAbi, logs, eventName: "Redeemed" });
    for (const agreement of agreements) {
      const mine = events.filter((e) => e.args.agreementId === agreement.id);
      const onChain = await agreementOnChain(stack, agreement.id);
      let previous = 0;
      let paid = 0n;
      for (const e of mine) {
        assert.ok(e.args.calls! > previous, "a redemption repeated calls");
        previous = e.args.calls!;
        paid += e.args.paid!;
      }
      assert.equal(paid, BigInt(onChain.redeemedCalls) * PRICE);
      assert.ok(onChain.redeemedCalls >= received.get(agreement.id)!.size, "served calls left unredeemed");
    }
  });
});
