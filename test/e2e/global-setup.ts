/**
 * Starts what the browser tests run against, once for the suite: a hardhat node with the contracts
 * deployed (scripts/lib/local-stack.ts), the subgraph runner, a registered DEV worker, the demo's
 * agents seeded (scripts/lib/demo.ts, the same as `npm start`), and the dApp's production server
 * (`next start`), rebuilt first when its sources changed since the last `next build`. Returns the
 * teardown.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { openContentStore } from "../../protocol/src/content/store.ts";
import { seedDemo, startDemoWorker } from "../../scripts/lib/demo.ts";
import { CONTENT_DIR, startIndexer } from "../../scripts/lib/indexer.ts";
import { startStack } from "../../scripts/lib/local-stack.ts";
import { LOCAL_STATE_DIR } from "../../scripts/lib/paths.ts";
import { buildWeb, startWeb, webBuildIsStale } from "../../scripts/lib/web.ts";
import { E2E_DIST_DIR, E2E_ENV } from "./support/stack.ts";

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(LOCAL_STATE_DIR, { recursive: true });
  if (await webBuildIsStale(E2E_DIST_DIR)) {
    console.log(`Building the dApp into web/${E2E_DIST_DIR} (next build): its sources changed since the last build…`);
    await buildWeb(E2E_DIST_DIR);
  }
  // The run's own state (subgraph data, worker database, demo record), never `npm start`'s nor
  // another run's: removed at teardown.
  const E2E_STATE_DIR = mkdtempSync(path.join(LOCAL_STATE_DIR, "e2e-"));
  const stack = await startStack();
  const stops: (() => Promise<unknown>)[] = [async () => rmSync(E2E_STATE_DIR, { recursive: true, force: true }), () => stack.stop()];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const indexer = await startIndexer({ rpcUrl: stack.chain.url, logFile: path.join(E2E_STATE_DIR, "subgraph.log"), dataDir: path.join(E2E_STATE_DIR, "subgraph") });
    stops.push(() => indexer.stop());
    const worker = await startDemoWorker(stack, { stateDir: E2E_STATE_DIR, name: "worker" });
    stops.push(() => worker.stop());
    const store = await openContentStore(CONTENT_DIR);
    try {
      await seedDemo({ rpcUrl: stack.chain.url, store, worker, stateDir: E2E_STATE_DIR, frontedTools: [] });
    } finally {
      await store.close();
    }
    const web = await startWeb(
      { AGENTRY_RPC_URL: stack.chain.url, AGENTRY_CHAIN_ID: String(stack.chain.chainId), AGENTRY_SUBGRAPH_URL: indexer.url, AGENTRY_CONTENT_DIR: CONTENT_DIR },
      { distDir: E2E_DIST_DIR, logFile: path.join(LOCAL_STATE_DIR, "e2e-web.log") },
    );
    stops.push(() => web.stop());
    process.env[E2E_ENV.webUrl] = web.url;
    process.env[E2E_ENV.rpcUrl] = stack.chain.url;
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
