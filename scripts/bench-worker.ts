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
import { cpuMeter, load, percentile, processRssMb, writeBenchmarkSection } from "./lib/benchmarks.ts";
import { createPricedAgent, localContracts, openAgreement, startStack, startWorker, type Agreement } from "./lib/local-stack.ts";
import { ROOT } from "./lib/paths.ts";

const CLIENTS = 20;
const ROUNDS = 4;
const CALLS_PER_ROUND = 2_500; // per side: 4 rounds x 2,500 = 10,000 paid calls
const WARM_UP = 50; // calls per client on every side before the figures (JIT, connections, caches)
const PRICE = 1_000_000_000n;
const TOOL = "hash_encode";
const argsFor = (i: number) => ({ operation: "hash", input: `benchmark payload ${i}`, algorithm: "sha256" });

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const stack = await startStack();
let workerProc: Awaited<ReturnType<typeof startWorker>> | undefined;
const plains: ReturnType<typeof spawn>[] = [];
const allClients: Client[] = [];

interface Side {
  label: string;
  pid: number;
  call(client: number, index: number): Promise<unknown>;
  ms: number;
  latencies: number[];
  serverCpu: number;
  clientCpu: number;
}
const emptyFigures = () => ({ ms: 0, latencies: [] as number[], serverCpu: 0, clientCpu: 0 });
try {
  workerProc = await startWorker(stack);
  // Two baselines: the SDK's own transport (a plain MCP server as the SDK documents it) and the
  // worker's transport (the same machinery as the worker, so only payment differs).
  const startPlain = async (transport: "sdk" | "worker") => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, "scripts", "lib", "plain-mcp-server.ts"), String(port), transport], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    plains.push(child);
    await new Promise<void>((resolve) => child.stdout!.on("data", (c: Buffer) => c.toString().includes("listening") && resolve()));
    return { url: `http://127.0.0.1:${port}/mcp`, pid: child.pid! };
  };
  const plainSdk = await startPlain("sdk");
  const plainSame = await startPlain("worker");
  const agentId = await createPricedAgent(stack, stack.provider, PRICE);
  const perClient = WARM_UP + (ROUNDS * CALLS_PER_ROUND) / CLIENTS;
  const agreements: Agreement[] = [];
  for (let c = 0; c < CLIENTS; c++) agreements.push(await openAgreement(stack, agentId, PRICE, { calls: perClient }));

  console.log(`Pre-signing ${CLIENTS * perClient} vouchers...`);
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
  const sdkClients = await Promise.all(agreements.map(() => connect(plainSdk.url)));
  const sameClients = await Promise.all(agreements.map(() => connect(plainSame.url)));
  allClients.push(...paidClients, ...sdkClients, ...sameClients);
  const free = (clients: Client[]) => (c: number, index: number) => clients[c]!.callTool({ name: TOOL, arguments: argsFor(index) });
  const sides: Side[] = [
    { label: "plain MCP server, no payment (SDK transport)", pid: plainSdk.pid, call: free(sdkClients), ...emptyFigures() },
    { label: "plain MCP server, no payment (the worker's transport)", pid: plainSame.pid, call: free(sameClients), ...emptyFigures() },
    {
      label: "Agentry worker, paid",
      pid: workerProc.process.pid!,
      call: async (c, index) => {
        const result = await paidClients[c]!.callTool({ name: TOOL, arguments: argsFor(index), _meta: { [VOUCHER_META_KEY]: vouchers[c]![index]! } });
        if (result.isError || !(result._meta as Record<string, unknown>)["agentry/receipt"]) throw new Error(`paid call failed: ${JSON.stringify(result)}`);
      },
      ...emptyFigures(),
    },
  ];
  // Warm-up, outside the figures; the paid side spends its first WARM_UP vouchers on it.
  for (const side of sides) await load(CLIENTS, WARM_UP, (c, i) => side.call(c, i));

  const perRound = CALLS_PER_ROUND / CLIENTS;
  for (let r = 0; r < ROUNDS; r++) {
    const rates: string[] = [];
    for (const side of sides) {
      // CPU per call of the side's server and of this load generator: with the cores saturated,
      // it shows which process limits each side's throughput.
      const cpu = cpuMeter({ server: side.pid, load: process.pid });
      const round = await load(CLIENTS, perRound, (c, i) => side.call(c, WARM_UP + r * perRound + i));
      const used = cpu();
      side.ms += round.ms;
      side.latencies.push(...round.latencies);
      side.serverCpu += used.server!;
      side.clientCpu += used.load!;
      rates.push(`${(CALLS_PER_ROUND / (round.ms / 1000)).toFixed(0)}/s`);
    }
    console.log(`round ${r + 1}: ${rates.join(", ")}`);
  }
  const rss = processRssMb(workerProc.process.pid!);
  const total = ROUNDS * CALLS_PER_ROUND;
  const rate = (side: Side) => total / (side.ms / 1000);
  const [sdk, same, paid] = sides as [Side, Side, Side];
  const row = (side: Side) => {
    const sorted = [...side.latencies].sort((a, b) => a - b);
    return `| ${side.label} | ${rate(side).toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${(side.serverCpu / total).toFixed(3)} | ${(side.clientCpu / total).toFixed(3)} |`;
  };
  const lines = [
    `${CLIENTS} concurrent MCP clients (official SDK, Streamable HTTP), each sequential; ${total.toLocaleString("en-US")} calls per side in ${ROUNDS} rounds alternating the three sides; tool \`${TOOL}\` (sha256 of a short text: the cheapest tool, so the payment overhead weighs most). Paid calls include voucher verification, the tool, the receipt signature, a durable SQLite commit (WAL, synchronous=FULL, group commit) and batched on-chain redemption while the load runs. Both plain servers share one JSON Schema validator across requests, as the worker does. The worker runs as \`npm run worker\` runs it: its bundle, with the settings of worker/src/runtime.ts; the plain servers run with Node's defaults.`,
    "",
    "| | throughput (calls/s) | p50 (ms) | p99 (ms) | server CPU per call (ms) | load generator CPU per call (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...sides.map(row),
    "",
    `Paid/free throughput ratio: **${(rate(paid) / rate(sdk)).toFixed(2)}** against a plain server on the SDK's transport, **${(rate(paid) / rate(same)).toFixed(2)}** against one on the worker's own transport (target >= 0.70). Worker RSS after ${total.toLocaleString("en-US")} paid calls: **${rss.toFixed(0)} MB** (target <= 150 MB).`,
    "",
    `Payment costs the worker ${((paid.serverCpu - same.serverCpu) / total).toFixed(3)} ms of CPU per call more than the plain server on the same transport. Each side's throughput is set by the busier of its server and the load generator, which share the machine's cores with the chain.`,
  ];
  await writeBenchmarkSection("worker", "Worker node (npm run bench:worker)", "npm run bench:worker", lines);
  console.log(lines.join("\n"));
} finally {
  for (const c of allClients) await c.close().catch(() => undefined);
  for (const child of plains) child.kill("SIGTERM");
  await workerProc?.stop();
  await stack.stop();
}
