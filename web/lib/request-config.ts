import { connection } from "next/server";
import { loadConfig, type ConfigResult } from "./config.ts";

/**
 * The configuration for the current request. `connection()` makes the caller render per request,
 * so the environment is read when the server runs, not frozen into the build.
 */
export async function requestConfig(): Promise<ConfigResult> {
  await connection();
  return loadConfig();
}
