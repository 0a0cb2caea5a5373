#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=4 --v8-pool-size=1
/** `agentry-worker`: run the worker node. `--help` lists every option. */
import { ConfigError, helpText, loadConfig, type WorkerConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { resolveIdentity } from "./identity.ts";
import { serve } from "./serve.ts";
import { tuneHeap } from "./runtime.ts";

async function main(): Promise<number> {
  tuneHeap();
  let parsed;
  try {
    parsed = loadConfig(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`agentry-worker: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    console.log(helpText());
    return 0;
  }
  const log = createLogger(parsed.config.logLevel);
  if (parsed.command === "register") return register(parsed.config);
  if (parsed.command !== "serve") {
    console.error(`agentry-worker: unknown command "${parsed.command}" (see --help)`);
    return 2;
  }
  const worker = await serve(parsed.config, log);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info("signal received", { signal });
      void worker.stop().then(resolve);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  return 0;
}

/** `agentry-worker register`: prints each step, then the outcome as one JSON line. */
async function register(config: WorkerConfig): Promise<number> {
  const identity = await resolveIdentity(config);
  if (identity.provider.hardware) {
    console.error(`agentry-worker: a ${identity.provider.tee} worker's key exists only inside the serving process; register with \`serve --register true\``);
    return 2;
  }
  const endpoint = config.publicUrl ?? `http://${config.host}:${config.port}/mcp`;
  const { registerFromConfig } = await import("./register.ts");
  const outcome = await registerFromConfig(config, identity, endpoint, (message) => console.error(`  ${message}`));
  console.log(JSON.stringify({ ...outcome, expiresAt: Number(outcome.expiresAt) }));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "worker failed", error: (error as Error).message }));
    process.exit(1);
  },
);
