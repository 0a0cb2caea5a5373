/**
 * The dApp's production build and server, for tests and benchmarks: `next build` once, then
 * `next start` on a free port with the configuration passed as environment variables.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { freePort } from "./chain.ts";
import { run } from "./cli.ts";
import { ROOT } from "./paths.ts";

export const WEB_DIR = path.join(ROOT, "web");
const NEXT_BIN = path.join(ROOT, "node_modules", ".bin", "next");
const BUILD_ID_FILE = path.join(WEB_DIR, ".next", "BUILD_ID");

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

export async function buildWeb(): Promise<void> {
  await run(NEXT_BIN, ["build"], { cwd: WEB_DIR, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

export function hasWebBuild(): boolean {
  return existsSync(BUILD_ID_FILE);
}

export interface WebServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `next start` (the production build must exist) and resolves once it serves pages. */
export async function startWeb(env: WebEnv, options: { logFile: string; timeoutMs?: number }): Promise<WebServer> {
  if (!hasWebBuild()) throw new Error("web/.next has no production build: run `next build` in web/ first.");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(NEXT_BIN, ["start", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...env },
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
export async function initialScripts(baseUrl: string, pagePath: string): Promise<PageScripts> {
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
      const content = await readFile(path.join(WEB_DIR, ".next", "static", pathname.slice("/_next/static/".length)));
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
] as const;

export async function readBuildId(): Promise<string> {
  return (await readFile(BUILD_ID_FILE, "utf8")).trim();
}
