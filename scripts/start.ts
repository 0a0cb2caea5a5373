/**
 * `npm start`: the whole product on this machine. Starts a local chain on a free port (or
 * AGENTRY_CHAIN_PORT), deploys every contract, starts the subgraph runner and a worker (fronting
 * an existing MCP server, registered with its evidence in the content store), seeds a demo (agents
 * with real tools, the worker validated and approved, an agreement with paid calls), starts the
 * dApp, prints the URLs, and keeps running until Ctrl-C, which stops everything it started.
 * The chain is new at every start, so the worker's call database is too.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startChain, type LocalChain } from "./lib/chain.ts";
import { step } from "./lib/cli.ts";
import { LOCAL_STATE_DIR, ROOT } from "./lib/paths.ts";
import { deploy } from "./deploy.ts";
import { CONTENT_DIR, startIndexer, type LocalIndexer } from "./lib/indexer.ts";
import { DEV_KEYS, type WorkerProcess } from "./lib/local-stack.ts";
import { seedDemo, startDemoWorker, type DemoResult } from "./lib/demo.ts";
import { forgetRunningStack, LOCAL_CLI_STATE_DIR, recordRunningStack } from "./lib/running-stack.ts";
import { buildWeb, startWeb, webBuildIsStale, type WebServer } from "./lib/web.ts";
import { openContentStore } from "../protocol/src/content/store.ts";

/** The existing MCP server the demo worker fronts (the MCP reference server), with an empty environment. */
const FRONTED_SERVER = `env -i PATH=/usr/bin:/bin ${process.execPath} ${path.join(ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js")} stdio`;
const FRONTED_TOOLS = ["echo", "get-sum"];

async function main() {
  await mkdir(LOCAL_STATE_DIR, { recursive: true });
  // The CLI's call indexes and receipts of the previous start belong to a chain that is gone.
  await rm(LOCAL_CLI_STATE_DIR, { recursive: true, force: true });
  const requestedPort = process.env.AGENTRY_CHAIN_PORT ? Number(process.env.AGENTRY_CHAIN_PORT) : undefined;
  const logFile = path.join(LOCAL_STATE_DIR, "chain.log");

  step(`Starting a local chain${requestedPort ? ` on port ${requestedPort}` : " on a free port"}`);
  const chain = await startChain({ port: requestedPort, logFile });
  console.log(`    chain ${chain.chainId} at ${chain.url} (log: ${path.relative(process.cwd(), logFile)})`);

  let stopping = false;
  let indexer: LocalIndexer | undefined;
  let worker: WorkerProcess | undefined;
  let web: WebServer | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    forgetRunningStack();
    console.log("\nStopping the dApp, the worker, the subgraph runner and the local chain...");
    await web?.stop();
    await worker?.stop();
    await indexer?.stop();
    await chain.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  chain.process.once("exit", (code) => {
    if (!stopping) {
      forgetRunningStack();
      console.error(`\nThe local chain exited unexpectedly (code ${code}); see ${logFile}.`);
      process.exit(1);
    }
  });

  try {
    const deployment = await deploy({ network: "localhost", rpcUrl: chain.url });
    step("Starting the local subgraph runner");
    const subgraphLog = path.join(LOCAL_STATE_DIR, "subgraph.log");
    indexer = await startIndexer({ rpcUrl: chain.url, logFile: subgraphLog, port: process.env.AGENTRY_SUBGRAPH_PORT ? Number(process.env.AGENTRY_SUBGRAPH_PORT) : undefined });
    console.log(`    GraphQL at ${indexer.url} (log: ${path.relative(process.cwd(), subgraphLog)})`);

    step("Starting a worker (DEV attestation) fronting the MCP reference server, and registering it");
    const publicClient = createPublicClient({ transport: http(chain.url) }) as PublicClient;
    const stack = {
      chain, publicClient, deployer: privateKeyToAccount(DEV_KEYS[0]!), provider: privateKeyToAccount(DEV_KEYS[1]!),
      wallet: (account: ReturnType<typeof privateKeyToAccount>) => createWalletClient({ account, transport: http(chain.url) }),
      stop: () => chain.stop(),
    };
    worker = await startDemoWorker(stack, { stateDir: LOCAL_STATE_DIR, name: "worker", upstreamCommand: FRONTED_SERVER });
    console.log(`    worker ${worker.address} at ${worker.url}`);

    step("Seeding the demo: agents with real tools, the worker validated and approved, an agreement with paid calls");
    const store = await openContentStore(CONTENT_DIR);
    let demo: DemoResult;
    try {
      demo = await seedDemo({ rpcUrl: chain.url, store, worker, stateDir: LOCAL_STATE_DIR, frontedTools: FRONTED_TOOLS, onStep: (m) => console.log(`    ${m}`) });
    } finally {
      await store.close();
    }

    step("Starting the dApp (production build; built first when its sources changed)");
    if (await webBuildIsStale(".next")) await buildWeb(".next");
    const webLog = path.join(LOCAL_STATE_DIR, "web.log");
    web = await startWeb(
      { AGENTRY_RPC_URL: chain.url, AGENTRY_CHAIN_ID: "31337", AGENTRY_SUBGRAPH_URL: indexer.url, AGENTRY_CONTENT_DIR: CONTENT_DIR },
      { distDir: ".next", logFile: webLog, timeoutMs: 120_000 },
    );
    console.log(`    dApp at ${web.url} (log: ${path.relative(process.cwd(), webLog)})`);
    // The demo's client, Hardhat's development account #2: `npm run agentry -- open` pays from it.
    const keyFile = path.join(LOCAL_STATE_DIR, "dev-client-key");
    await writeFile(keyFile, `${DEV_KEYS[2]}\n`, { mode: 0o600 });
    recordRunningStack({ rpcUrl: chain.url, brokerUrl: web.url, subgraphUrl: indexer.url, keyFile });
    printSummary(chain, deployment.contracts, indexer.url, web.url, worker, demo);
  } catch (error) {
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

function printSummary(
  chain: LocalChain,
  contracts: Record<string, { address: string; startBlock: number }>,
  subgraphUrl: string,
  webUrl: string,
  worker: WorkerProcess,
  demo: DemoResult,
) {
  console.log("\nAgentry is running locally.\n");
  console.log(`  dApp          ${webUrl}   (open it: the development wallet needs no extension)`);
  console.log(`  Chain         ${chain.url}  (chain id ${chain.chainId})`);
  console.log(`  Subgraph      ${subgraphUrl}`);
  console.log(`  Worker        ${worker.url}  (${worker.address})`);
  console.log(`  Demo agents   ${demo.agents.map((a) => `#${a.id} ${a.name}`).join(", ")}`);
  console.log(`  Demo agreement #${demo.agreement.id} with agent #${demo.agreement.agentId}, ${demo.agreement.calls} paid calls; session key in ${path.relative(process.cwd(), demo.agreement.sessionKeyFile)}`);
  const key = path.relative(process.cwd(), demo.agreement.sessionKeyFile);
  console.log(`    pay for a call:      npm run agentry -- call ${demo.agreement.agentId} json_query --agreement ${demo.agreement.id} --key ${key} --args-json '{"document":{"n":[1,2,3]},"path":"$.n[*]"}'`);
  console.log(`    from any MCP client: npm run agentry -- mcp --agreement ${demo.agreement.id} --key ${key}`);
  console.log(`    open another:        npm run agentry -- open 2 --max-calls 10   (paid by development account #2)`);
  console.log("    (while this runs, `npm run agentry` in this checkout uses this chain, dApp, subgraph and account #2)");
  for (const [name, c] of Object.entries(contracts)) {
    console.log(`  ${name.padEnd(20)} ${c.address}`);
  }
  console.log("\n  Accounts: Hardhat's 20 funded development accounts (see the chain log for their keys).");
  console.log("\nPress Ctrl-C to stop.");
}

await main();
