/**
 * Server-only settings of the dApp's API routes (the broker and the content store), on top of the
 * shared configuration in config.ts. Read once per process; a wrong value stops the route with a
 * message naming the variable.
 */
import path from "node:path";
import { z } from "zod";
import { loadConfig, type PublicConfig } from "./config.ts";

const serverEnvSchema = z.object({
  AGENTRY_CONTENT_DIR: z.string().min(1).default(".agentry/ipfs"),
  IPFS_API_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url({ protocol: /^https?$/, error: "must be the http(s) URL of a Kubo RPC API" }).optional()),
  AGENTRY_BROKER_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  AGENTRY_BROKER_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
});

export interface ServerConfig extends PublicConfig {
  contentDir: string;
  ipfsApiUrl: string | null;
  callTimeoutMs: number;
  cacheMs: number;
}

let loaded: ServerConfig | undefined;

export function serverConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  if (loaded) return loaded;
  const base = loadConfig(env);
  if (!base.ok) throw new Error(`the dApp is misconfigured: ${base.problems.join("; ")}`);
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`the dApp is misconfigured: ${parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join("; ")}`);
  }
  loaded = {
    ...base.config,
    contentDir: path.resolve(parsed.data.AGENTRY_CONTENT_DIR),
    ipfsApiUrl: parsed.data.IPFS_API_URL ?? null,
    callTimeoutMs: parsed.data.AGENTRY_BROKER_CALL_TIMEOUT_MS,
    cacheMs: parsed.data.AGENTRY_BROKER_CACHE_MS,
  };
  return loaded;
}
