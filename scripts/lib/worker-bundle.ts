/**
 * The worker as it runs: one ESM bundle of worker/src and protocol/src (with their libraries) in
 * `worker/dist/<hash of the sources>/`, built on first use by esbuild. Running the bundle instead
 * of the TypeScript sources keeps Node's type stripper (about 13 MB resident) out of the process
 * and loads only the library code the worker uses: about 30 MB less RSS under load
 * (docs/OPERATIONS.md, "Worker memory"). The directory name is a hash of everything the bundle is
 * made of, so a changed source never runs stale, and concurrent builds (parallel test files) settle
 * on one directory: each builds into its own temporary one and renames it into place.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ROOT } from "./paths.ts";

const DIST = path.join(ROOT, "worker", "dist");
const SOURCES = [path.join(ROOT, "worker", "src"), path.join(ROOT, "protocol", "src")];
/** Native addons stay outside the bundle: they locate their prebuilt binaries from their package. */
const EXTERNAL = ["secp256k1", "keccak"];
/**
 * Other bundles older than this are removed when a new one is built: a worker loads its chunks
 * (providers, the MCP client) while it starts, so one started from an older bundle no longer
 * needs it, and a day of edits does not pile up hundreds of megabytes.
 */
const KEEP_OLD_MS = 10 * 60_000;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function sourceHash(): string {
  const hash = createHash("sha256");
  for (const file of [...SOURCES.flatMap(filesUnder), path.join(ROOT, "package-lock.json"), fileURLToPath(import.meta.url)]) {
    hash.update(path.relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

let built: Promise<string> | undefined;

/** Path of the bundle's entry point (`main.js`) for the current sources; builds it when missing. */
export function workerBundle(): Promise<string> {
  built ??= buildIfMissing();
  return built;
}

async function buildIfMissing(): Promise<string> {
  const dir = path.join(DIST, sourceHash());
  const entry = path.join(dir, "main.js");
  if (existsSync(entry)) return entry;
  mkdirSync(DIST, { recursive: true });
  const tmp = path.join(DIST, `.build-${process.pid}-${Date.now()}`);
  await build({
    entryPoints: { main: path.join(ROOT, "worker", "src", "main.ts") },
    outdir: tmp,
    bundle: true,
    splitting: true, // the attestation providers, `register` and the MCP client load on demand
    format: "esm",
    platform: "node",
    target: "node22",
    external: EXTERNAL,
    // Bundled CommonJS libraries call require(); ESM has none of its own.
    banner: { js: "import { createRequire as __agentryRequire } from 'node:module'; const require = __agentryRequire(import.meta.url);" },
    logLevel: "error",
  });
  try {
    renameSync(tmp, dir);
  } catch (error) {
    // Another process renamed its identical build into place first.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(entry)) throw error;
  }
  for (const old of readdirSync(DIST)) {
    const other = path.join(DIST, old);
    if (other !== dir && Date.now() - statSync(other).mtimeMs > KEEP_OLD_MS) rmSync(other, { recursive: true, force: true });
  }
  return entry;
}
