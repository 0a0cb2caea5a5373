/**
 * The `agentry` CLI against the real stack: a hardhat node with the contracts, a worker registered
 * and made eligible, the agent's registration file in the content store, the subgraph runner
 * indexing it, and the dApp's Next.js server as the broker. Every command runs as a process, the
 * way a user runs it; `agentry mcp` is driven by the MCP SDK's stdio client and by the MCP Inspector.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther, zeroAddress, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  agentRegistryAbi, agreementEscrowAbi, createSubgraphClient, ipfsUri, parseReceipt, REGISTRATION_TYPE, RECEIPT_META_KEY, verifyReceipt,
} from "../../protocol/src/index.ts";
import { openContentStore } from "../../protocol/src/content/store.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import { startChain } from "../../scripts/lib/chain.ts";
import { buildWeb, webBuildIsStale, startWeb, type WebServer } from "../../scripts/lib/web.ts";
import {
  DEV_KEYS, localContracts, makeEligible, mcpClient, paidCall, startStack, startWorker, waitForLog, type Stack, type WorkerProcess,
} from "../support/stack.ts";

const PRICE = 1_000_000_000_000n; // 0.000001 ETH per call
const ref = { chainId: 31337, escrow: localContracts.AgreementEscrow.address };
const TEXT_STATS_ARGS = { text: "one two three", topN: 1 };

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe("agentry CLI on the real stack", { timeout: 900_000 }, () => {
  let stack: Stack;
  let dir: string;
  let contentDir: string;
  let worker: WorkerProcess;
  let runner: ChildProcessWithoutNullStreams;
  let subgraphUrl: string;
  let agentId: bigint;
  let walletKeyFile: string;
  const owner = privateKeyToAccount(DEV_KEYS[1]!);

  /** Runs `agentry <args>` with the stack's URLs; AGENTRY_* from the test's own environment never leak in. */
  function agentry(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AGENTRY_")));
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "cli/src/main.ts", ...args],
        { cwd: ROOT, env: { ...clean, AGENTRY_RPC_URL: stack.chain.url, AGENTRY_SUBGRAPH_URL: subgraphUrl, AGENTRY_STATE_DIR: path.join(dir, "state"), ...env }, timeout: 180_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  async function agentryJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
    const result = await agentry([...args, "--json"], env);
    assert.equal(result.code, 0, `agentry ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  }

  interface Opened {
    agreementId: string;
    sessionKeyFile: string;
    sessionKey: Address;
    calls: string;
  }

  async function openWithCli(maxCalls: number): Promise<Opened> {
    const keyOut = path.join(dir, `session-${Date.now()}-${Math.random().toString(16).slice(2)}.key`);
    return agentryJson<Opened>(["open", agentId.toString(), "--max-calls", String(maxCalls), "--deposit", "0.000005", "--expires", "2h", "--session-key-out", keyOut, "--key-file", walletKeyFile]);
  }

  before(async () => {
    stack = await startStack();
    dir = await mkdtemp(path.join(tmpdir(), "agentry-cli-"));
    contentDir = path.join(dir, "ipfs");
    walletKeyFile = path.join(dir, "wallet.key");
    await writeFile(walletKeyFile, `${DEV_KEYS[2]}\n`, { mode: 0o600 });
    const operatorKeyFile = path.join(dir, "operator.key");
    await writeFile(operatorKeyFile, `${DEV_KEYS[4]}\n`, { mode: 0o600 });

    // The agent's registration file, published to the content store the runner, worker and broker share.
    const file = {
      type: REGISTRATION_TYPE,
      name: "Text analytics",
      description: "Counts words, sentences and reading time",
      services: [{ name: "MCP", endpoint: "https://agents.example/text/mcp" }],
      supportedTrust: ["tee-attestation", "reputation"],
      agentry: {
        tools: [
          { name: "text_stats", description: "Text statistics", price: PRICE.toString(), tags: ["text", "nlp"], inputSchema: { type: "object", properties: { text: { type: "string" }, topN: { type: "integer" } }, required: ["text"] } },
          { name: "json_query", description: "JSONPath over a document", tags: ["json"], inputSchema: { type: "object", properties: { document: {}, path: { type: "string" } }, required: ["document", "path"] } },
        ],
      },
    };
    const store = await openContentStore(contentDir);
    const cid = await store.put(new TextEncoder().encode(JSON.stringify(file)));
    await store.close();

    const w = stack.wallet(owner);
    agentId = await stack.publicClient.readContract({ address: localContracts.AgentRegistry.address, abi: agentRegistryAbi, functionName: "nextAgentId" });
    for (const [address, abi, functionName, args] of [
      [localContracts.AgentRegistry.address, agentRegistryAbi, "register", [ipfsUri(cid)]],
      [localContracts.AgreementEscrow.address, agreementEscrowAbi, "setPrice", [agentId, zeroAddress, PRICE]],
    ] as const) {
      const hash = await w.writeContract({ address, abi, functionName, args, account: owner, chain: null } as Parameters<typeof w.writeContract>[0]);
      await stack.publicClient.waitForTransactionReceipt({ hash });
    }

    worker = await startWorker(stack, { args: ["--register", "true", "--operator-key-file", operatorKeyFile, "--content-dir", contentDir, "--redeem-threshold", "2", "--redeem-interval-ms", "600000"] });
    await waitForLog(worker.logs, /"msg":"worker registered"/);
    await makeEligible(stack, agentId, owner, worker.address);

    runner = spawn(process.execPath, [
      "--import", "tsx", "subgraph/runner/main.ts", "--rpc", stack.chain.url, "--manifest", "subgraph/build/localhost/subgraph.yaml",
      "--data", path.join(dir, "subgraph"), "--port", "0", "--content", contentDir, "--poll-ms", "50",
    ], { cwd: ROOT }) as ChildProcessWithoutNullStreams;
    let runnerLogs = "";
    runner.stdout.on("data", (c: Buffer) => (runnerLogs += c.toString()));
    runner.stderr.on("data", (c: Buffer) => (runnerLogs += c.toString()));
    const [, url] = await waitForLog(() => runnerLogs, /GraphQL at (http:\S+)/, 120_000);
    subgraphUrl = url!;
    // Ready once the agent, its registration file and its worker approval are indexed.
    const subgraph = createSubgraphClient(subgraphUrl);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const agent = await subgraph.agent(agentId).catch(() => null);
      if (agent?.tools.length === 2 && agent.workers.some((x) => x.eligible)) break;
      if (Date.now() > deadline) assert.fail(`the subgraph did not index agent ${agentId}:\n${runnerLogs}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await worker?.stop();
    if (runner && runner.exitCode === null) {
      runner.kill("SIGTERM");
      await new Promise((r) => runner.once("exit", r));
    }
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("--help on every command, and errors that say what to do", async () => {
    for (const command of ["agents", "open", "call", "mcp", "receipts", "deploy"]) {
      const help = await agentry([command, "--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^agentry ${command}`));
      assert.match(help.stdout, /AGENTRY_RPC_URL/);
    }
    const badFlag = await agentry(["agents", "--serch", "x"]);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /Unknown option '--serch'[\s\S]*agentry agents --help/);
    const noKey = await agentry(["open", agentId.toString(), "--max-calls", "3"]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no key-file given[\s\S]*--key-file or set AGENTRY_KEY_FILE/);
    const noChain = await agentry(["receipts", "1", "--json"], { AGENTRY_RPC_URL: "http://127.0.0.1:1" });
    assert.equal(noChain.code, 1);
    assert.match(JSON.parse(noChain.stdout).error as string, /no chain answers at http:\/\/127.0.0.1:1/);
  });

  it("agents: searches the subgraph by text, tool name, tag and price", async () => {
    const byText = await agentryJson<{ agents: { agentId: string; name: string; tools: string[]; ethPrice: string }[] }>(["agents", "--search", "ANALYTICS"]);
    assert.deepEqual(byText.agents.map((a) => [a.agentId, a.name, a.ethPrice]), [[agentId.toString(), "Text analytics", PRICE.toString()]]);
    assert.deepEqual(byText.agents[0]!.tools, ["text_stats", "json_query"]);
    assert.equal((await agentryJson<{ agents: unknown[] }>(["agents", "--search", "json_query"])).agents.length, 1, "a tool name finds its agent");
    assert.equal((await agentryJson<{ agents: unknown[] }>(["agents", "--tag", "nlp"])).agents.length, 1);
    assert.equal((await agentryJson<{ agents: unknown[] }>(["agents", "--tag", "images"])).agents.length, 0);
    assert.equal((await agentryJson<{ agents: unknown[] }>(["agents", "--max-price", (PRICE - 1n).toString()])).agents.length, 0);
    const human = await agentry(["agents", "--max-price", PRICE.toString()]);
    assert.match(human.stdout, /ID\s+NAME\s+PRICE[\s\S]*Text analytics\s+0\.000001\s+text_stats, json_query\s+text, nlp/);
  });

  it("open: deposits on AgreementEscrow with a new session key and prints the agreement id", async () => {
    const opened = await openWithCli(10);
    const onChain = await stack.publicClient.readContract({ address: localContracts.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [BigInt(opened.agreementId)] });
    assert.equal(onChain.agentId, agentId);
    assert.equal(onChain.client, privateKeyToAccount(DEV_KEYS[2]!).address);
    assert.equal(onChain.sessionKey, opened.sessionKey);
    assert.equal(onChain.fundedCalls, 5, "0.000005 ETH at 0.000001 per call");
    assert.equal(onChain.maxCalls, 10);
    assert.equal((await stat(opened.sessionKeyFile)).mode & 0o777, 0o600, "the session key file is private");
    assert.equal(privateKeyToAccount((await readFile(opened.sessionKeyFile, "utf8")).trim() as `0x${string}`).address, opened.sessionKey);

    const notAMultiple = await agentry(["open", agentId.toString(), "--max-calls", "10", "--deposit", "0.0000015", "--key-file", walletKeyFile]);
    assert.equal(notAMultiple.code, 2);
    assert.match(notAMultiple.stderr, /whole number of calls at 0\.000001 ETH per call[\s\S]*--deposit 0\.00001 for 10 calls/);
    const noPrice = await agentry(["open", "999", "--max-calls", "1", "--key-file", walletKeyFile]);
    assert.match(noPrice.stderr, /agent 999 has no price in ETH/);
  });

  it("mcp: lists the agent's tools over stdio (MCP SDK client and the MCP Inspector CLI)", async () => {
    const opened = await openWithCli(5);
    const args = ["--import", "tsx", "cli/src/main.ts", "mcp", "--agreement", opened.agreementId, "--key", opened.sessionKeyFile];
    const env = { AGENTRY_RPC_URL: stack.chain.url, AGENTRY_SUBGRAPH_URL: subgraphUrl, AGENTRY_BROKER_URL: "http://127.0.0.1:1", AGENTRY_STATE_DIR: path.join(dir, "state") };
    const client = new Client({ name: "cli-test", version: "0.1.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args, cwd: ROOT, env: { ...(process.env as Record<string, string>), ...env }, stderr: "pipe" }));
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ["text_stats", "json_query"]);
      assert.deepEqual(tools[0]!.inputSchema, { type: "object", properties: { text: { type: "string" }, topN: { type: "integer" } }, required: ["text"] }, "the inputSchema as the registration file gives it");
      // With the broker unreachable the call fails as a tool error that says what to do, and charges nothing.
      const failed = await client.callTool({ name: "text_stats", arguments: TEXT_STATS_ARGS });
      assert.equal(failed.isError, true);
      assert.match(JSON.stringify(failed.content), /did not answer[\s\S]*AGENTRY_BROKER_URL/);
    } finally {
      await client.close();
    }
    const inspector = await inspect(["--method", "tools/list"], args, env);
    assert.equal(inspector.code, 0, inspector.stderr);
    assert.deepEqual((JSON.parse(inspector.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name), ["text_stats", "json_query"]);
  });

  it("receipts: gathers the worker's receipts, verifies them and checks the on-chain anchor", async () => {
    const opened = await openWithCli(5);
    const id = BigInt(opened.agreementId);
    const sessionKey = privateKeyToAccount((await readFile(opened.sessionKeyFile, "utf8")).trim() as `0x${string}`);
    const direct = await mcpClient(worker.url);
    try {
      for (const calls of [1n, 2n]) {
        const result = await paidCall(direct, { id, agentId, price: PRICE, client: sessionKey, sessionKey, sessionKeyPrivate: "0x" }, calls, "text_stats", TEXT_STATS_ARGS);
        assert.ok(!result.isError, JSON.stringify(result));
      }
    } finally {
      await direct.close();
    }
    // The worker redeems at 2 unredeemed calls (--redeem-threshold 2; its timer is too slow to matter here).
    await waitForRedeemed(id, 2);
    type Report = { receipts: { calls: string; verified: boolean; sources: string[]; worker: string }[]; anchor: { calls: string; matches: boolean } | null };
    const report = await agentryJson<Report>(["receipts", opened.agreementId]);
    assert.deepEqual(report.receipts.map((r) => [r.calls, r.verified, r.worker]), [["1", true, worker.address], ["2", true, worker.address]]);
    assert.ok(report.receipts.every((r) => r.sources[0] === worker.baseUrl));
    assert.deepEqual(report.anchor && [report.anchor.calls, report.anchor.matches], ["2", true]);
    const table = await agentry(["receipts", opened.agreementId]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /CALL\s+TOOL\s+WORKER[\s\S]*On-chain anchor: receipts 1\.\.2 match receiptsRoot 0x[0-9a-f]{64}/);
  });

  it("deploy: deploys to a fresh local chain and prints the recorded addresses", async () => {
    const chain = await startChain({ logFile: path.join(dir, "deploy-chain.log") });
    try {
      const result = await agentryJson<{ network: string; chainId: number; contracts: Record<string, { address: string }> }>(["deploy", "--network", "localhost", "--rpc-url", chain.url]);
      assert.equal(result.chainId, 31337);
      assert.equal(result.contracts.AgreementEscrow?.address, localContracts.AgreementEscrow.address, "local deployments are deterministic");
      const code = await stack.publicClient.getCode({ address: localContracts.AgreementEscrow.address });
      assert.ok(code && code.length > 2);
    } finally {
      await chain.stop();
    }
    const unknown = await agentry(["deploy", "--network", "mainnett"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown network "mainnett"/);
  });

  async function waitForRedeemed(id: bigint, calls: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const a = await stack.publicClient.readContract({ address: localContracts.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [id] });
      if (a.redeemedCalls >= calls) return;
      if (Date.now() > deadline) assert.fail(`agreement ${id} not redeemed up to ${calls}:\n${worker.logs().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  function inspect(method: string[], serverArgs: string[], env: Record<string, string>): Promise<CliResult> {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    return new Promise((resolve) => {
      execFile(
        path.join(ROOT, "node_modules", ".bin", "mcp-inspector"),
        ["--cli", ...envArgs, "--cwd", ROOT, ...method, process.execPath, ...serverArgs],
        { cwd: ROOT, env: { ...process.env, MCP_CATALOG_PATH: path.join(dir, "inspector-catalog.json") }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  describe("paid calls through the broker (the dApp's Next.js server)", () => {
    let web: WebServer;
    let brokerUrl: string;

    before(async () => {
      if (await webBuildIsStale(".next")) await buildWeb(".next");
      web = await startWeb(
        { AGENTRY_RPC_URL: stack.chain.url, AGENTRY_CHAIN_ID: "31337", AGENTRY_SUBGRAPH_URL: subgraphUrl, AGENTRY_CONTENT_DIR: contentDir },
        { distDir: ".next", logFile: path.join(dir, "web.log"), timeoutMs: 120_000 },
      );
      brokerUrl = web.url;
    });
    after(async () => {
      await web?.stop();
    });

    it("call: pays one call, prints the result and a receipt signed by the worker, and keeps it", async () => {
      const opened = await openWithCli(5);
      const out = await agentryJson<{ calls: string; result: { structuredContent?: { words?: number } }; receipt: unknown; worker: { address: string } }>(
        ["call", agentId.toString(), "text_stats", "--agreement", opened.agreementId, "--key", opened.sessionKeyFile, "--arg", "text=one two three", "--arg", "topN=1"],
        { AGENTRY_BROKER_URL: brokerUrl },
      );
      assert.equal(out.calls, "1");
      assert.equal(out.worker.address, worker.address);
      assert.equal(out.result.structuredContent?.words, 3);
      const receipt = parseReceipt(out.receipt);
      await verifyReceipt(ref, receipt, { worker: worker.address, agreementId: BigInt(opened.agreementId), calls: 1n, requestHash: receipt.requestHash });
      const second = await agentryJson<{ calls: string }>(["call", agentId.toString(), "text_stats", "--agreement", opened.agreementId, "--key", opened.sessionKeyFile, "--args-json", JSON.stringify(TEXT_STATS_ARGS)], { AGENTRY_BROKER_URL: brokerUrl });
      assert.equal(second.calls, "2", "the next call takes the next index from local state");
      const state = JSON.parse(await readFile(path.join(dir, "state", "agreements", `31337-${ref.escrow.toLowerCase()}`, `${opened.agreementId}.json`), "utf8")) as { lastCalls: string; calls: { calls: string; tool: string }[] };
      assert.equal(state.lastCalls, "2");
      assert.deepEqual(state.calls.map((c) => [c.calls, c.tool]), [["1", "text_stats"], ["2", "text_stats"]]);
    });

    it("call: after a call this machine never saw (answer lost), resyncs from the worker's verified receipts", async () => {
      const opened = await openWithCli(5);
      const id = BigInt(opened.agreementId);
      const sessionKey = privateKeyToAccount((await readFile(opened.sessionKeyFile, "utf8")).trim() as `0x${string}`);
      // Call 1 served and stored by the worker, but its answer never reached this machine.
      const direct = await mcpClient(worker.url);
      await paidCall(direct, { id, agentId, price: PRICE, client: sessionKey, sessionKey, sessionKeyPrivate: "0x" }, 1n, "text_stats", TEXT_STATS_ARGS);
      await direct.close();
      const result = await agentry(["call", agentId.toString(), "text_stats", "--agreement", opened.agreementId, "--key", opened.sessionKeyFile, "--args-json", JSON.stringify(TEXT_STATS_ARGS), "--json"], { AGENTRY_BROKER_URL: brokerUrl });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as { calls: string }).calls, "2");
      assert.match(result.stderr, /resync: the worker expects call 2 but only 0 are known here[\s\S]*receipts 1\.\.1 verified and stored/);
    });

    it("mcp: a tools/call from an MCP client is paid and returns the receipt in _meta (SDK client and the MCP Inspector)", async () => {
      const opened = await openWithCli(5);
      const args = ["--import", "tsx", "cli/src/main.ts", "mcp", "--agreement", opened.agreementId, "--key", opened.sessionKeyFile];
      const env = { AGENTRY_RPC_URL: stack.chain.url, AGENTRY_SUBGRAPH_URL: subgraphUrl, AGENTRY_BROKER_URL: brokerUrl, AGENTRY_STATE_DIR: path.join(dir, "state") };
      const client = new Client({ name: "cli-test", version: "0.1.0" });
      await client.connect(new StdioClientTransport({ command: process.execPath, args, cwd: ROOT, env: { ...(process.env as Record<string, string>), ...env }, stderr: "pipe" }));
      try {
        const result = await client.callTool({ name: "text_stats", arguments: TEXT_STATS_ARGS });
        assert.ok(!result.isError, JSON.stringify(result));
        const receipt = parseReceipt(result._meta?.[RECEIPT_META_KEY]);
        assert.equal(receipt.calls, 1n);
        assert.equal(receipt.worker, worker.address);
      } finally {
        await client.close();
      }
      // --tool-arg takes several pairs: --method after it ends the list before the server's command.
      const inspector = await inspect(["--tool-name", "text_stats", "--tool-arg", "text=four five six seven", "topN=1", "--method", "tools/call"], args, env);
      assert.equal(inspector.code, 0, inspector.stderr);
      const called = JSON.parse(inspector.stdout) as { structuredContent?: { words?: number }; _meta?: Record<string, unknown> };
      assert.equal(called.structuredContent?.words, 4);
      assert.equal(parseReceipt(called._meta?.[RECEIPT_META_KEY]).calls, 2n, "the Inspector's call is the agreement's second");
    });
  });
});

// Keeps the ETH amounts in this file honest: 0.000005 ETH is five calls at PRICE.
assert.equal(parseEther("0.000005") / PRICE, 5n);
