/**
 * Starts what the browser tests run against, once for the suite: a hardhat node with the contracts
 * deployed (scripts/lib/local-stack.ts) and the dApp's production server (`next start`), rebuilt
 * first when its sources changed since the last `next build`. Returns the teardown.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
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
  const stack = await startStack();
  let web;
  try {
    web = await startWeb(
      { AGENTRY_RPC_URL: stack.chain.url, AGENTRY_CHAIN_ID: String(stack.chain.chainId) },
      { distDir: E2E_DIST_DIR, logFile: path.join(LOCAL_STATE_DIR, "e2e-web.log") },
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  process.env[E2E_ENV.webUrl] = web.url;
  process.env[E2E_ENV.rpcUrl] = stack.chain.url;
  return async () => {
    await web.stop();
    await stack.stop();
  };
}
