/**
 * The dApp's production build and server, for tests and benchmarks: `next build` once, then
 * `next start` on a free port with the configuration passed as environment variables.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, statSync } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { freePort } from "./chain.ts";
import { run } from "./cli.ts";
import { ROOT } from "./paths.ts";

export const WEB_DIR = path.join(ROOT, "web");
const NEXT_BIN = path.join(ROOT, "node_modules", ".bin", "next");

/**
 * A production build directory inside web/ (next.config.ts reads AGENTRY_WEB_DIST_DIR). Tests and
 * benchmarks use their own, so building never pulls the files from under a running server.
 */
export type DistDir = ".next" | ".next-e2e" | ".next-bench";
/** The browser tests' build (built once by `npm test`, or by their global setup when stale). */
export const E2E_DIST_DIR: DistDir = ".next-e2e";
const distEnv = (distDir: DistDir) => ({ AGENTRY_WEB_DIST_DIR: distDir });
const buildIdFile = (distDir: DistDir) => path.join(WEB_DIR, distDir, "BUILD_ID");

/** Environment of the dApp's server (see web/lib/config.ts for what each variable means). */
export interface WebEnv {
  AGENTRY_RPC_URL: string;
  AGENTRY_CHAIN_ID?: string;
  AGENTRY_SUBGRAPH_URL?: string;
  AGENTRY_WALLETCONNECT_PROJECT_ID?: string;
  AGENTRY_NETWORK_NAME?: string;
  /** The embedded content store (POST /api/ipfs, GET /ipfs/<cid>, worker evidence for the broker). */
  AGENTRY_CONTENT_DIR?: string;
  IPFS_API_URL?: string;
  AGENTRY_BROKER_CALL_TIMEOUT_MS?: string;
}

export async function buildWeb(distDir: DistDir): Promise<void> {
  await run(NEXT_BIN, ["build"], { cwd: WEB_DIR, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...distEnv(distDir) } });
}

export function hasWebBuild(distDir: DistDir): boolean {
  return existsSync(buildIdFile(distDir));
}

/** What the browser build is made of: a change to any of these makes web/.next stale. */
const BUILD_INPUTS = ["web/app", "web/components", "web/lib", "web/next.config.ts", "web/package.json", "protocol/src", "protocol/package.json"];

async function newestChange(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const children = await readdir(entry);
  const times = await Promise.all(children.map((child) => newestChange(path.join(entry, child))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when there is no production build or a source file changed after it was made. */
export async function webBuildIsStale(distDir: DistDir): Promise<boolean> {
  if (!hasWebBuild(distDir)) return true;
  const built = statSync(buildIdFile(distDir)).mtimeMs;
  const changed = await Promise.all(BUILD_INPUTS.map((input) => newestChange(path.join(ROOT, input))));
  return Math.max(...changed) > built;
}

export interface WebServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `next start` (the production build must exist) and resolves once it serves pages. */
export async function startWeb(env: WebEnv, options: { distDir: DistDir; logFile: string; timeoutMs?: number }): Promise<WebServer> {
  if (!hasWebBuild(options.distDir)) throw new Error(`web/${options.distDir} has no production build: build it first (buildWeb).`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile, { flags: "a" });
  // web/server.ts: Next's handler plus the broker's fast path (what production runs; see its header).
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...distEnv(options.distDir), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}; see ${options.logFile}`);
    try {
      const response = await fetch(`${url}/developers/abi/AgentRegistry.json`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return { url, process: child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`next start did not serve ${url} within ${(options.timeoutMs ?? 60_000) / 1000} s; see ${options.logFile}`);
}

export interface PageScripts {
  path: string;
  files: { src: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
}

/**
 * The JavaScript a page needs before it is interactive: every `<script src>` in the HTML the
 * production server renders (except `nomodule` ones), read from the build output and gzipped
 * (level 6, what servers use).
 * Chunks loaded later on demand (dynamic imports, e.g. the development wallet's signer) are not part
 * of it.
 */
export async function initialScripts(baseUrl: string, pagePath: string, distDir: DistDir): Promise<PageScripts> {
  const response = await fetch(new URL(pagePath, baseUrl));
  if (!response.ok) throw new Error(`${pagePath} answered HTTP ${response.status}`);
  const html = await response.text();
  // `nomodule` scripts (Next's legacy polyfills) are skipped by every browser that runs modules.
  const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\bnomodule\b/i.test(tag));
  const sources = [...new Set(tags.flatMap((tag) => /\bsrc="([^"]+)"/.exec(tag)?.[1] ?? []))];
  const files = await Promise.all(
    sources.map(async (src) => {
      const pathname = new URL(src, baseUrl).pathname;
      if (!pathname.startsWith("/_next/static/")) throw new Error(`${pagePath} loads a script from outside the build: ${src}`);
      const content = await readFile(path.join(WEB_DIR, distDir, "static", pathname.slice("/_next/static/".length)));
      return { src: pathname, bytes: content.length, gzipBytes: gzipSync(content, { level: 6 }).length };
    }),
  );
  return {
    path: pagePath,
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

/** Initial-JS budgets (gzip bytes): public pages stay light, wallet pages carry wagmi + RainbowKit. */
export const PAGE_BUDGETS = [
  { path: "/", name: "Explore", kind: "public", budget: 180 * 1024 },
  { path: "/developers", name: "Developers", kind: "public", budget: 180 * 1024 },
  { path: "/register", name: "Register agent", kind: "wallet", budget: 350 * 1024 },
  { path: "/agreements", name: "My agreements", kind: "wallet", budget: 350 * 1024 },
  { path: "/workers", name: "Workers", kind: "wallet", budget: 350 * 1024 },
  // The first demo agent, seeded by the e2e stack; bench:web runs without a subgraph, where the page
  // renders its "no index" notice (the route's client chunks are the same).
  { path: "/agents/1", name: "Agent page", kind: "wallet", budget: 350 * 1024 },
] as const;


