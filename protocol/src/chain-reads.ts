/**
 * Reads of Agentry's contracts that the subgraph also answers, straight from the chain: what the
 * broker and the CLI fall back to when the subgraph is down or lags.
 */
import { getAbiItem, getAddress, zeroAddress, type Address, type Hex, type PublicClient } from "viem";
import { getDeployment } from "./deployments.ts";
import { agreementEscrowAbi, workerRegistryAbi } from "./generated/abis.ts";

const approvalEvent = getAbiItem({ abi: workerRegistryAbi, name: "WorkerApprovalSet" });
const redeemedEvent = getAbiItem({ abi: agreementEscrowAbi, name: "Redeemed" });

/** Workers the agent currently approves, from WorkerRegistry's `WorkerApprovalSet` logs (latest event per worker wins). */
export async function approvedWorkerAddresses(publicClient: PublicClient, chainId: number, agentId: bigint): Promise<Address[]> {
  const registry = getDeployment(chainId).contracts.WorkerRegistry;
  const logs = await publicClient.getLogs({
    address: registry.address,
    event: approvalEvent,
    args: { agentId },
    fromBlock: BigInt(registry.startBlock),
    toBlock: "latest",
  });
  const approved = new Map<Address, boolean>();
  for (const log of logs) approved.set(getAddress(log.args.worker!), log.args.approved!);
  return [...approved].filter(([, ok]) => ok).map(([address]) => address);
}

/** An agreement as AgreementEscrow stores it (counts as bigint). */
export interface AgreementState {
  agentId: bigint;
  client: Address;
  token: Address;
  price: bigint;
  sessionKey: Address;
  maxCalls: bigint;
  fundedCalls: bigint;
  redeemedCalls: bigint;
  expiresAt: bigint;
  closed: boolean;
}

/** The agreement `id` from the escrow, or null when no agreement has that id. */
export async function readAgreement(publicClient: PublicClient, escrow: Address, id: bigint): Promise<AgreementState | null> {
  const a = await publicClient.readContract({ address: escrow, abi: agreementEscrowAbi, functionName: "getAgreement", args: [id] });
  if (a.client === zeroAddress) return null;
  return {
    agentId: a.agentId,
    client: getAddress(a.client),
    token: getAddress(a.token),
    price: a.price,
    sessionKey: getAddress(a.sessionKey),
    maxCalls: BigInt(a.maxCalls),
    fundedCalls: BigInt(a.fundedCalls),
    redeemedCalls: BigInt(a.redeemedCalls),
    expiresAt: BigInt(a.expiresAt),
    closed: a.closed,
  };
}

/** An agreement's latest redemption: receipts 1..calls are anchored on-chain by receiptsRoot. */
export interface Redemption {
  calls: number;
  receiptsRoot: Hex;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** The latest `Redeemed` event of agreement `id`, or null when nothing was redeemed yet. */
export async function latestRedemption(publicClient: PublicClient, escrow: { address: Address; startBlock: number }, id: bigint): Promise<Redemption | null> {
  const logs = await publicClient.getLogs({ address: escrow.address, event: redeemedEvent, args: { agreementId: id }, fromBlock: BigInt(escrow.startBlock), toBlock: "latest" });
  const last = logs.at(-1);
  if (last?.args.calls === undefined || !last.args.receiptsRoot) return null;
  return { calls: last.args.calls, receiptsRoot: last.args.receiptsRoot, blockNumber: last.blockNumber, transactionHash: last.transactionHash };
}
