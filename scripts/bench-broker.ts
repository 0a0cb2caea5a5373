/**
 * `npm run bench:broker`: paid calls through the broker (POST /api/invoke on the Next.js production
 * server, which forwards to the worker and verifies the receipt) against the same paid calls sent
 * straight to the worker with the MCP SDK, and through a proxy that only forwards bytes (what one
 * HTTP hop costs on this machine), in the same run. Writes its section of BENCHMARKS.md.
 *
 * Latency: one client, sequential calls, so p50 is the cost of a call with nothing queued and the
 * difference is what the broker adds. Throughput: CLIENTS concurrent clients (one agreement each,
 * sequential within it), at saturation. The sides take turns within each round to spread machine
 * noise over all of them; vouchers are signed before the timed windows.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { Readable } from "node:stream";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { encodeVoucher, requestHash, VOUCHER_META_KEY } from "../protocol/src/index.ts";
import { Eip712Hasher, NativeSigner } from "../protocol/src/native-crypto.ts";
import { cpuMeter, load, percentile, writeBenchmarkSection } from "./lib/benchmarks.ts";
import { createPricedAgent, DEV_KEYS, localContracts, makeEligible, openAgreement, startStack, startWorker, waitForLog, type Agreement } from "./lib/local-stack.ts";
import { LOCAL_STATE_DIR, ROOT } from "./lib/paths.ts";
import { buildWeb, webBuildIsStale, startWeb } from "./lib/web.ts";

const CLIENTS = 16;
const ROUNDS = 4;
const THROUGHPUT_CALLS = 1_600; // per side per round
const LATENCY_CALLS = 200; // per side per round
const WARM_UP = 50; // calls per client on each side before the figures: the broker's and the worker's JIT, connections, caches
const PRICE = 1_000_000_000n;
const TOOL = "hash_encode";
const argsFor = (i: number) => ({ operation: "hash", input: `benchmark payload ${i}`, algorithm: "sha256" });

type Voucher = ReturnType<typeof encodeVoucher>;

if (await webBuildIsStale(".next-bench")) await buildWeb(".next-bench");
const stack = await startStack();
const dir = await mkdtemp(path.join(tmpdir(), "agentry-bench-broker-"));
let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
let web: Awaited<ReturnType<typeof startWeb>> | undefined;
let proxy: ChildProcessByStdio<null, Readable, null> | undefined;
try {
  const operatorKeyFile = path.join(dir, "operator-key");
  await writeFile(operatorKeyFile, `${DEV_KEYS[4]}\n`, { mode: 0o600 });
  const agentId = await createPricedAgent(stack, stack.provider, PRICE);
  worker = await startWorker(stack, { args: ["--register", "true", "--operator-key-file", operatorKeyFile, "--content-dir", path.join(dir, "ipfs")] });
  await waitForLog(worker.logs, /"msg":"worker registered"/);
  await makeEligible(stack, agentId, stack.provider, worker.address);
  web = await startWeb({ AGENTRY_RPC_URL: stack.chain.url, AGENTRY_CHAIN_ID: "31337", AGENTRY_CONTENT_DIR: path.join(dir, "ipfs") }, { distDir: ".next-bench", logFile: path.join(LOCAL_STATE_DIR, "bench-web.log") });
  const invokeUrl = new URL("/api/invoke", web.url);
  proxy = spawn(process.execPath, ["scripts/lib/pass-through-proxy.ts", worker.baseUrl], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const proxyPort = await Promise.race([
    once(proxy.stdout, "data").then(([line]) => /listening (\d+)/.exec(String(line))?.[1]),
    once(proxy, "exit").then(([code]) => Promise.reject(new Error(`the pass-through proxy exited with code ${code} before listening`))),
  ]);
  const proxyUrl = new URL("/mcp", `http://127.0.0.1:${proxyPort}`);

  // One agreement per client per side, so each side's call indexes run independently.
  const perClient = ROUNDS * (THROUGHPUT_CALLS / CLIENTS) + ROUNDS * LATENCY_CALLS + WARM_UP;
  const open = async () => {
    const opened: Agreement[] = [];
    for (let c = 0; c < CLIENTS; c++) opened.push(await openAgreement(stack, agentId, PRICE, { calls: perClient })); // one funder: sequential nonces
    return opened;
  };
  const direct = await open();
  const proxied = await open();
  const brokered = await open();
  console.log(`Pre-signing ${3 * CLIENTS * perClient} vouchers...`);
  const hasher = new Eip712Hasher({ chainId: 31337, escrow: localContracts.AgreementEscrow.address });
  const sign = (a: Agreement): Voucher[] => {
    const signer = new NativeSigner(a.sessionKeyPrivate);
    return Array.from({ length: perClient }, (_, i) => {
      const calls = BigInt(i + 1);
      const invocation = { agreementId: a.id, calls, amount: calls * PRICE, requestHash: requestHash({ agentId, toolName: TOOL, arguments: argsFor(i) }) };
      return encodeVoucher({ ...invocation, signature: signer.sign(hasher.voucher(invocation)) });
    });
  };
  const vouchers = { direct: direct.map(sign), proxied: proxied.map(sign), brokered: brokered.map(sign) };
  const next = { direct: direct.map(() => 0), proxied: proxied.map(() => 0), brokered: brokered.map(() => 0) };

  const connect = (url: URL) => Promise.all(direct.map(async () => {
    const client = new Client({ name: "bench", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    return client;
  }));
  const clients = { direct: await connect(new URL(worker.url)), proxied: await connect(proxyUrl) };
  const callMcp = async (side: "direct" | "proxied", c: number) => {
    const i = next[side][c]!++;
    const result = await clients[side][c]!.callTool({ name: TOOL, arguments: argsFor(i), _meta: { [VOUCHER_META_KEY]: vouchers[side][c]![i]! } });
    if (result.isError || !(result._meta as Record<string, unknown> | undefined)?.["agentry/receipt"]) throw new Error(`${side} call failed: ${JSON.stringify(result)}`);
  };
  const callBroker = async (c: number) => {
    const i = next.brokered[c]!++;
    const response = await fetch(invokeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agentId: agentId.toString(), tool: TOOL, arguments: argsFor(i), voucher: vouchers.brokered[c]![i]! }),
    });
    const body = (await response.json()) as { receipt?: unknown };
    if (!response.ok || !body.receipt) throw new Error(`brokered call failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  };

  const sides = [
    { id: "direct", label: "straight to the worker (MCP SDK client)", call: (c: number) => callMcp("direct", c) },
    { id: "proxied", label: "through a pass-through HTTP proxy (same client)", call: (c: number) => callMcp("proxied", c) },
    { id: "brokered", label: "through the broker (POST /api/invoke)", call: callBroker },
  ] as const;
  type Side = (typeof sides)[number]["id"];

  // Warm-up (JIT, connections, the broker's caches), outside the figures.
  for (const side of sides) await load(CLIENTS, WARM_UP, (c) => side.call(c));

  // CPU per throughput call of the worker, the hop in front of it (broker or proxy) and this load generator.
  const cpu = cpuMeter({ worker: worker.process.pid!, broker: web.process.pid!, proxy: proxy.pid!, load: process.pid });
  const figures = Object.fromEntries(sides.map(({ id }) => [id, { latencies: [] as number[], ms: 0, cpu: { worker: 0, broker: 0, proxy: 0, load: 0 } }])) as Record<Side, { latencies: number[]; ms: number; cpu: Record<"worker" | "broker" | "proxy" | "load", number> }>;
  const total = ROUNDS * THROUGHPUT_CALLS;
  const rate = (side: Side) => total / (figures[side].ms / 1000);
  const p50 = (side: Side) => percentile(figures[side].latencies, 50);
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of sides) figures[side.id].latencies.push(...(await load(1, LATENCY_CALLS, (c) => side.call(c))).latencies);
    const round: string[] = [];
    for (const side of sides) {
      cpu();
      const { ms } = await load(CLIENTS, THROUGHPUT_CALLS / CLIENTS, (c) => side.call(c));
      const used = cpu();
      const f = figures[side.id];
      f.ms += ms;
      for (const name of ["worker", "broker", "proxy", "load"] as const) f.cpu[name] += used[name]!;
      round.push(`${side.id} ${(THROUGHPUT_CALLS / (ms / 1000)).toFixed(0)}/s`);
    }
    console.log(`round ${r + 1}: ${round.join(", ")}`);
  }
  for (const side of sides) figures[side.id].latencies.sort((a, b) => a - b);
  const ratio = rate("brokered") / rate("direct");
  const proxyRatio = rate("proxied") / rate("direct");
  const added = p50("brokered") - p50("direct");
  const perCall = (ms: number) => (ms / total).toFixed(3);
  const row = (side: (typeof sides)[number]) => {
    const f = figures[side.id];
    const hop = side.id === "brokered" ? perCall(f.cpu.broker) : side.id === "proxied" ? perCall(f.cpu.proxy) : "–";
    return `| ${side.label} | ${rate(side.id).toFixed(0)} | ${p50(side.id).toFixed(2)} | ${percentile(f.latencies, 99).toFixed(2)} | ${perCall(f.cpu.worker)} | ${hop} | ${perCall(f.cpu.load)} |`;
  };
  const lines = [
    `Paid \`${TOOL}\` calls on one worker. Throughput: ${CLIENTS} concurrent clients (one agreement each), ${total.toLocaleString("en-US")} calls per side in ${ROUNDS} rounds, the sides taking turns in each. Latency: one client, sequential, ${(ROUNDS * LATENCY_CALLS).toLocaleString("en-US")} calls per side. Through the broker a call is: HTTP POST to the Next.js server, request validation, the cached agreement and worker set, the MCP call to the worker, and the receipt's signature and hashes checked before answering. The pass-through proxy (\`scripts/lib/pass-through-proxy.ts\`, a Node process) only forwards bytes: it is what one HTTP hop costs here, before any of the broker's work. Chain, worker, broker or proxy, and load generator share the machine's 2 cores.`,
    "",
    "| | throughput (calls/s) | p50 (ms) | p99 (ms) | worker CPU per call (ms) | broker or proxy CPU per call (ms) | load generator CPU per call (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...sides.map(row),
    "",
    `Broker/direct throughput ratio: **${ratio.toFixed(2)}** (target >= 0.80); pass-through proxy/direct: ${proxyRatio.toFixed(2)}. Added at p50: **${added.toFixed(2)} ms** (target <= 2 ms); by the pass-through proxy: ${(p50("proxied") - p50("direct")).toFixed(2)} ms.`,
    "",
    "Where the difference goes: with every side saturating the same cores, the CPU of the hop in front of the worker (the broker column: an HTTP request in, an MCP call out, request hashing and receipt verification) comes out of the worker's and the load generator's share, so the throughput ratio measures the hop's cost relative to theirs, not a deployment where the broker runs on its own machine. The pass-through proxy's row is the floor for any Node HTTP hop on this machine. The Next.js App Router would add about 4 ms per call, which is why `web/server.ts` answers `/api/invoke` itself.",
  ];
  await writeBenchmarkSection("broker", "Broker (npm run bench:broker)", "npm run bench:broker", lines);
  console.log(lines.join("\n"));
  for (const c of [...clients.direct, ...clients.proxied]) await c.close();
} finally {
  if (proxy && proxy.exitCode === null) {
    proxy.kill("SIGTERM");
    await once(proxy, "exit");
  }
  await web?.stop();
  await worker?.stop();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
