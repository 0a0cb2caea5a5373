/**
 * `npm run agentry -- <command> [options]`: the agentry CLI on Node 22 (see cli/src/main.ts).
 * While `npm start` runs in this checkout, its chain, broker and subgraph are the defaults, and so
 * is its development client account as the wallet (flags and AGENTRY_* variables still win); the
 * CLI keeps its state in .agentry/cli, which belongs to that chain.
 */
import { LOCAL_CLI_STATE_DIR, runningStack } from "./lib/running-stack.ts";

const local = runningStack();
if (local) {
  process.env.AGENTRY_RPC_URL ||= local.rpcUrl;
  process.env.AGENTRY_BROKER_URL ||= local.brokerUrl;
  process.env.AGENTRY_SUBGRAPH_URL ||= local.subgraphUrl;
  process.env.AGENTRY_STATE_DIR ||= LOCAL_CLI_STATE_DIR;
  process.env.AGENTRY_KEY_FILE ||= local.keyFile;
}
await import("../cli/src/main.ts");
