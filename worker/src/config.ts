/**
 * Worker configuration: command-line flags, each with an environment-variable fallback, validated
 * with zod. `--help` prints this table.
 */
import { parseArgs } from "node:util";
import path from "node:path";
import { z } from "zod";

interface Option {
  flag: string;
  env: string;
  help: string;
  default?: string;
  multiple?: boolean;
}

export const OPTIONS = {
  rpcUrl: { flag: "rpc-url", env: "AGENTRY_RPC_URL", help: "JSON-RPC URL of the chain the escrow lives on", default: "http://127.0.0.1:8545" },
  host: { flag: "host", env: "AGENTRY_WORKER_HOST", help: "interface to listen on", default: "127.0.0.1" },
  port: { flag: "port", env: "AGENTRY_WORKER_PORT", help: "port to listen on (0 = any free port)", default: "8787" },
  dataDir: { flag: "data-dir", env: "AGENTRY_WORKER_DATA_DIR", help: "where the call database and the DEV key live", default: ".agentry/worker" },
  keyFile: { flag: "key-file", env: "AGENTRY_WORKER_KEY_FILE", help: "file holding the worker's private key (DEV: created if missing)" },
  tee: { flag: "tee", env: "AGENTRY_WORKER_TEE", help: "attestation provider: auto, dev, tdx or nitro", default: "auto" },
  agents: { flag: "agents", env: "AGENTRY_WORKER_AGENTS", help: "comma-separated agent ids served (default: any agent)" },
  upstreamCommand: { flag: "upstream-command", env: "AGENTRY_UPSTREAM_COMMAND", help: "MCP server to front over stdio (a shell-style command line); repeatable", multiple: true },
  upstreamUrl: { flag: "upstream-url", env: "AGENTRY_UPSTREAM_URL", help: "MCP server to front over Streamable HTTP; repeatable", multiple: true },
  toolTimeoutMs: { flag: "tool-timeout-ms", env: "AGENTRY_TOOL_TIMEOUT_MS", help: "time limit of one tool call", default: "5000" },
  maxOutputBytes: { flag: "max-output-bytes", env: "AGENTRY_MAX_OUTPUT_BYTES", help: "size limit of one tool result", default: "1048576" },
  maxBodyBytes: { flag: "max-body-bytes", env: "AGENTRY_MAX_BODY_BYTES", help: "size limit of one HTTP request body", default: "1048576" },
  cacheMs: { flag: "agreement-cache-ms", env: "AGENTRY_AGREEMENT_CACHE_MS", help: "how long agreement state read from the chain is reused", default: "2000" },
  redeemIntervalMs: { flag: "redeem-interval-ms", env: "AGENTRY_REDEEM_INTERVAL_MS", help: "how often unredeemed vouchers are redeemed", default: "60000" },
  redeemThreshold: { flag: "redeem-threshold", env: "AGENTRY_REDEEM_THRESHOLD", help: "redeem an agreement as soon as this many calls are unredeemed", default: "1000" },
  redeemMarginS: { flag: "redeem-margin-s", env: "AGENTRY_REDEEM_MARGIN_S", help: "redeem at once when the redeem window closes within this many seconds", default: "3600" },
  logLevel: { flag: "log-level", env: "AGENTRY_LOG_LEVEL", help: "debug, info, warn or error", default: "info" },
  register: { flag: "register", env: "AGENTRY_WORKER_REGISTER", help: "serve: register (or update) the worker in WorkerRegistry at startup; required with a TEE, whose key lives only in memory", default: "false" },
  operatorKeyFile: { flag: "operator-key-file", env: "AGENTRY_OPERATOR_KEY_FILE", help: "register: file holding the operator's private key (pays gas, becomes the worker's operator)" },
  publicUrl: { flag: "public-url", env: "AGENTRY_WORKER_PUBLIC_URL", help: "register: the MCP endpoint URL clients reach (default: http://<host>:<port>/mcp)" },
  contentDir: { flag: "content-dir", env: "AGENTRY_CONTENT_DIR", help: "register: content store the evidence is published to", default: ".agentry/ipfs" },
  attestationValidityDays: { flag: "attestation-validity-days", env: "AGENTRY_ATTESTATION_VALIDITY_DAYS", help: "register: how long the registration stays valid", default: "30" },
  pccsUrl: { flag: "pccs-url", env: "AGENTRY_PCCS_URL", help: "TDX: PCCS serving Intel's collateral for the quote", default: "https://api.trustedservices.intel.com" },
  nsmHelper: { flag: "nsm-helper", env: "AGENTRY_NSM_HELPER", help: "NITRO: command printing an attestation document for --user-data <hex>", default: "agentry-nsm-attest" },
} satisfies Record<string, Option>;

const int = (min: number) => z.coerce.number().int().min(min);

const schema = z.object({
  rpcUrl: z.url({ message: "must be an http(s) URL" }),
  host: z.string().min(1),
  port: int(0).max(65535),
  dataDir: z.string().min(1),
  keyFile: z.string().optional(),
  tee: z.enum(["auto", "dev", "tdx", "nitro"]),
  agents: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const ids = s.split(",").map((x) => x.trim());
      if (ids.some((x) => !/^\d+$/.test(x))) {
        ctx.addIssue({ code: "custom", message: "must be agent ids separated by commas, e.g. 1,2,5" });
        return z.NEVER;
      }
      return new Set(ids.map(BigInt));
    }),
  upstreamCommand: z.array(z.string().min(1)),
  upstreamUrl: z.array(z.url()),
  toolTimeoutMs: int(1),
  maxOutputBytes: int(1),
  maxBodyBytes: int(1024),
  cacheMs: int(0),
  redeemIntervalMs: int(100),
  redeemThreshold: int(1),
  redeemMarginS: int(0),
  logLevel: z.enum(["debug", "info", "warn", "error"]),
  register: z.enum(["true", "false"], { message: "must be true or false" }).transform((v) => v === "true"),
  operatorKeyFile: z.string().optional(),
  publicUrl: z.url({ message: "must be an http(s) URL" }).optional(),
  contentDir: z.string().min(1),
  attestationValidityDays: int(1).max(365),
  pccsUrl: z.url({ message: "must be an http(s) URL" }),
  nsmHelper: z.string().min(1),
});

export type WorkerConfig = z.infer<typeof schema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function helpText(): string {
  const lines = [
    "Usage: agentry-worker [serve] [options]       run the worker node",
    "       agentry-worker register [options]      register the worker key in WorkerRegistry (evidence to the content store, CID on-chain)",
    "",
    "Options (each also read from the environment variable shown):",
  ];
  for (const o of Object.values(OPTIONS) as Option[]) {
    lines.push(`  --${o.flag.padEnd(22)} ${o.env.padEnd(28)} ${o.help}${o.default ? ` (default: ${o.default})` : ""}`);
  }
  lines.push("  --help                  print this help");
  return lines.join("\n");
}

/** Parses argv (flags win over env vars, which win over defaults); ConfigError says what is wrong. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { command: string; help: boolean; config: WorkerConfig } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: "boolean" },
        ...Object.fromEntries(
          (Object.values(OPTIONS) as Option[]).map((o) => [o.flag, { type: "string" as const, multiple: o.multiple ?? false }]),
        ),
      },
    });
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  const raw: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(OPTIONS) as [string, Option][]) {
    const fromFlag = (parsed.values as Record<string, string | string[] | boolean | undefined>)[o.flag];
    const fromEnv = env[o.env];
    if (o.multiple) raw[key] = (fromFlag as string[] | undefined) ?? (fromEnv ? fromEnv.split("\n").filter(Boolean) : []);
    else raw[key] = (fromFlag as string | undefined) ?? fromEnv ?? o.default;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const o = OPTIONS[i.path[0] as keyof typeof OPTIONS] as Option | undefined;
      return o ? `--${o.flag} (${o.env}): ${i.message}` : i.message;
    });
    throw new ConfigError(`invalid configuration: ${issues.join("; ")}`);
  }
  const config = result.data;
  config.dataDir = path.resolve(config.dataDir);
  config.contentDir = path.resolve(config.contentDir);
  return { command: parsed.positionals[0] ?? "serve", help: parsed.values.help === true, config };
}
