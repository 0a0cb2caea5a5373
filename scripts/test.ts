/**
 * `npm test`: every suite, from a fresh clone (each step prints its number and name).
 *  - Debian packages the suites use (Chromium, ipfs-cid): installed when missing and possible;
 *  - compile the contracts (solc-js from npm, no download); protocol/src/generated up to date;
 *  - typecheck every TypeScript package (strict);
 *  - the subgraph: ABIs and manifests up to date, `graph codegen` and `graph build` for every
 *    network manifest (a contract change that breaks the mappings fails here), manifest tests;
 *  - contract tests with coverage (Solidity unit, fuzz, invariants; TypeScript/viem); line and
 *    branch coverage of contracts/ must be >= 95%;
 *  - protocol library tests (property tests, shared vectors, attestation on real evidence, CIDs
 *    against Debian's ipfs-cid, the native hot path against viem);
 *  - worker unit tests (built-in tools, attestation providers); dApp unit tests;
 *  - stack tests on real processes (hardhat node, npm start with the whole product, deploy, worker);
 *  - the subgraph runner, the broker (in process and through the production server), the CLI;
 *  - the dApp in a browser: `next build`, then Playwright on Debian's Chromium (test/e2e).
 */
import path from "node:path";
import { run, step } from "./lib/cli.ts";
import { ROOT } from "./lib/paths.ts";
import { readFile } from "node:fs/promises";
import { percent, readContractCoverage } from "./lib/coverage.ts";
import { branchCoverage } from "./lib/branch-coverage.ts";
import { ensureSystemPackages } from "./lib/system-packages.ts";
import { E2E_DIST_DIR, buildWeb } from "./lib/web.ts";

const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
const COVERAGE_THRESHOLD = 95;

/**
 * Prints line and branch coverage of the production contracts and fails below the threshold.
 * Lines come from Hardhat's lcov; branches are derived from its statement counts (see
 * scripts/lib/branch-coverage.ts: EDR does not report branches itself).
 */
export async function checkCoverage(): Promise<string[]> {
  const { files } = await readContractCoverage(path.join(ROOT, "coverage", "lcov.info"));
  if (files.length === 0) throw new Error("coverage/lcov.info has no contracts/ entries");
  const solcVersion = (JSON.parse(await readFile(path.join(ROOT, "node_modules", "solc", "package.json"), "utf8")) as { version: string }).version;
  const branchReports = await branchCoverage(files.map((f) => f.file), path.join(ROOT, "coverage", "data"), solcVersion);
  let [lineHit, lineFound, branchHit, branchFound] = [0, 0, 0, 0];
  const table = ["| Contract | Lines | Branches (both outcomes of every `if`) |", "| --- | ---: | ---: |"];
  console.log("\n  Contract coverage            lines            branches (both outcomes of every if)");
  for (const f of files) {
    const report = branchReports.find((r) => r.file === f.file)!;
    const found = report.branches.length * 2;
    const hit = report.branches.reduce((n, b) => n + Number(b.trueTaken) + Number(b.falseTaken), 0);
    const missed = report.branches
      .filter((b) => !b.trueTaken || !b.falseTaken)
      .map((b) => `${b.line}${b.trueTaken ? "" : "T"}${b.falseTaken ? "" : "F"}`);
    [lineHit, lineFound, branchHit, branchFound] = [lineHit + f.lines.hit, lineFound + f.lines.found, branchHit + hit, branchFound + found];
    table.push(`| ${f.file} | ${pct(f.lines.hit, f.lines.found).trim()} (${f.lines.hit}/${f.lines.found}) | ${pct(hit, found).trim()} (${hit}/${found}) |`);
    console.log(
      `    ${f.file.padEnd(36)} ${pct(f.lines.hit, f.lines.found)} ${String(f.lines.hit).padStart(4)}/${String(f.lines.found).padEnd(4)}  ${pct(hit, found)} ${String(hit).padStart(3)}/${String(found).padEnd(3)}` +
        (missed.length ? `  missed: ${missed.join(" ")}` : ""),
    );
  }
  const lines = percent(lineHit, lineFound);
  const branches = percent(branchHit, branchFound);
  console.log(`    ${"all production contracts".padEnd(36)} ${pct(lineHit, lineFound)} ${String(lineHit).padStart(4)}/${String(lineFound).padEnd(4)}  ${pct(branchHit, branchFound)} ${String(branchHit).padStart(3)}/${String(branchFound).padEnd(3)}`);
  table.push(`| **all production contracts** | **${pct(lineHit, lineFound).trim()}** (${lineHit}/${lineFound}) | **${pct(branchHit, branchFound).trim()}** (${branchHit}/${branchFound}) |`);
  if (lines < COVERAGE_THRESHOLD || branches < COVERAGE_THRESHOLD) {
    throw new Error(`contract coverage below ${COVERAGE_THRESHOLD}% (lines ${lines.toFixed(1)}%, branches ${branches.toFixed(1)}%)`);
  }
  return table;
}

function pct(hit: number, found: number): string {
  return `${percent(hit, found).toFixed(1).padStart(5)}%`;
}

async function main() {
  const env = { ...process.env, CI: "true" };
  step("Checking the Debian packages the suites use (Chromium, ipfs-cid)");
  await ensureSystemPackages();

  step("Compiling the contracts");
  await run(bin("hardhat"), ["compile"], { env });

  step("Checking protocol/src/generated against the compiled ABIs and protocol/deployments.json");
  await run(bin("tsx"), ["scripts/generate-protocol.ts", "--check"], { env });

  step("Typechecking (tsc --strict)");
  await run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"], { env });
  await run(bin("tsc"), ["--noEmit", "-p", "web/tsconfig.json"], { env });
  await run(bin("tsc"), ["--noEmit", "-p", "test/e2e/tsconfig.json"], { env });

  step("Subgraph: ABIs and manifests up to date, graph codegen + graph build for every network, manifest tests");
  await run(bin("tsx"), ["scripts/generate-subgraph.ts", "--check"], { env });
  await run(bin("tsx"), ["scripts/build-subgraph.ts"], { env });
  await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/subgraph/*.test.ts"], { env });

  step("Contract tests with coverage (Solidity: unit, fuzz, invariants; TypeScript: viem)");
  await run(bin("hardhat"), ["test", "--coverage"], { env });
  await checkCoverage();

  step("Protocol library tests (canonical JSON, vouchers, receipts, Merkle tree, attestation, workers' receipt pages; property tests; PROTOCOL.md's error tables against the code)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/protocol/*.test.ts"], { env });

  step("Worker unit tests (built-in tool library, the tool time limit, the MCP transport against the SDK's, the durable call store and its upgrade, attestation providers on real evidence)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/worker/*.test.ts"], { env });

  step("dApp unit tests (configuration, transaction errors, tool forms, routing, the broker's MCP client for workers against the SDK's server, the content stores: Kubo's RPC API, failures; client addresses and rate limits)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/web/*.test.ts"], { env });

  step("Stack tests (real processes: hardhat node, npm start, deploy, the worker node with MCP clients)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/stack/*.test.ts"], { env });

  step("Subgraph runner tests (the fixture subgraph and Agentry's subgraph on hardhat nodes: entities, GraphQL dialect, restarts, reindexing, indexing errors)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/subgraph-runner/*.test.ts"], { env });

  step("Broker tests (real stack: workers registered on-chain, subgraph fallback, failover, forged receipts, bad evidence, every error code)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/broker/*.test.ts"], { env });

  step("CLI tests (agentry as processes: subgraph runner, worker, the Next.js broker, MCP over stdio with the SDK and the MCP Inspector)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/cli/*.test.ts"], { env });

  step("dApp end-to-end tests (next build, then Playwright on Chromium: wallets, transaction progress, rejections, reverts, page weight)");
  await buildWeb(E2E_DIST_DIR);
  await run(bin("playwright"), ["test"], { env });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await main();
    console.log("\nAll suites passed.");
  } catch (error) {
    console.error(`\nnpm test failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
