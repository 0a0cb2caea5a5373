/**
 * Generates the subgraph's inputs that come from elsewhere in the repository:
 *
 * - subgraph/abis/<Contract>.json, from the compiled artifacts (the source of protocol's abis.ts);
 * - subgraph/subgraph.<network>.yaml, one manifest per chain in protocol/deployments.json, with that
 *   chain's addresses and start blocks.
 *
 * Which events the subgraph handles is decided here, once (SUBGRAPH_DATA_SOURCES). Every event of
 * every ABI must be either handled or listed in NOT_INDEXED with the reason, so a contract change
 * that adds or renames an event fails generation instead of going unnoticed.
 *
 * `tsx scripts/generate-subgraph.ts --check` regenerates in memory and fails if the committed files
 * are stale (as generate-protocol.ts does for protocol/src/generated).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CONTRACTS, SUBGRAPH_DIR, type ContractName } from "./lib/paths.ts";
import { readAbi, readRecord, type DeploymentsRecord } from "./generate-protocol.ts";

/** graph-node's mapping API version for graph-ts 0.38, and the manifest spec graph-cli 0.98 writes. */
const API_VERSION = "0.0.9";
const SPEC_VERSION = "1.3.0";

/**
 * The network name each chain has in a graph-node configuration (The Graph's names for public
 * chains). The local chain is "localhost", as in Hardhat and protocol/deployments.json.
 */
export const GRAPH_NETWORKS: Readonly<Record<string, string>> = {
  "31337": "localhost",
  "11155111": "sepolia",
  "84532": "base-sepolia",
};

interface DataSourceDesign {
  /** The mapping file, relative to subgraph/. */
  file: string;
  /** Entity types the handlers write. */
  entities: readonly string[];
  /** Event name → handler name. */
  handlers: Readonly<Record<string, string>>;
}

export const SUBGRAPH_DATA_SOURCES: Readonly<Record<ContractName, DataSourceDesign>> = {
  AgentRegistry: {
    file: "./src/agent-registry.ts",
    entities: ["Account", "Agent", "AgentMetadata"],
    handlers: {
      Transfer: "handleTransfer",
      Registered: "handleRegistered",
      URIUpdated: "handleURIUpdated",
      MetadataSet: "handleMetadataSet",
    },
  },
  WorkerRegistry: {
    file: "./src/worker-registry.ts",
    entities: ["Account", "Worker", "Validator", "Validation", "WorkerApproval", "MeasurementPin"],
    handlers: {
      WorkerRegistered: "handleWorkerRegistered",
      WorkerAttestationUpdated: "handleWorkerAttestationUpdated",
      WorkerEndpointUpdated: "handleWorkerEndpointUpdated",
      WorkerRetired: "handleWorkerRetired",
      ValidatorSet: "handleValidatorSet",
      WorkerValidated: "handleWorkerValidated",
      ValidationRevoked: "handleValidationRevoked",
      WorkerApprovalSet: "handleWorkerApprovalSet",
      MeasurementPinSet: "handleMeasurementPinSet",
    },
  },
  AgreementEscrow: {
    file: "./src/agreement-escrow.ts",
    entities: ["Account", "Agent", "Price", "Terms", "Agreement", "Redemption", "TopUp", "SessionKeyChange"],
    handlers: {
      PriceSet: "handlePriceSet",
      AgreementOpened: "handleAgreementOpened",
      ToppedUp: "handleToppedUp",
      SessionKeySet: "handleSessionKeySet",
      Redeemed: "handleRedeemed",
      AgreementClosed: "handleAgreementClosed",
    },
  },
  ReputationRegistry: {
    file: "./src/reputation-registry.ts",
    entities: ["Account", "Feedback", "FeedbackResponse"],
    handlers: {
      NewFeedback: "handleNewFeedback",
      FeedbackRevoked: "handleFeedbackRevoked",
      FeedbackVerified: "handleFeedbackVerified",
      ResponseAppended: "handleResponseAppended",
    },
  },
};

/** Events the subgraph deliberately ignores, and why. */
export const NOT_INDEXED: Readonly<Record<string, string>> = {
  Approval: "ERC-721 approvals of single agents: operators are read on-chain where they matter",
  ApprovalForAll: "ERC-721 operator approvals: read on-chain where they matter",
  MetadataUpdate: "ERC-4906 signal; Registered and URIUpdated carry the new URI",
  BatchMetadataUpdate: "ERC-4906 signal; never emitted by AgentRegistry",
  EIP712DomainChanged: "ERC-5267 signal; the domains are immutable",
  OwnershipTransferStarted: "WorkerRegistry ownership handover; ValidatorSet records its effect",
  OwnershipTransferred: "WorkerRegistry ownership; ValidatorSet records its effect",
};

/** The IPFS file data source template that reads registration files (spawned by AgentRegistry). */
export const REGISTRATION_FILE_TEMPLATE = {
  name: "RegistrationFile",
  file: "./src/registration-file.ts",
  handler: "handleRegistrationFile",
  entities: ["RegistrationFile", "Service", "Tool"],
} as const;

const abiParameterSchema: z.ZodType<AbiParameter> = z.lazy(() =>
  z.object({
    type: z.string(),
    indexed: z.boolean().optional(),
    components: z.array(abiParameterSchema).optional(),
  }),
);
interface AbiParameter {
  type: string;
  indexed?: boolean | undefined;
  components?: AbiParameter[] | undefined;
}
const abiEventSchema = z.object({ type: z.literal("event"), name: z.string(), inputs: z.array(abiParameterSchema) });
export type AbiEvent = z.infer<typeof abiEventSchema>;

/** The events of an ABI. */
export function abiEvents(abi: readonly unknown[]): AbiEvent[] {
  return abi.flatMap((item) => {
    const parsed = abiEventSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

function canonicalType(parameter: AbiParameter): string {
  if (!parameter.type.startsWith("tuple")) return parameter.type;
  return `(${(parameter.components ?? []).map(canonicalType).join(",")})${parameter.type.slice("tuple".length)}`;
}

/** An event as graph-cli's manifests name it: `Name(indexed uint256,string,...)`. */
export function graphEventSignature(event: AbiEvent): string {
  return `${event.name}(${event.inputs.map((p) => (p.indexed ? "indexed " : "") + canonicalType(p)).join(",")})`;
}

/** Checks the design against an ABI: every handled event exists, every other event is ignored on purpose. */
export function checkDesign(name: ContractName, abi: readonly unknown[]): void {
  const events = new Set(abiEvents(abi).map((e) => e.name));
  const handlers = SUBGRAPH_DATA_SOURCES[name].handlers;
  for (const event of Object.keys(handlers)) {
    if (!events.has(event)) {
      throw new Error(`${name} has no event ${event} any more, but the subgraph handles it: update SUBGRAPH_DATA_SOURCES in scripts/generate-subgraph.ts and the mapping.`);
    }
  }
  for (const event of events) {
    if (!(event in handlers) && !(event in NOT_INDEXED)) {
      throw new Error(`${name} emits ${event}, which the subgraph neither handles nor lists in NOT_INDEXED (scripts/generate-subgraph.ts): decide which.`);
    }
  }
}

function yamlList(items: readonly string[], indent: string): string {
  return items.map((item) => `${indent}- ${item}\n`).join("");
}

export function renderManifest(
  chainId: string,
  chain: DeploymentsRecord[string],
  abis: ReadonlyMap<ContractName, readonly unknown[]>,
): string {
  const network = GRAPH_NETWORKS[chainId];
  if (!network) {
    throw new Error(`protocol/deployments.json has chain ${chainId}, which has no graph-node network name: add it to GRAPH_NETWORKS in scripts/generate-subgraph.ts.`);
  }
  let out = `# Generated by scripts/generate-subgraph.ts from protocol/deployments.json (chain ${chainId}).\n`;
  out += "# Do not edit: run `npm run generate`.\n";
  out += `specVersion: ${SPEC_VERSION}\n`;
  out += "description: Agentry, an open marketplace for AI tools (ERC-8004 agents, escrowed pay-per-call agreements, attested workers).\n";
  out += "schema:\n  file: ./schema.graphql\n";
  out += "dataSources:\n";
  for (const name of CONTRACTS) {
    const contract = chain.contracts[name];
    if (!contract) throw new Error(`protocol/deployments.json: chain ${chainId} has no ${name}; redeploy with \`npm run deploy\`.`);
    const design = SUBGRAPH_DATA_SOURCES[name];
    const events = new Map(abiEvents(abis.get(name) ?? []).map((e) => [e.name, e]));
    out += "  - kind: ethereum/contract\n";
    out += `    name: ${name}\n`;
    out += `    network: ${network}\n`;
    out += "    source:\n";
    out += `      address: "${contract.address}"\n`;
    out += `      abi: ${name}\n`;
    out += `      startBlock: ${contract.startBlock}\n`;
    out += "    mapping:\n";
    out += "      kind: ethereum/events\n";
    out += `      apiVersion: ${API_VERSION}\n`;
    out += "      language: wasm/assemblyscript\n";
    out += "      entities:\n" + yamlList(design.entities, "        ");
    out += "      abis:\n";
    out += `        - name: ${name}\n          file: ./abis/${name}.json\n`;
    out += "      eventHandlers:\n";
    for (const [eventName, handler] of Object.entries(design.handlers)) {
      out += `        - event: ${graphEventSignature(events.get(eventName)!)}\n          handler: ${handler}\n`;
    }
    out += `      file: ${design.file}\n`;
  }
  const t = REGISTRATION_FILE_TEMPLATE;
  out += "templates:\n";
  out += "  - kind: file/ipfs\n";
  out += `    name: ${t.name}\n`;
  out += "    mapping:\n";
  out += `      apiVersion: ${API_VERSION}\n`;
  out += "      language: wasm/assemblyscript\n";
  out += "      entities:\n" + yamlList(t.entities, "        ");
  out += `      handler: ${t.handler}\n`;
  out += "      abis: []\n";
  out += `      file: ${t.file}\n`;
  return out;
}

/** The manifest file of a chain: subgraph/subgraph.<network>.yaml. */
export function manifestPath(chainId: string): string {
  return path.join(SUBGRAPH_DIR, `subgraph.${GRAPH_NETWORKS[chainId] ?? chainId}.yaml`);
}

/** Writes (or with `check`, verifies) the ABIs and manifests. Returns the stale files, relative to subgraph/. */
export async function generateSubgraph(check: boolean): Promise<string[]> {
  const abis = new Map<ContractName, readonly unknown[]>();
  for (const name of CONTRACTS) {
    const abi = await readAbi(name);
    checkDesign(name, abi);
    abis.set(name, abi);
  }
  const files = new Map<string, string>();
  for (const [name, abi] of abis) files.set(path.join(SUBGRAPH_DIR, "abis", `${name}.json`), JSON.stringify(abi, null, 2) + "\n");
  const record = await readRecord();
  for (const chainId of Object.keys(record).sort((a, b) => Number(a) - Number(b))) {
    files.set(manifestPath(chainId), renderManifest(chainId, record[chainId]!, abis));
  }
  // A manifest of a chain no longer in the record is stale too (it cannot be deleted silently).
  const existing = (await readdir(SUBGRAPH_DIR)).filter((f) => /^subgraph\..+\.yaml$/.test(f)).map((f) => path.join(SUBGRAPH_DIR, f));
  const orphans = existing.filter((f) => !files.has(f));

  await mkdir(path.join(SUBGRAPH_DIR, "abis"), { recursive: true });
  const stale: string[] = orphans.map((f) => path.relative(SUBGRAPH_DIR, f) + " (no such chain in protocol/deployments.json: delete it)");
  for (const [file, content] of files) {
    const current = existsSync(file) ? await readFile(file, "utf8") : "";
    if (current === content) continue;
    stale.push(path.relative(SUBGRAPH_DIR, file));
    if (!check) await writeFile(file, content);
  }
  return stale;
}

/** The manifests generateSubgraph writes, one per recorded chain. */
export async function manifestPaths(): Promise<string[]> {
  return Object.keys(await readRecord())
    .sort((a, b) => Number(a) - Number(b))
    .map(manifestPath);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  try {
    const stale = await generateSubgraph(check);
    if (check && stale.length > 0) {
      console.error(`subgraph/ is stale (${stale.join(", ")}): run \`npm run generate\` and commit the result.`);
      process.exit(1);
    }
    console.log(check ? "subgraph/abis and manifests are up to date." : `Generated ${stale.length ? stale.join(", ") : "nothing new"}.`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
