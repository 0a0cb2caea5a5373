/** `npm run bench`: every benchmark, each writing its section of BENCHMARKS.md. */
import path from "node:path";
import { run, step } from "./lib/cli.ts";
import { ROOT } from "./lib/paths.ts";

step("Gas (bench:gas)");
await run(path.join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/bench-gas.ts"], { env: { ...process.env, CI: "true" } });

step("Worker node (bench:worker)");
await run(path.join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/bench-worker.ts"], { env: { ...process.env, CI: "true" } });

step("Broker (bench:broker)");
await run(path.join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/bench-broker.ts"], { env: { ...process.env, CI: "true" } });
