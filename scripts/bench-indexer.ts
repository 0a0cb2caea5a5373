/**
 * `npm run bench:indexer`: the local subgraph runner with Agentry's real subgraph on a real chain.
 *
 * 1. Latency: 200 agent registrations, one after the other; for each, the time from the
 *    transaction's receipt to its Agent being visible through GraphQL (polled every 2 ms).
 * 2. Catch-up: over 10,000 handled events already on chain (registrations mined 250 per block,
 *    each a Transfer and a Registered event plus what else the registry emits and the subgraph
 *    handles), then a runner with an empty data directory; the figure is handled events per second
 *    from the runner serving (database created, chain checked) to reaching the chain head. The
 *    one-time creation of the database is reported beside it.
 *
 * Writes its section of BENCHMARKS.md.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { encodeFunctionData, type Hex } from "viem";
import { agentRegistryAbi } from "../protocol/src/index.ts";
import { writeBenchmarkSection } from "./lib/benchmarks.ts";
import { ensureSubgraphBuilt } from "./lib/indexer.ts";
import { localContracts, startStack, type Stack } from "./lib/local-stack.ts";
import { loadManifest } from "../subgraph/runner/manifest.ts";
import { startRunner, type Runner } from "../subgraph/runner/runner.ts";

const LATENCY_TRANSACTIONS = 200;
const TARGET_EVENTS = 10_000;
const PER_BLOCK = 250;
const registry = localContracts.AgentRegistry.address;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function visible(url: string, id: bigint): Promise<boolean> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `{ agent(id: "${id}") { id } }` }) });
  const body = (await res.json()) as { data?: { agent: { id: string } | null } };
  return Boolean(body.data?.agent);
}

async function runner(stack: Stack, manifest: string, dataDir: string): Promise<Runner> {
  return startRunner({ manifest, rpcUrl: stack.chain.url, dataDir, port: 0, name: "agentry", content: async () => undefined, log: () => {}, pollMs: 20 });
}

/** Handled events in blocks [from, to]: logs of the manifest's contracts with a handler's topic. */
async function handledEvents(stack: Stack, manifest: string, from: bigint, to: bigint): Promise<number> {
  const { dataSources } = loadManifest(manifest);
  let count = 0;
  for (const source of dataSources) {
    const logs = await stack.publicClient.request({
      method: "eth_getLogs",
      params: [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: source.address!, topics: [source.handlers.map((h) => h.topic0)] }],
    });
    count += logs.length;
  }
  return count;
}

async function latency(stack: Stack, manifest: string, dataDir: string): Promise<number[]> {
  const r = await runner(stack, manifest, dataDir);
  try {
    const owner = stack.provider;
    const wallet = stack.wallet(owner);
    const samples: number[] = [];
    for (let i = 0; i < LATENCY_TRANSACTIONS + 5; i++) {
      const id = await stack.publicClient.readContract({ address: registry, abi: agentRegistryAbi, functionName: "nextAgentId" });
      const hash = await wallet.writeContract({ address: registry, abi: agentRegistryAbi, functionName: "register", args: [`https://agents.example/${i}.json`], account: owner, chain: null });
      await stack.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 1 });
      const start = performance.now();
      while (!(await visible(r.url, id))) await new Promise((resolve) => setTimeout(resolve, 2));
      if (i >= 5) samples.push(performance.now() - start); // the first few warm up the JIT and connections
    }
    return samples.sort((a, b) => a - b);
  } finally {
    await r.stop();
  }
}

/** Mines registrations PER_BLOCK at a time until the blocks hold TARGET_EVENTS handled events. */
async function fillChain(stack: Stack, manifest: string): Promise<{ from: bigint; to: bigint; events: number; transactions: number }> {
  const account = stack.deployer;
  const wallet = stack.wallet(account);
  const from = (await stack.publicClient.getBlockNumber()) + 1n;
  let nonce = await stack.publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
  const data = encodeFunctionData({ abi: agentRegistryAbi, functionName: "register", args: ["https://agents.example/bulk.json"] });
  await stack.publicClient.request({ method: "evm_setAutomine" as never, params: [false] as never });
  let events = 0;
  let transactions = 0;
  try {
    while (events < TARGET_EVENTS) {
      const hashes: Hex[] = [];
      for (let i = 0; i < PER_BLOCK; i++) {
        hashes.push(await wallet.sendTransaction({ account, to: registry, data, gas: 400_000n, nonce: nonce++, chain: null }));
      }
      await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
      transactions += hashes.length;
      const head = await stack.publicClient.getBlockNumber();
      events = await handledEvents(stack, manifest, from, head);
      process.stdout.write(`\r  ${transactions} transactions, ${events} handled events`);
    }
  } finally {
    await stack.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
  }
  process.stdout.write("\n");
  return { from, to: await stack.publicClient.getBlockNumber(), events, transactions };
}

const manifest = await ensureSubgraphBuilt();
const stack = await startStack();
const work = await mkdtemp(path.join(tmpdir(), "agentry-bench-indexer-"));
try {
  console.log(`Latency: ${LATENCY_TRANSACTIONS} registrations, receipt -> Agent visible through GraphQL`);
  const samples = await latency(stack, manifest, path.join(work, "latency"));
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  console.log(`  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);

  console.log(`Catch-up: filling the chain with ${TARGET_EVENTS}+ handled events`);
  const filled = await fillChain(stack, manifest);
  const head = await stack.publicClient.getBlockNumber();
  const total = await handledEvents(stack, manifest, 0n, head);
  const started = performance.now();
  const r = await runner(stack, manifest, path.join(work, "catch-up"));
  const opened = performance.now();
  await r.waitForBlock(Number(head));
  const seconds = (performance.now() - opened) / 1000;
  const openSeconds = (opened - started) / 1000;
  if (r.indexer.indexingState.error) throw new Error(`indexing failed: ${r.indexer.indexingState.error.message}`);
  const agents = await fetch(r.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ agents(first: 1, orderBy: registeredBlock, orderDirection: desc) { id } }" }) }).then((x) => x.json());
  await r.stop();
  const rate = total / seconds;
  console.log(`  ${total} handled events (${filled.transactions} bulk transactions in ${Number(filled.to - filled.from + 1n)} blocks) in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} events/s (after ${openSeconds.toFixed(2)} s creating the database); last agent ${JSON.stringify(agents)}`);

  const lines = [
    "The local subgraph runner (subgraph/runner) executing Agentry's built subgraph against a hardhat node, in one process with its PGlite database (data directory on disk).",
    "",
    "| Measure | Result | Target |",
    "| --- | ---: | ---: |",
    `| Receipt to entity visible through GraphQL, p50 (${samples.length} registrations) | ${p50.toFixed(1)} ms | ≤ 300 ms |`,
    `| Receipt to entity visible through GraphQL, p99 | ${p99.toFixed(1)} ms | |`,
    `| Catch-up: ${total} handled events in ${Number(head)} blocks, from the runner serving to the chain head | ${seconds.toFixed(2)} s, ${rate.toFixed(0)} events/s | ≥ 1,000 events/s |`,
    `| Creating the empty database before that (PGlite initdb, once per data directory) | ${openSeconds.toFixed(2)} s | |`,
    "",
    `Latency includes the runner's poll interval (20 ms here; \`npm start\` uses 100 ms) and the GraphQL round trip; catch-up includes eth_getLogs over ranges of 2,000 blocks, fetching each block with its transactions, decoding every event, running its handler from the state of a fresh instance (a warm instance rewound to its post-start memory and globals) and writing every batch in one transaction.`,
  ];
  await writeBenchmarkSection("indexer", "Local subgraph runner (npm run bench:indexer)", "npm run bench:indexer", lines);
  console.log(lines.join("\n"));
} finally {
  await stack.stop();
  await rm(work, { recursive: true, force: true });
}
