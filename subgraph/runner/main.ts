/**
 * `node --import tsx subgraph/runner/main.ts --rpc <url> --manifest <file> --data <dir> --port <n>`:
 * the local subgraph runner as a process. Stops cleanly on SIGINT/SIGTERM.
 */
import path from "node:path";
import { z } from "zod";
import { contentStoreSource } from "./content.ts";
import { textLogger } from "./log.ts";
import { startRunner } from "./runner.ts";

const HELP = `Usage: node --import tsx subgraph/runner/main.ts [options]

Runs a built subgraph against a chain: executes its wasm mappings on the chain's logs, keeps the
entities in an embedded Postgres under --data, and serves graph-node's GraphQL API at
http://<host>:<port>/subgraphs/name/<name>.

Options:
  --rpc <url>          JSON-RPC endpoint of the chain (default http://127.0.0.1:8545)
  --manifest <file>    manifest written by \`graph build\` (default subgraph/build/localhost/subgraph.yaml)
  --data <dir>         data directory for the entities (default .agentry/subgraph)
  --port <n>           GraphQL port (default 8000; 0 = any free port)
  --host <address>     address to listen on (default 127.0.0.1)
  --name <name>        subgraph name in the URL (default agentry)
  --content <dir>      content store for file data sources (default .agentry/ipfs)
  --poll-ms <n>        how often to look for new blocks (default 100)
  --help               show this help

Delete the data directory to reindex from scratch; the runner also reindexes by itself when the
chain is a different one (new genesis) or the subgraph build changed.`;

const options = z.object({
  rpc: z.string().url("expected a URL such as http://127.0.0.1:8545").default("http://127.0.0.1:8545"),
  manifest: z.string().default("subgraph/build/localhost/subgraph.yaml"),
  data: z.string().default(".agentry/subgraph"),
  port: z.coerce.number({ error: "expected a port number" }).int().min(0).max(65535, "expected a port number (0..65535)").default(8000),
  host: z.string().default("127.0.0.1"),
  name: z.string().regex(/^[\w-]+(\/[\w-]+)?$/, "may hold letters, digits, - and _ (and one /)").default("agentry"),
  content: z.string().default(".agentry/ipfs"),
  "poll-ms": z.coerce.number({ error: "expected milliseconds" }).int().min(10, "must be at least 10").default(100),
});

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}" (see --help)`);
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (!(name in options.shape)) throw new Error(`unknown option --${name} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return;
  }
  const parsed = options.safeParse(parseArgs(argv));
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ") + " (see --help)");
  const config = parsed.data;
  const log = textLogger();
  const files = await contentStoreSource(path.resolve(config.content));
  const runner = await startRunner({
    manifest: config.manifest,
    rpcUrl: config.rpc,
    dataDir: config.data,
    port: config.port,
    host: config.host,
    name: config.name,
    content: files.content,
    log,
    pollMs: config["poll-ms"],
  }).catch(async (error: unknown) => {
    await files.close();
    throw error;
  });
  log("info", `GraphQL at ${runner.url}`, { chain: config.rpc, data: path.resolve(config.data) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping");
    await runner.stop();
    await files.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  console.error(`subgraph runner: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
