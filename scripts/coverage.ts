/** `npm run coverage`: contract tests with coverage; prints line and branch coverage of contracts/. */
import path from "node:path";
import { run } from "./lib/cli.ts";
import { ROOT } from "./lib/paths.ts";
import { checkCoverage } from "./test.ts";

await run(path.join(ROOT, "node_modules", ".bin", "hardhat"), ["test", "--coverage"], { env: { ...process.env, CI: "true" } });
await checkCoverage();
