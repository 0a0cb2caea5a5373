/**
 * `npm run worker -- [serve|register|--help] [options]`: the worker node on Node 22 (see
 * worker/src/main.ts), bundled (scripts/lib/worker-bundle.ts), in its own process with the
 * worker's runtime settings (worker/src/runtime.ts).
 */
import { spawn } from "node:child_process";
import { ENV, NODE_FLAGS } from "../worker/src/runtime.ts";
import { workerBundle } from "./lib/worker-bundle.ts";

const child = spawn(process.execPath, [...NODE_FLAGS, await workerBundle(), ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, ...ENV },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
