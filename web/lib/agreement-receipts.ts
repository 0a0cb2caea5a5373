/**
 * An agreement's receipts as the client can check them: gathered from the agent's approved workers
 * (GET /receipts/<agreementId>), each verified (signed by the registered worker key it names, for
 * this agreement and call), and the latest redemption's on-chain anchor checked (checkReceiptsAnchor).
 */
import {
  agreementEscrowAbi, approvedWorkerAddresses, checkReceiptsAnchor, latestRedemption, parseReceipt, receiptDigest, verifyReceipt, workerRegistryAbi, type EscrowRef, type SignedReceipt,
} from "@agentry/protocol";
import { z } from "zod";
import { zeroAddress, type Address, type Hex, type PublicClient } from "viem";

const pageSchema = z.object({ receipts: z.array(z.object({ calls: z.number().int().positive(), receipt: z.unknown() })) });

export interface CheckedReceipt {
  calls: number;
  worker: Address;
  timestamp: string;
  digest: Hex;
}

export interface AgreementReceipts {
  agreementId: string;
  receipts: CheckedReceipt[];
  anchor: { calls: number; onChainRoot: Hex; computedRoot: Hex | null; matches: boolean } | null;
  /** Workers that did not answer and receipts that did not verify, one sentence each. */
  problems: string[];
}

async function workerReceipts(client: PublicClient, registry: Address, worker: Address, agreementId: bigint, ref: EscrowRef, problems: string[]) {
  const { endpoint } = await client.readContract({ address: registry, abi: workerRegistryAbi, functionName: "getWorker", args: [worker] });
  const base = endpoint.replace(/\/mcp\/?$/, "");
  let page: z.infer<typeof pageSchema>;
  try {
    const response = await fetch(`${base}/receipts/${agreementId}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    page = pageSchema.parse(await response.json());
  } catch (error) {
    problems.push(`worker ${worker} (${base}) did not give its receipts: ${(error as Error).message.split("\n")[0]}`);
    return [];
  }
  const verified: SignedReceipt[] = [];
  for (const row of page.receipts) {
    try {
      const receipt = parseReceipt(row.receipt);
      await verifyReceipt(ref, receipt, { worker, agreementId, calls: BigInt(row.calls), requestHash: receipt.requestHash });
      verified.push(receipt);
    } catch (error) {
      problems.push(`call ${row.calls} from worker ${worker}: ${(error as Error).message}`);
    }
  }
  return verified;
}

export async function agreementReceipts(client: PublicClient, ref: EscrowRef, registry: Address, escrowStartBlock: number, agreementId: bigint): Promise<AgreementReceipts | null> {
  const agreement = await client.readContract({ address: ref.escrow, abi: agreementEscrowAbi, functionName: "getAgreement", args: [agreementId] });
  if (agreement.client === zeroAddress) return null;
  const problems: string[] = [];
  const workers = await approvedWorkerAddresses(client, ref.chainId, agreement.agentId);
  const byCall = new Map<number, SignedReceipt>();
  for (const worker of workers) {
    for (const receipt of await workerReceipts(client, registry, worker, agreementId, ref, problems)) {
      if (!byCall.has(Number(receipt.calls))) byCall.set(Number(receipt.calls), receipt);
    }
  }
  const last = await latestRedemption(client, { address: ref.escrow, startBlock: escrowStartBlock }, agreementId);
  const anchor: AgreementReceipts["anchor"] = last && { calls: last.calls, onChainRoot: last.receiptsRoot, ...checkReceiptsAnchor(ref, byCall, last.calls, last.receiptsRoot) };
  const receipts = [...byCall.entries()]
    .sort(([a], [b]) => a - b)
    .map(([calls, receipt]) => ({ calls, worker: receipt.worker, timestamp: receipt.timestamp.toString(), digest: receiptDigest(ref, receipt) }));
  return { agreementId: agreementId.toString(), receipts, anchor, problems };
}
