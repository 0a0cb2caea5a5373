/**
 * The connected account's agreements, read from the chain through the wallet stack's public client:
 * as a client (AgreementOpened by client) and as a provider (AgreementOpened for agents it owns).
 * The escrow's getAgreement is the authority on counts and amounts.
 */
import { agentRegistryAbi, agreementEscrowAbi } from "@agentry/protocol/abis";
import { getAbiItem, isAddressEqual, type Address, type Hex, type PublicClient } from "viem";
import type { PublicConfig } from "./config";

/** AgreementEscrow.CLOSE_GRACE_PERIOD: the client may close this long after expiry. */
export const CLOSE_GRACE_SECONDS = 86_400n;

const openedEvent = getAbiItem({ abi: agreementEscrowAbi, name: "AgreementOpened" });
const redeemedEvent = getAbiItem({ abi: agreementEscrowAbi, name: "Redeemed" });
const registeredEvent = getAbiItem({ abi: agentRegistryAbi, name: "Registered" });

export interface AgreementRow {
  id: bigint;
  agentId: bigint;
  client: Address;
  price: bigint;
  maxCalls: number;
  fundedCalls: number;
  redeemedCalls: number;
  expiresAt: bigint;
  closed: boolean;
  deposit: bigint;
  redeemedAmount: bigint;
  /** The latest redemption's anchor: receipts 1..calls have this Merkle root. */
  anchor: { calls: number; receiptsRoot: Hex } | null;
}

async function readRow(client: PublicClient, config: PublicConfig, id: bigint): Promise<AgreementRow> {
  const escrow = config.contracts.AgreementEscrow;
  const [a, redemptions] = await Promise.all([
    client.readContract({ address: escrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [id] }),
    client.getLogs({ address: escrow.address, event: redeemedEvent, args: { agreementId: id }, fromBlock: BigInt(escrow.startBlock) }),
  ]);
  const last = redemptions.at(-1);
  return {
    id,
    agentId: a.agentId,
    client: a.client,
    price: a.price,
    maxCalls: a.maxCalls,
    fundedCalls: a.fundedCalls,
    redeemedCalls: a.redeemedCalls,
    expiresAt: a.expiresAt,
    closed: a.closed,
    deposit: a.deposit,
    redeemedAmount: a.redeemedAmount,
    anchor: last?.args.calls !== undefined && last.args.receiptsRoot ? { calls: last.args.calls, receiptsRoot: last.args.receiptsRoot } : null,
  };
}

async function agentsOwnedBy(client: PublicClient, config: PublicConfig, account: Address): Promise<bigint[]> {
  const registry = config.contracts.AgentRegistry;
  const logs = await client.getLogs({ address: registry.address, event: registeredEvent, args: { owner: account }, fromBlock: BigInt(registry.startBlock) });
  const ids = logs.map((log) => log.args.agentId).filter((id): id is bigint => id !== undefined);
  // Registered names the first owner; keep the agents the account still owns.
  const owners = await Promise.all(ids.map((id) => client.readContract({ address: registry.address, abi: agentRegistryAbi, functionName: "ownerOf", args: [id] })));
  return ids.filter((_, i) => isAddressEqual(owners[i]!, account));
}

export async function myAgreements(client: PublicClient, config: PublicConfig, account: Address): Promise<{ asClient: AgreementRow[]; asProvider: AgreementRow[] }> {
  const escrow = config.contracts.AgreementEscrow;
  const fromBlock = BigInt(escrow.startBlock);
  const agents = await agentsOwnedBy(client, config, account);
  const [opened, served] = await Promise.all([
    client.getLogs({ address: escrow.address, event: openedEvent, args: { client: account }, fromBlock }),
    agents.length ? client.getLogs({ address: escrow.address, event: openedEvent, args: { agentId: agents }, fromBlock }) : Promise.resolve([]),
  ]);
  const ids = (logs: typeof opened) => [...new Set(logs.map((log) => log.args.agreementId).filter((id): id is bigint => id !== undefined))].reverse();
  const [asClient, asProvider] = await Promise.all([
    Promise.all(ids(opened).map((id) => readRow(client, config, id))),
    Promise.all(ids(served).map((id) => readRow(client, config, id))),
  ]);
  return { asClient, asProvider };
}

/** When the client may close: expiry plus the escrow's grace period. */
export const closableAt = (row: AgreementRow) => row.expiresAt + CLOSE_GRACE_SECONDS;
