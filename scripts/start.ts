/**
 * `npm start`: the whole product on this machine. Starts a local chain on a free port (or
 * AGENTRY_CHAIN_PORT), deploys every contract, prints the chain URL and the addresses, and keeps
 * running until Ctrl-C, which stops everything it started.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { startChain, type LocalChain } from "./lib/chain.ts";
import { step } from "./lib/cli.ts";
import { LOCAL_STATE_DIR } from "./lib/paths.ts";
import { deploy } from "./deploy.ts";
import { startIndexer, type LocalIndexer } from "./lib/indexer.ts";

async function main() {
  await mkdir(LOCAL_STATE_DIR, { recursive: true });
  const requestedPort = process.env.AGENTRY_CHAIN_PORT ? Number(process.env.AGENTRY_CHAIN_PORT) : undefined;
  const logFile = path.join(LOCAL_STATE_DIR, "chain.log");

  step(`Starting a local chain${requestedPort ? ` on port ${requestedPort}` : " on a free port"}`);
  const chain = await startChain({ port: requestedPort, logFile });
  console.log(`    chain ${chain.chainId} at ${chain.url} (log: ${path.relative(process.cwd(), logFile)})`);

  let stopping = false;
  let indexer: LocalIndexer | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the local chain...");
    await indexer?.stop();
    await chain.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  chain.process.once("exit", (code) => {
    if (!stopping) {
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
    printSummary(chain, deployment.contracts, indexer.url);
  } catch (error) {
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

function printSummary(chain: LocalChain, contracts: Record<string, { address: string; startBlock: number }>, subgraphUrl: string) {
  console.log("\nAgentry is running locally.\n");
  console.log(`  Chain         ${chain.url}  (chain id ${chain.chainId})`);
  console.log(`  Subgraph      ${subgraphUrl}`);
  for (const [name, c] of Object.entries(contracts)) {
    console.log(`  ${name.padEnd(20)} ${c.address}`);
  }
  console.log("\n  Accounts: Hardhat's 20 funded development accounts (see the chain log for their keys).");
  console.log("\nPress Ctrl-C to stop.");
}

await main();
