/**
 * The local subgraph runner for `npm start` (and anyone who wants the local stack's GraphQL): builds
 * the subgraph when its sources are newer than the build, then runs subgraph/runner/main.ts as a
 * child process against the chain, with its data under .agentry/subgraph and file data sources read
 * from the content store in .agentry/ipfs. Resolves once the GraphQL endpoint answers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { buildSubgraph } from "../build-subgraph.ts";
import { freePort, stopChild } from "./chain.ts";
import { LOCAL_STATE_DIR, ROOT, SUBGRAPH_DIR } from "./paths.ts";

export const LOCAL_MANIFEST = path.join(SUBGRAPH_DIR, "build", "localhost", "subgraph.yaml");
export const SUBGRAPH_DATA_DIR = path.join(LOCAL_STATE_DIR, "subgraph");
export const CONTENT_DIR = path.join(LOCAL_STATE_DIR, "ipfs");
export const SUBGRAPH_NAME = "agentry";

export interface LocalIndexer {
  /** http://127.0.0.1:<port>/subgraphs/name/agentry */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function newestSource(): number {
  const files = [path.join(SUBGRAPH_DIR, "schema.graphql"), path.join(SUBGRAPH_DIR, "subgraph.localhost.yaml")];
  for (const name of readdirSync(path.join(SUBGRAPH_DIR, "src"))) files.push(path.join(SUBGRAPH_DIR, "src", name));
  return Math.max(...files.filter(existsSync).map((f) => statSync(f).mtimeMs));
}

/** Builds the subgraph unless subgraph/build/localhost is newer than its sources. */
export async function ensureSubgraphBuilt(): Promise<string> {
  if (!existsSync(LOCAL_MANIFEST) || statSync(LOCAL_MANIFEST).mtimeMs < newestSource()) await buildSubgraph();
  if (!existsSync(LOCAL_MANIFEST)) throw new Error(`the subgraph build has no localhost manifest (${path.relative(ROOT, LOCAL_MANIFEST)})`);
  return LOCAL_MANIFEST;
}

export async function startIndexer(options: { rpcUrl: string; port?: number; logFile: string; dataDir?: string }): Promise<LocalIndexer> {
  const manifest = await ensureSubgraphBuilt();
  const port = options.port ?? (await freePort());
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(process.execPath, [
    "--import", "tsx", path.join(SUBGRAPH_DIR, "runner", "main.ts"),
    "--rpc", options.rpcUrl, "--manifest", manifest, "--data", options.dataDir ?? SUBGRAPH_DATA_DIR,
    "--port", String(port), "--name", SUBGRAPH_NAME, "--content", CONTENT_DIR,
  ], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the subgraph runner did not start within 120 s; see ${options.logFile}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
      const ready = /GraphQL at (http:\/\/\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the subgraph runner exited (code ${code}) before serving:\n${output.trim().split("\n").slice(-5).join("\n")}`));
    });
  });
  return {
    url,
    process: child,
    stop: () => stopChild(child),
  };
}
