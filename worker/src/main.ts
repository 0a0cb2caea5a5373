#!/usr/bin/env node
/** `agentry-worker`: run the worker node. `--help` lists every option. */
import { ConfigError, helpText, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { serve } from "./serve.ts";

async function main(): Promise<number> {
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "worker failed", error: (error as Error).message }));
    process.exit(1);
  },
);
