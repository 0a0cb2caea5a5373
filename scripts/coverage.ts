/**
 * `npm run coverage`: contract tests with coverage; prints line and branch coverage of contracts/
 * and writes the table to BENCHMARKS.md. Lines come from Hardhat's lcov; branches are derived from
 * its statement counts (scripts/lib/branch-coverage.ts).
 */
import path from "node:path";
import { run } from "./lib/cli.ts";
import { ROOT } from "./lib/paths.ts";
import { writeBenchmarkSection } from "./lib/benchmarks.ts";
import { checkCoverage } from "./test.ts";

await run(path.join(ROOT, "node_modules", ".bin", "hardhat"), ["test", "--coverage"], { env: { ...process.env, CI: "true" } });
const table = await checkCoverage();
await writeBenchmarkSection("coverage", "Contract coverage (npm run coverage)", "npm run coverage", [
  "All Solidity (unit, fuzz, invariant) and TypeScript contract tests, one `hardhat test --coverage` run. Gate in `npm test`: both at least 95%.",
  "",
  ...table,
]);
