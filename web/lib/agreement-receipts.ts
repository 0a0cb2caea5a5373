/**
 * An agreement's receipts as the client can check them: gathered from the agent's approved workers
 * (GET /receipts/<agreementId>), each verified (signed by the registered worker key it names, for
 * this agreement and call), and the latest redemption's on-chain anchor checked (checkReceiptsAnchor).
 */
import {
  agreementEscrowAbi, approvedWorkerAddresses, checkReceiptsAnchor, latestRedemption, parseReceipt, receiptDigest, RECEIPTS_PAGE_CALLS, workerBaseUrl,
  workerReceiptPages, workerRegistryAbi, type EscrowRef, type SignedReceipt,
} from "@agentry/protocol";
import { Eip712Hasher, verifyReceiptNative } from "@agentry/protocol/native-crypto";
import { zeroAddress, type Address, type Hex, type PublicClient } from "viem";

/**
 * Pages read per worker and request: 10,000 calls. The route answers anyone, so its work is
 * bounded; an agreement with more calls is checked in full with `agentry receipts`.
 */
const MAX_PAGES = 10;

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

async function workerReceipts(client: PublicClient, registry: Address, worker: Address, agreementId: bigint, hasher: Eip712Hasher, problems: string[]) {
  const { endpoint } = await client.readContract({ address: registry, abi: workerRegistryAbi, functionName: "getWorker", args: [worker] });
  const verified: SignedReceipt[] = [];
  let last = 0;
  let read = 0;
  try {
    for await (const page of workerReceiptPages(endpoint, agreementId, { maxPages: MAX_PAGES })) {
      last = page.lastCalls;
      read = Math.max(read, ...page.receipts.map((row) => row.calls));
      for (const row of page.receipts) {
        try {
          const receipt = parseReceipt(row.receipt);
          verifyReceiptNative(hasher, receipt, { worker, agreementId, calls: BigInt(row.calls), requestHash: receipt.requestHash });
          verified.push(receipt);
        } catch (error) {
          problems.push(`call ${row.calls} from worker ${worker}: ${(error as Error).message}`);
        }
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (last > MAX_PAGES * RECEIPTS_PAGE_CALLS && read < last) {
    problems.push(`worker ${worker} (${workerBaseUrl(endpoint)}) holds ${last} calls; the first ${read} are shown: check them all with \`agentry receipts ${agreementId}\``);
  }
  return verified;
}

export async function agreementReceipts(client: PublicClient, ref: EscrowRef, registry: Address, escrowStartBlock: number, agreementId: bigint): Promise<AgreementReceipts | null> {
  const agreement = await client.readContract({ address: ref.escrow, abi: agreementEscrowAbi, functionName: "getAgreement", args: [agreementId] });
  if (agreement.client === zeroAddress) return null;
  const problems: string[] = [];
  const hasher = new Eip712Hasher(ref);
  const workers = await approvedWorkerAddresses(client, ref.chainId, agreement.agentId);
  const byCall = new Map<number, SignedReceipt>();
  for (const worker of workers) {
    for (const receipt of await workerReceipts(client, registry, worker, agreementId, hasher, problems)) {
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
