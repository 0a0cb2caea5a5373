/**
 * The dApp's one configuration loader. Everything configurable comes from environment variables
 * read at request time (never inlined at build time), so one production build serves any chain.
 * Contract addresses are not configuration: they come from @agentry/protocol's deployment record
 * for the configured chain id.
 */
import { z } from "zod";
import { getAddress, type Address } from "viem";
import { getDeployment, UnknownDeploymentError, type AgentryContractName } from "@agentry/protocol/deployments";

/** The local development chain (hardhat node): the only chain with the built-in development wallet. */
export const LOCAL_CHAIN_ID = 31337;

/** Empty variables count as unset (a blank line in an .env file should not fail validation). */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const envSchema = z.object({
  AGENTRY_CHAIN_ID: optional(z.coerce.number({ error: "must be a number" }).int().positive()),
  AGENTRY_RPC_URL: httpUrl,
  AGENTRY_SUBGRAPH_URL: optional(httpUrl),
  AGENTRY_WALLETCONNECT_PROJECT_ID: optional(
    z.string().regex(/^[0-9a-f]{32}$/i, "must be a 32-character hexadecimal WalletConnect (Reown) project id"),
  ),
  AGENTRY_NETWORK_NAME: optional(z.string().min(1).max(64)),
});

export interface DeployedContract {
  address: Address;
  startBlock: number;
}

/** What the browser may know: passed from server components to the client wallet stack as props. */
export interface PublicConfig {
  chainId: number;
  networkName: string;
  rpcUrl: string;
  subgraphUrl: string | null;
  walletConnectProjectId: string | null;
  /** The built-in development wallet exists on the local chain only. */
  devWallet: boolean;
  contracts: Record<AgentryContractName, DeployedContract>;
}

export type ConfigResult = { ok: true; config: PublicConfig } | { ok: false; problems: string[] };

/** Environment variables the dApp reads, with what each one is for (shown when one is wrong). */
export const CONFIG_VARIABLES = {
  AGENTRY_CHAIN_ID: "chain id of the Agentry deployment to use (default 31337, the local chain)",
  AGENTRY_RPC_URL: "JSON-RPC endpoint of that chain, reachable from the browser (required)",
  AGENTRY_SUBGRAPH_URL: "GraphQL endpoint of the Agentry subgraph (optional; Explore needs it)",
  AGENTRY_WALLETCONNECT_PROJECT_ID: "WalletConnect (Reown) project id (optional; without it, no WalletConnect)",
  AGENTRY_NETWORK_NAME: "display name of the network (default: the deployment record's name)",
} as const satisfies Record<keyof z.input<typeof envSchema>, string>;

/** Parses `env` (process.env by default). Never throws: problems come back as sentences. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "environment") as keyof typeof CONFIG_VARIABLES;
        const message = env[name] === undefined && issue.code === "invalid_type" ? "is not set" : issue.message;
        return `${name} ${message} — ${CONFIG_VARIABLES[name] ?? ""}`.trim();
      }),
    };
  }
  const values = parsed.data;
  const chainId = values.AGENTRY_CHAIN_ID ?? LOCAL_CHAIN_ID;
  let deployment;
  try {
    deployment = getDeployment(chainId);
  } catch (error) {
    if (error instanceof UnknownDeploymentError) return { ok: false, problems: [`AGENTRY_CHAIN_ID: ${error.message}`] };
    throw error;
  }
  const contracts = Object.fromEntries(
    Object.entries(deployment.contracts).map(([name, contract]) => [
      name,
      { address: getAddress(contract.address), startBlock: contract.startBlock },
    ]),
  ) as Record<AgentryContractName, DeployedContract>;
  return {
    ok: true,
    config: {
      chainId,
      networkName: values.AGENTRY_NETWORK_NAME ?? deployment.network,
      rpcUrl: values.AGENTRY_RPC_URL,
      subgraphUrl: values.AGENTRY_SUBGRAPH_URL ?? null,
      walletConnectProjectId: values.AGENTRY_WALLETCONNECT_PROJECT_ID ?? null,
      devWallet: chainId === LOCAL_CHAIN_ID,
      contracts,
    },
  };
}
