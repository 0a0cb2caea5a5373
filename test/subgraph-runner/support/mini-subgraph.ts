/**
 * The runner's fixture subgraph (test/fixtures/subgraph-mini): compiles its Emitter contract with
 * solc-js, writes the ABI the manifest names, and builds the mappings with `graph codegen` and
 * `graph build`, the same toolchain the real subgraph uses. Builds once per source change.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import type { Abi, Hex } from "viem";
import { ROOT } from "../../../scripts/lib/paths.ts";

export const MINI_DIR = path.join(ROOT, "test", "fixtures", "subgraph-mini");
export const MINI_MANIFEST = path.join(MINI_DIR, "build", "subgraph.yaml");
/** Hardhat development account #5 deploys the Emitter at nonce 0 (the manifest's address). */
export const EMITTER_DEPLOYER_KEY: Hex = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
export const EMITTER_ADDRESS = "0x0116686E2291dbd5e317F47faDBFb43B599786Ef";

const SOURCES = ["contracts/Emitter.sol", "schema.graphql", "subgraph.yaml", "src/mapping.ts"];

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

export function compileEmitter(): { abi: Abi; bytecode: Hex } {
  const require = createRequire(import.meta.url);
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "Emitter.sol": { content: readFileSync(path.join(MINI_DIR, "contracts", "Emitter.sol"), "utf8") } },
    settings: { viaIR: true, optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const contract = output.contracts["Emitter.sol"]!["Emitter"]!;
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

function upToDate(): boolean {
  if (!existsSync(MINI_MANIFEST)) return false;
  const built = statSync(MINI_MANIFEST).mtimeMs;
  return SOURCES.every((file) => statSync(path.join(MINI_DIR, file)).mtimeMs < built);
}

/** Builds the fixture subgraph if a source changed; returns the built manifest's path. */
export async function buildMiniSubgraph(): Promise<string> {
  if (upToDate()) return MINI_MANIFEST;
  const { abi } = compileEmitter();
  mkdirSync(path.join(MINI_DIR, "abis"), { recursive: true });
  writeFileSync(path.join(MINI_DIR, "abis", "Emitter.json"), JSON.stringify(abi, null, 2));
  const graph = path.join(ROOT, "node_modules", ".bin", "graph");
  const env = { ...process.env, GRAPH_SKIP_NEW_VERSION_CHECK: "true", CI: "true" };
  const exec = promisify(execFile);
  await exec(graph, ["codegen", "subgraph.yaml"], { cwd: MINI_DIR, env });
  await exec(graph, ["build", "subgraph.yaml"], { cwd: MINI_DIR, env });
  return MINI_MANIFEST;
}

/** POSTs a GraphQL query; returns the parsed response body. */
export async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string }[] }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: T; errors?: { message: string }[] };
}

/** Like gql, but fails on GraphQL errors and returns `data`. */
export async function gqlData<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const body = await gql<T>(url, query, variables);
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors for ${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}
