/**
 * `npm test`: every suite, from a fresh clone.
 *  1. compile the contracts (solc-js from npm, no download);
 *  2. check that protocol/src/generated matches the compiled ABIs and the deployment record;
 *  3. typecheck every TypeScript package (strict);
 *  4. contract tests with coverage: Solidity (forge-std: unit, fuzz, invariants) and TypeScript
 *     (viem on Hardhat's node test runner); line and branch coverage of contracts/ must be >= 95%;
 *  5. stack tests: `npm start`'s orchestration against a real `hardhat node` process.
 */
import path from "node:path";
import { run, step } from "./lib/cli.ts";
import { ROOT } from "./lib/paths.ts";
import { percent, readContractCoverage } from "./lib/coverage.ts";

const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
const COVERAGE_THRESHOLD = 95;

export async function checkCoverage(lcovFile: string): Promise<void> {
  const { files, total } = await readContractCoverage(lcovFile);
  if (files.length === 0) throw new Error(`${lcovFile} has no contracts/ entries`);
  console.log("\n  Contract coverage (lines / branches):");
  for (const f of files) {
    const name = path.relative(ROOT, f.file) || f.file;
    console.log(
      `    ${name.padEnd(44)} ${percent(f.lines.hit, f.lines.found).toFixed(1).padStart(6)}%  ${percent(f.branches.hit, f.branches.found).toFixed(1).padStart(6)}%`,
    );
  }
  const lines = percent(total.lines.hit, total.lines.found);
  const branches = percent(total.branches.hit, total.branches.found);
  console.log(`    ${"all production contracts".padEnd(44)} ${lines.toFixed(1).padStart(6)}%  ${branches.toFixed(1).padStart(6)}%`);
  if (lines < COVERAGE_THRESHOLD || branches < COVERAGE_THRESHOLD) {
    throw new Error(`contract coverage below ${COVERAGE_THRESHOLD}% (lines ${lines.toFixed(1)}%, branches ${branches.toFixed(1)}%)`);
  }
}

async function main() {
  const env = { ...process.env, CI: "true" };
  step("Compiling the contracts");
  await run(bin("hardhat"), ["compile"], { env });

  step("Checking protocol/src/generated against the compiled ABIs and protocol/deployments.json");
  await run(bin("tsx"), ["scripts/generate-protocol.ts", "--check"], { env });

  step("Typechecking (tsc --strict)");
  await run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"], { env });

  step("Contract tests with coverage (Solidity: unit, fuzz, invariants; TypeScript: viem)");
  await run(bin("hardhat"), ["test", "--coverage"], { env });
  await checkCoverage(path.join(ROOT, "coverage", "lcov.info"));

  step("Stack tests (a real hardhat node, deployment, npm start)");
  await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/stack/"], { env });
}

try {
  await main();
  console.log("\nAll suites passed.");
} catch (error) {
  console.error(`\nnpm test failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
