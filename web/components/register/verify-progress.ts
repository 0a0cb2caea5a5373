/**
 * Re-checks on the chain what a stored wizard state claims, so resuming never trusts localStorage:
 * the agent must exist, be owned by the account and point at the uploaded file; a mint sent before
 * the user left is found by its Registered log; the price step is done when the agent has an ETH price.
 */
import { agentRegistryAbi, agreementEscrowAbi } from "@agentry/protocol/abis";
import { getAbiItem, isAddressEqual, zeroAddress, type Address, type PublicClient } from "viem";
import type { PublicConfig } from "@/lib/config";
import type { WizardState } from "./wizard-state";

const registeredEvent = getAbiItem({ abi: agentRegistryAbi, name: "Registered" });

async function ownedAgentWithUri(client: PublicClient, config: PublicConfig, account: Address, agentId: bigint, uri: string): Promise<boolean> {
  const registry = config.contracts.AgentRegistry.address;
  try {
    const [owner, agentUri] = await Promise.all([
      client.readContract({ address: registry, abi: agentRegistryAbi, functionName: "ownerOf", args: [agentId] }),
      client.readContract({ address: registry, abi: agentRegistryAbi, functionName: "tokenURI", args: [agentId] }),
    ]);
    return isAddressEqual(owner, account) && agentUri === uri;
  } catch {
    return false; // ownerOf reverts for an agent that does not exist
  }
}

async function mintedEarlier(client: PublicClient, config: PublicConfig, account: Address, uri: string): Promise<bigint | null> {
  const logs = await client.getLogs({
    address: config.contracts.AgentRegistry.address,
    event: registeredEvent,
    args: { owner: account },
    fromBlock: BigInt(config.contracts.AgentRegistry.startBlock),
  });
  const match = logs.reverse().find((log) => log.args.agentURI === uri);
  return match?.args.agentId ?? null;
}

export async function verifyProgress(client: PublicClient, config: PublicConfig, account: Address, state: WizardState): Promise<WizardState> {
  if (!state.upload) return { ...state, agentId: null, priceSet: false, workersDone: false };
  let agentId = state.agentId ? BigInt(state.agentId) : null;
  if (agentId !== null && !(await ownedAgentWithUri(client, config, account, agentId, state.upload.uri))) agentId = null;
  agentId ??= await mintedEarlier(client, config, account, state.upload.uri);
  if (agentId === null) return { ...state, agentId: null, priceSet: false, workersDone: false };
  const price = await client.readContract({
    address: config.contracts.AgreementEscrow.address,
    abi: agreementEscrowAbi,
    functionName: "priceOf",
    args: [agentId, zeroAddress],
  });
  return { ...state, agentId: agentId.toString(), priceSet: price > 0n, workersDone: price > 0n && state.workersDone };
}
