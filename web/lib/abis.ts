/** The contract ABIs by contract name, as generated into @agentry/protocol from the compiled contracts. */
import type { Abi } from "viem";
import { agentRegistryAbi, agreementEscrowAbi, reputationRegistryAbi, workerRegistryAbi } from "@agentry/protocol/abis";
import type { AgentryContractName } from "@agentry/protocol/deployments";

export const CONTRACT_ABIS = {
  AgentRegistry: agentRegistryAbi,
  WorkerRegistry: workerRegistryAbi,
  AgreementEscrow: agreementEscrowAbi,
  ReputationRegistry: reputationRegistryAbi,
} as const satisfies Record<AgentryContractName, Abi>;

export const CONTRACT_NAMES = Object.keys(CONTRACT_ABIS) as AgentryContractName[];

export function isContractName(name: string): name is AgentryContractName {
  return Object.prototype.hasOwnProperty.call(CONTRACT_ABIS, name);
}

export const CONTRACT_ROLES: Record<AgentryContractName, string> = {
  AgentRegistry: "ERC-8004 identity: agents as ERC-721 tokens, registration URIs, metadata, agent wallets",
  WorkerRegistry: "worker keys, attestation evidence, validators, per-agent approvals and pinned measurements",
  AgreementEscrow: "prices, escrowed agreements, voucher redemption, closing",
  ReputationRegistry: "ERC-8004 reputation and verified feedback",
};

export const abiFileName = (name: AgentryContractName) => `${name}.json`;
