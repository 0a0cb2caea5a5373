/** Starting and waiting for a local Hardhat chain on a free port. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { ROOT } from "./paths.ts";

/** SIGTERM to a child process we started; resolves once it has exited (at once if it already has). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("no port"));
      server.close(() => resolve(address.port));
    });
  });
}

/** Polls `url` until it answers eth_chainId; fails after `timeoutMs` or when `child` exits. */
export async function waitForChain(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 1_000 }) });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the chain exited with code ${child.exitCode}`);
    try {
      return await client.getChainId();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer from ${url} after ${timeoutMs / 1000} s`);
}

export interface LocalChain {
  url: string;
  port: number;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `hardhat node` on 127.0.0.1:`port` (a free one by default), logging to `logFile`. */
export async function startChain(options: { port?: number; logFile: string }): Promise<LocalChain> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: ROOT, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const chainId = await waitForChain(url, child).catch((error: unknown) => {
    child.kill("SIGTERM");
    throw new Error(`The local chain did not start (${String(error)}); see ${options.logFile}.`);
  });
  return {
    url,
    port,
    chainId,
    process: child,
    stop: () => stopChild(child),
  };
}
