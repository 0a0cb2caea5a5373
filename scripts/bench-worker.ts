/**
 * `npm run bench:worker`: paid tools/call through the worker node against the same tool on a plain
 * MCP server with no payment, in the same run, on the same machine; then the worker's RSS after
 * 10,000 paid calls. Writes its section of BENCHMARKS.md.
 *
 * Load: CLIENTS concurrent MCP clients (official SDK), each making its calls one after the other
 * (a voucher is cumulative, so one agreement's calls are sequential); enough clients to keep both
 * servers busy, so throughput is compared at saturation rather than at one client's latency. Rounds alternate free and paid
 * to spread machine noise over both. Vouchers are signed before the timed window: the figure is the
 * worker's cost (verify, run, sign, persist, redeem), not the client's.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { encodeVoucher, requestHash, VOUCHER_META_KEY } from "../protocol/src/index.ts";
import { Eip712Hasher, NativeSigner } from "../protocol/src/native-crypto.ts";
import { freePort } from "./lib/chain.ts";
import { cpuMeter, processRssMb, writeBenchmarkSection } from "./lib/benchmarks.ts";
import { createPricedAgent, localContracts, openAgreement, startStack, startWorker, type Agreement } from "./lib/local-stack.ts";
import { ROOT } from "./lib/paths.ts";

const CLIENTS = 20;
const ROUNDS = 4;
const CALLS_PER_ROUND = 2_500; // per side: 4 rounds x 2,500 = 10,000 paid calls
const PRICE = 1_000_000_000n;
const TOOL = "hash_encode";
const argsFor = (i: number) => ({ operation: "hash", input: `benchmark payload ${i}`, algorithm: "sha256" });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Runs `perClient` sequential calls on each client concurrently; returns elapsed ms and latencies. */
async function load(clients: Client[], perClient: number, call: (client: number, i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const t = performance.now();
        await call(c, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}

const stack = await startStack();
let workerProc: Awaited<ReturnType<typeof startWorker>> | undefined;
let plain: ReturnType<typeof spawn> | undefined;
try {
  workerProc = await startWorker(stack);
  const plainPort = await freePort();
  plain = spawn(process.execPath, [path.join(ROOT, "scripts", "lib", "plain-mcp-server.ts"), String(plainPort)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => plain!.stdout!.on("data", (c: Buffer) => c.toString().includes("listening") && resolve()));
  const plainUrl = `http://127.0.0.1:${plainPort}/mcp`;
  const agentId = await createPricedAgent(stack, stack.provider, PRICE);
  const perClient = (ROUNDS * CALLS_PER_ROUND) / CLIENTS;
  const agreements: Agreement[] = [];
  for (let c = 0; c < CLIENTS; c++) agreements.push(await openAgreement(stack, agentId, PRICE, { calls: perClient }));

  console.log(`Pre-signing ${ROUNDS * CALLS_PER_ROUND} vouchers...`);
  const hasher = new Eip712Hasher({ chainId: 31337, escrow: localContracts.AgreementEscrow.address });
  const vouchers = agreements.map((a) => {
    const signer = new NativeSigner(a.sessionKeyPrivate);
    return Array.from({ length: perClient }, (_, i) => {
      const calls = BigInt(i + 1);
      const invocation = { agreementId: a.id, calls, amount: calls * PRICE, requestHash: requestHash({ agentId, toolName: TOOL, arguments: argsFor(i) }) };
      return encodeVoucher({ ...invocation, signature: signer.sign(hasher.voucher(invocation)) });
    });
  });

  const paidClients = await Promise.all(agreements.map(() => connect(workerProc!.url)));
  const freeClients = await Promise.all(agreements.map(() => connect(plainUrl)));
  // warm-up (JIT, connections), outside the figures
  await load(freeClients, 50, (c, i) => freeClients[c]!.callTool({ name: TOOL, arguments: argsFor(i) }));

  const paid = { ms: 0, latencies: [] as number[], serverCpu: 0, clientCpu: 0 };
  const free = { ms: 0, latencies: [] as number[], serverCpu: 0, clientCpu: 0 };
  const perRound = CALLS_PER_ROUND / CLIENTS;
  // CPU per call of each side's server and of this load generator: with the cores saturated, it
  // shows which process limits each side's throughput.
  const cpu = cpuMeter({ worker: workerProc.process.pid!, plain: plain.pid!, load: process.pid });
  for (let r = 0; r < ROUNDS; r++) {
    cpu();
    const f = await load(freeClients, perRound, (c, i) => freeClients[c]!.callTool({ name: TOOL, arguments: argsFor(r * perRound + i) }));
    free.ms += f.ms;
    free.latencies.push(...f.latencies);
    const freeCpu = cpu();
    free.serverCpu += freeCpu.plain!;
    free.clientCpu += freeCpu.load!;
    const p = await load(paidClients, perRound, async (c, i) => {
      const index = r * perRound + i;
      const result = await paidClients[c]!.callTool({ name: TOOL, arguments: argsFor(index), _meta: { [VOUCHER_META_KEY]: vouchers[c]![index]! } });
      if (result.isError || !(result._meta as Record<string, unknown>)["agentry/receipt"]) throw new Error(`paid call failed: ${JSON.stringify(result)}`);
    });
    const paidCpu = cpu();
    paid.serverCpu += paidCpu.worker!;
    paid.clientCpu += paidCpu.load!;
    paid.ms += p.ms;
    paid.latencies.push(...p.latencies);
    console.log(`round ${r + 1}: free ${(CALLS_PER_ROUND / (f.ms / 1000)).toFixed(0)}/s, paid ${(CALLS_PER_ROUND / (p.ms / 1000)).toFixed(0)}/s`);
  }
  const rss = processRssMb(workerProc.process.pid!);
  const total = ROUNDS * CALLS_PER_ROUND;
  const freeRate = total / (free.ms / 1000);
  const paidRate = total / (paid.ms / 1000);
  free.latencies.sort((a, b) => a - b);
  paid.latencies.sort((a, b) => a - b);
  const ratio = paidRate / freeRate;
  const lines = [
    `${CLIENTS} concurrent MCP clients (official SDK, Streamable HTTP), each sequential; ${total.toLocaleString("en-US")} calls per side in ${ROUNDS} alternating rounds; tool \`${TOOL}\` (sha256 of a short text: the cheapest tool, so the payment overhead weighs most). Paid calls include voucher verification, the tool, the receipt signature, a durable SQLite commit (WAL, synchronous=FULL, group commit) and batched on-chain redemption while the load runs.`,
    "",
    "| | throughput (calls/s) | p50 (ms) | p99 (ms) | server CPU per call (ms) | load generator CPU per call (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    `| plain MCP server, no payment | ${freeRate.toFixed(0)} | ${percentile(free.latencies, 50).toFixed(2)} | ${percentile(free.latencies, 99).toFixed(2)} | ${(free.serverCpu / total).toFixed(3)} | ${(free.clientCpu / total).toFixed(3)} |`,
    `| Agentry worker, paid | ${paidRate.toFixed(0)} | ${percentile(paid.latencies, 50).toFixed(2)} | ${percentile(paid.latencies, 99).toFixed(2)} | ${(paid.serverCpu / total).toFixed(3)} | ${(paid.clientCpu / total).toFixed(3)} |`,
    "",
    `Paid/free throughput ratio: **${ratio.toFixed(2)}** (target >= 0.70). Worker RSS after ${total.toLocaleString("en-US")} paid calls: **${rss.toFixed(0)} MB** (target <= 150 MB).`,
    "",
    `Payment costs the worker ${((paid.serverCpu - free.serverCpu) / total).toFixed(3)} ms of CPU per call more than the plain server. Each side's throughput is set by the busier of its server and the load generator, which share the machine's cores with the chain.`,
  ];
  await writeBenchmarkSection("worker", "Worker node (npm run bench:worker)", "npm run bench:worker", lines);
  console.log(lines.join("\n"));
  for (const c of [...paidClients, ...freeClients]) await c.close();
} finally {
  plain?.kill("SIGTERM");
  await workerProc?.stop();
  await stack.stop();
}
