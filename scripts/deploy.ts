/**
 * `npm run deploy -- --network <name>`: deploys the Agentry module with Ignition and records the
 * addresses and start blocks in protocol/ (protocol/deployments.json and the generated source).
 *
 * Networks: `localhost` (a running `hardhat node`; set AGENTRY_RPC_URL if it is not on 8545),
 * `sepolia` and `baseSepolia` (SEPOLIA_RPC_URL / BASE_SEPOLIA_RPC_URL and DEPLOYER_PRIVATE_KEY, from
 * the environment or Hardhat's keystore: `npx hardhat keystore set DEPLOYER_PRIVATE_KEY`).
 * Options: `--reset` starts the deployment from scratch (always done on localhost, whose chain is
 * new at every `npm start`), `--owner <address>` owns the WorkerRegistry (default: the deployer).
 */
import path from "node:path";
import { existsSync } from "node:fs";
import { writeFile, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createPublicClient, http } from "viem";
import { flag, hasFlag, run, step } from "./lib/cli.ts";
import { IGNITION_MODULE, IGNITION_PARAMETERS_DIR, ROOT } from "./lib/paths.ts";
import { recordIgnitionDeployment } from "./generate-protocol.ts";
import { generateSubgraph } from "./generate-subgraph.ts";

const NETWORKS: Record<string, { rpcEnv?: string; chainId?: number }> = {
  localhost: {},
  sepolia: { rpcEnv: "SEPOLIA_RPC_URL", chainId: 11155111 },
  baseSepolia: { rpcEnv: "BASE_SEPOLIA_RPC_URL", chainId: 84532 },
};

export interface DeployOptions {
  network: string;
  reset?: boolean;
  owner?: string;
  /** RPC URL of the local node (localhost only). */
  rpcUrl?: string;
}

/** Deploys and records; returns the chain id and the recorded addresses. */
export async function deploy(options: DeployOptions) {
  const { network } = options;
  if (!NETWORKS[network]) {
    throw new Error(`Unknown network "${network}". Use one of: ${Object.keys(NETWORKS).join(", ")}.`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", HARDHAT_DISABLE_TELEMETRY: "true" };
  if (options.rpcUrl) env.AGENTRY_RPC_URL = options.rpcUrl;

  let chainId = NETWORKS[network]!.chainId;
  if (network === "localhost") {
    const url = options.rpcUrl ?? process.env.AGENTRY_RPC_URL ?? "http://127.0.0.1:8545";
    const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
    chainId = await client.getChainId().catch(() => {
      throw new Error(`No chain answers at ${url}. Start one with \`npm start\` or \`npx hardhat node\`.`);
    });
  }

  let parameters = path.join(IGNITION_PARAMETERS_DIR, `${network}.json`);
  if (options.owner) {
    const base = existsSync(parameters) ? JSON.parse(await readFile(parameters, "utf8")) : {};
    base.Agentry = { ...base.Agentry, owner: options.owner };
    parameters = path.join(await mkdtemp(path.join(tmpdir(), "agentry-")), "parameters.json");
    await writeFile(parameters, JSON.stringify(base));
  }

  step(`Deploying the Agentry module to ${network} (chain ${chainId}) with Ignition`);
  const args = ["ignition", "deploy", IGNITION_MODULE, "--network", network, "--parameters", parameters];
  if (options.reset || network === "localhost") args.push("--reset");
  await run(path.join(ROOT, "node_modules", ".bin", "hardhat"), args, { env });

  step("Recording addresses and start blocks in protocol/");
  const recorded = await recordIgnitionDeployment(chainId!, network);
  // The subgraph's manifest for this chain carries the new addresses and start blocks.
  await generateSubgraph(false);
  return { chainId: chainId!, ...recorded };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const network = flag(argv, "network") ?? "localhost";
  try {
    const result = await deploy({ network, reset: hasFlag(argv, "reset"), owner: flag(argv, "owner") });
    console.log(`\nAgentry on ${network} (chain ${result.chainId}):`);
    for (const [name, c] of Object.entries(result.contracts)) {
      console.log(`  ${name.padEnd(20)} ${c.address}  (block ${c.startBlock})`);
    }
    console.log("\nRecorded in protocol/deployments.json, protocol/src/generated/deployments.ts and the subgraph's manifest.");
  } catch (error) {
    console.error(`\nDeployment failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
