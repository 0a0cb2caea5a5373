/**
 * Reads of Agentry's contracts that the subgraph also answers, straight from the chain: what the
 * broker and the CLI fall back to when the subgraph is down or lags.
 */
import { getAbiItem, getAddress, type Address, type PublicClient } from "viem";
import { getDeployment } from "./deployments.ts";
import { workerRegistryAbi } from "./generated/abis.ts";

const approvalEvent = getAbiItem({ abi: workerRegistryAbi, name: "WorkerApprovalSet" });

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
