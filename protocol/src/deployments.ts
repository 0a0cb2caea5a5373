/**
 * Typed access to Agentry's deployments. Addresses, ABIs and start blocks come only from the
 * generated source (scripts/generate-protocol.ts), never from hand-written constants.
 */
import type { Address } from "viem";
import { deployments } from "./generated/deployments.ts";

export { deployments };
export * from "./generated/abis.ts";

export type DeployedChainId = keyof typeof deployments;
export type AgentryContractName = keyof (typeof deployments)[DeployedChainId]["contracts"];
export type ChainDeployment = (typeof deployments)[DeployedChainId];

/** Thrown when Agentry has no deployment on the requested chain. */
export class UnknownDeploymentError extends Error {
  readonly chainId: number;
  constructor(chainId: number) {
    const known = Object.keys(deployments).join(", ") || "none";
    super(
      `Agentry is not deployed on chain ${chainId} (deployed on: ${known}). ` +
        "Deploy with `npm run deploy -- --network <name>` or connect to a deployed chain.",
    );
    this.name = "UnknownDeploymentError";
    this.chainId = chainId;
  }
}

export function isDeployedChain(chainId: number): chainId is DeployedChainId {
  return Object.prototype.hasOwnProperty.call(deployments, chainId);
}

/** The deployment on `chainId`, or an UnknownDeploymentError that says how to get one. */
export function getDeployment(chainId: number): ChainDeployment {
  if (!isDeployedChain(chainId)) throw new UnknownDeploymentError(chainId);
  return deployments[chainId];
}

/** Address of one contract on one chain. */
export function contractAddress(chainId: number, name: AgentryContractName): Address {
  return getDeployment(chainId).contracts[name].address;
}
