/** Where things live, relative to the repository root (one definition for every script). */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS_DIR = path.join(ROOT, "artifacts", "contracts");
export const IGNITION_MODULE = path.join(ROOT, "ignition", "modules", "Agentry.ts");
export const IGNITION_PARAMETERS_DIR = path.join(ROOT, "ignition", "parameters");
export const IGNITION_DEPLOYMENTS_DIR = path.join(ROOT, "ignition", "deployments");
export const PROTOCOL_GENERATED_DIR = path.join(ROOT, "protocol", "src", "generated");
/** The committed record of every deployment (input of the generated deployments.ts). */
export const DEPLOYMENTS_RECORD = path.join(ROOT, "protocol", "deployments.json");
/** Runtime state of `npm start` (chain data, logs). Never committed. */
export const LOCAL_STATE_DIR = path.join(ROOT, ".agentry");

/** The deployed contracts, in deployment order, as named in the Ignition module's future ids. */
export const CONTRACTS = ["AgentRegistry", "WorkerRegistry", "AgreementEscrow", "ReputationRegistry"] as const;
export type ContractName = (typeof CONTRACTS)[number];
/** The subgraph workspace: schema, mappings, generated ABIs and per-network manifests. */
export const SUBGRAPH_DIR = path.join(ROOT, "subgraph");
