/**
 * The chain as the CLI reads it: which Agentry deployment the RPC URL serves, agreements as the
 * escrow holds them (the authority on call counts, never the subgraph), and the worker keys the
 * WorkerRegistry knows.
 */
import { createPublicClient, getAddress, http, zeroAddress, type Address, type PublicClient } from "viem";
import {
  approvedWorkerAddresses, getDeployment, readAgreement as readOnChainAgreement, type AgreementState, isDeployedChain, workerRegistryAbi, type ChainDeployment, type EscrowRef,
} from "@agentry/protocol";
import { CliError } from "./output.ts";

export interface Chain {
  publicClient: PublicClient;
  chainId: number;
  deployment: ChainDeployment;
  /** The EIP-712 domain of vouchers and receipts. */
  ref: EscrowRef;
  rpcUrl: string;
}

export async function connectChain(rpcUrl: string): Promise<Chain> {
  const publicClient = createPublicClient({ transport: http(rpcUrl, { retryCount: 1 }) }) as PublicClient;
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (error) {
    throw new CliError(`no chain answers at ${rpcUrl} (${(error as Error).message.split("\n")[0]})`, "check --rpc-url / AGENTRY_RPC_URL (npm start prints the local chain's URL)");
  }
  if (!isDeployedChain(chainId)) {
    throw new CliError(`Agentry is not deployed on chain ${chainId} (the chain at ${rpcUrl})`, "deploy with `agentry deploy --network <name>`, or point --rpc-url at a chain Agentry is deployed on");
  }
  const deployment = getDeployment(chainId);
  return { publicClient, chainId, deployment, ref: { chainId, escrow: deployment.contracts.AgreementEscrow.address }, rpcUrl };
}

export interface OnChainAgreement extends AgreementState {
  id: bigint;
}

export async function readAgreement(chain: Chain, id: bigint): Promise<OnChainAgreement> {
  const a = await readOnChainAgreement(chain.publicClient, chain.ref.escrow, id);
  if (!a) {
    throw new CliError(`agreement ${id} does not exist on chain ${chain.chainId}`, "check the id (`agentry open` prints it) and --rpc-url");
  }
  return { id, ...a };
}

/** Why an agreement cannot pay for another call now, or undefined when it can. */
export function unusableReason(agreement: OnChainAgreement, nowSeconds: bigint): string | undefined {
  if (agreement.closed) return `agreement ${agreement.id} is closed`;
  if (agreement.expiresAt <= nowSeconds) return `agreement ${agreement.id} expired at ${new Date(Number(agreement.expiresAt) * 1000).toISOString()}`;
  return undefined;
}

export interface RegisteredWorker {
  address: Address;
  endpoint: string;
  retired: boolean;
  /** Approved by the agent (WorkerRegistry.isWorkerApproved). */
  approved: boolean;
}

/** A worker key as the WorkerRegistry knows it for `agentId`; undefined when it was never registered. */
export async function registeredWorker(chain: Chain, agentId: bigint, address: Address): Promise<RegisteredWorker | undefined> {
  const registry = chain.deployment.contracts.WorkerRegistry.address;
  const [worker, approved] = await Promise.all([
    chain.publicClient.readContract({ address: registry, abi: workerRegistryAbi, functionName: "getWorker", args: [address] }),
    chain.publicClient.readContract({ address: registry, abi: workerRegistryAbi, functionName: "isWorkerApproved", args: [agentId, address] }),
  ]);
  if (worker.operator === zeroAddress) return undefined;
  return { address: getAddress(address), endpoint: worker.endpoint, retired: worker.retired, approved };
}


/** The workers an agent approves now, from WorkerRegistry's logs (used when the subgraph cannot answer). */
export async function approvedWorkersFromLogs(chain: Chain, agentId: bigint): Promise<RegisteredWorker[]> {
  const addresses = await approvedWorkerAddresses(chain.publicClient, chain.chainId, agentId);
  const workers = await Promise.all(addresses.map((address) => registeredWorker(chain, agentId, address)));
  return workers.filter((w): w is RegisteredWorker => w !== undefined);
}

