/**
 * `agentry deploy`: the project's deployment (scripts/deploy.ts: Ignition, then the record in
 * protocol/ and the subgraph's manifests). It needs the repository (Hardhat, the Ignition module,
 * the compiled contracts), so it runs the script there as a process rather than importing it: the
 * CLI itself depends only on protocol/.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { COMMON_HELP, parseCommand } from "../config.ts";
import { CliError, printResult, progress, table } from "../output.ts";

export const summary = "deploy the contracts (localhost, sepolia, baseSepolia) and record them in protocol/";

export const help = `agentry deploy [--network localhost|sepolia|baseSepolia] [--reset] [--owner <address>]

Runs the repository's deployment (npm run deploy): Ignition deploys the four contracts, then the
addresses and start blocks are recorded in protocol/deployments.json, the generated protocol source
and the subgraph's manifest. localhost uses --rpc-url / AGENTRY_RPC_URL; real networks read
SEPOLIA_RPC_URL / BASE_SEPOLIA_RPC_URL and DEPLOYER_PRIVATE_KEY (see docs/OPERATIONS.md).
Works from a checkout of the repository.

${COMMON_HELP}`;

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const DEPLOY_SCRIPT = path.join(REPOSITORY, "scripts", "deploy.ts");
const RECORD = path.join(REPOSITORY, "protocol", "deployments.json");

const recordSchema = z.record(
  z.string(),
  z.object({ network: z.string(), contracts: z.record(z.string(), z.object({ address: z.string(), startBlock: z.number() })) }),
);

export async function run(argv: string[]): Promise<void> {
  const { values, config } = parseCommand("deploy", argv, { network: { type: "string" }, reset: { type: "boolean" }, owner: { type: "string" } });
  if (!existsSync(DEPLOY_SCRIPT)) {
    throw new CliError(`no deployment script at ${DEPLOY_SCRIPT}`, "run agentry deploy from a checkout of the Agentry repository");
  }
  const network = String(values.network ?? "localhost");
  const args = ["--import", "tsx", DEPLOY_SCRIPT, "--network", network];
  if (values.reset === true) args.push("--reset");
  if (typeof values.owner === "string") args.push("--owner", values.owner);
  progress(`deploying to ${network} (scripts/deploy.ts)`);
  // The script's own progress goes to stderr with ours; stdout stays for the result.
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPOSITORY,
      env: { ...process.env, CI: "true", HARDHAT_DISABLE_TELEMETRY: "true", ...(config.rpcUrl ? { AGENTRY_RPC_URL: config.rpcUrl } : {}) },
      stdio: ["ignore", process.stderr, process.stderr],
    });
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new CliError(`the deployment to ${network} failed (exit code ${code})`, "read the lines above: they say which step failed and why");
  const record = recordSchema.parse(JSON.parse(await readFile(RECORD, "utf8")));
  const entry = Object.entries(record).find(([, d]) => d.network === network);
  if (!entry) throw new CliError(`protocol/deployments.json has no ${network} entry after the deployment`, "run `npm run deploy` to see the full output");
  const [chainId, deployment] = entry;
  printResult(config, { network, chainId: Number(chainId), contracts: deployment.contracts }, () =>
    [`Agentry on ${network} (chain ${chainId}):`, table(["CONTRACT", "ADDRESS", "START BLOCK"], Object.entries(deployment.contracts).map(([name, c]) => [name, c.address, String(c.startBlock)]))].join("\n"),
  );
}
