/**
 * The CLI's configuration: flags first, then environment variables, validated with zod. Every
 * command declares what it needs; a missing or malformed value stops it with the flag and the
 * variable to set.
 */
import os from "node:os";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import { usageError } from "./output.ts";

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  "rpc-url": { type: "string" },
  broker: { type: "string" },
  subgraph: { type: "string" },
  "key-file": { type: "string" },
  "state-dir": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const COMMON_HELP = `Common options (flag, or environment variable):
  --rpc-url <url>      AGENTRY_RPC_URL       JSON-RPC endpoint of the chain (npm start prints it)
  --broker <url>       AGENTRY_BROKER_URL    the dApp's server, which brokers paid calls (POST /api/invoke)
  --subgraph <url>     AGENTRY_SUBGRAPH_URL  the subgraph's GraphQL URL (…/subgraphs/name/agentry)
  --key-file <path>    AGENTRY_KEY_FILE      file holding the wallet's private key (0x + 64 hex digits)
  --state-dir <path>   AGENTRY_STATE_DIR     where agreements' call indexes and receipts are kept (default ~/.agentry)
  --json                                     print the result as JSON
  -h, --help                                 this help`;

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `must be the http(s) URL of ${what}` });

const configSchema = z.object({
  rpcUrl: httpUrl("a JSON-RPC endpoint").optional(),
  brokerUrl: httpUrl("the dApp's server (the broker)").optional(),
  subgraphUrl: httpUrl("the subgraph's GraphQL endpoint").optional(),
  keyFile: z.string().min(1).optional(),
  stateDir: z.string().min(1),
  json: z.boolean(),
});
export type CliConfig = z.infer<typeof configSchema>;

const SOURCES: Record<keyof CliConfig, { flag: string; env?: string }> = {
  rpcUrl: { flag: "--rpc-url", env: "AGENTRY_RPC_URL" },
  brokerUrl: { flag: "--broker", env: "AGENTRY_BROKER_URL" },
  subgraphUrl: { flag: "--subgraph", env: "AGENTRY_SUBGRAPH_URL" },
  keyFile: { flag: "--key-file", env: "AGENTRY_KEY_FILE" },
  stateDir: { flag: "--state-dir", env: "AGENTRY_STATE_DIR" },
  json: { flag: "--json" },
};

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedCommand {
  values: OptionValues;
  positionals: string[];
  config: CliConfig;
}

/** Parses a command's argv (its own options plus the common ones) and the configuration. */
export function parseCommand(
  command: string,
  argv: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  env: NodeJS.ProcessEnv = process.env,
): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...COMMON_OPTIONS }, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message, `see \`agentry ${command} --help\``);
  }
  const values = parsed.values as OptionValues;
  const pick = (flag: string, envName: string) => (typeof values[flag] === "string" ? (values[flag] as string) : env[envName] || undefined);
  const raw = {
    rpcUrl: pick("rpc-url", "AGENTRY_RPC_URL"),
    brokerUrl: pick("broker", "AGENTRY_BROKER_URL"),
    subgraphUrl: pick("subgraph", "AGENTRY_SUBGRAPH_URL"),
    keyFile: pick("key-file", "AGENTRY_KEY_FILE"),
    stateDir: path.resolve(pick("state-dir", "AGENTRY_STATE_DIR") ?? path.join(os.homedir(), ".agentry")),
    json: values.json === true,
  };
  const config = configSchema.safeParse(raw);
  if (!config.success) {
    const issue = config.error.issues[0]!;
    const source = SOURCES[issue.path[0] as keyof CliConfig];
    throw usageError(`${source.flag}${source.env ? ` / ${source.env}` : ""} ${issue.message}`, `fix the value, see \`agentry ${command} --help\``);
  }
  return { values, positionals: parsed.positionals, config: config.data };
}

/** The value of a setting the command cannot work without, or an error naming flag and variable. */
export function required<K extends keyof CliConfig>(config: CliConfig, key: K, why: string): NonNullable<CliConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null) {
    const source = SOURCES[key];
    throw usageError(`no ${source.flag.slice(2)} given: ${why}`, `pass ${source.flag} or set ${source.env}`);
  }
  return value as NonNullable<CliConfig[K]>;
}

/** A positive integer argument (ids, counts), or a usage error naming it. */
export function positiveInteger(value: string | undefined, name: string, command: string): bigint {
  if (value === undefined || !/^[1-9][0-9]{0,76}$/.test(value)) {
    throw usageError(`${name} must be a positive integer, got ${value === undefined ? "nothing" : JSON.stringify(value)}`, `see \`agentry ${command} --help\``);
  }
  return BigInt(value);
}
