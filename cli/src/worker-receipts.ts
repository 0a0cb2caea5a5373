/**
 * Receipts held by an agent's workers (`GET /receipts/<agreementId>?from=&to=`, docs/PROTOCOL.md
 * "MCP binding"), each checked before it is believed: signed by the key it names, that key
 * registered in WorkerRegistry, and the stored voucher signed by the agreement's client or session
 * key for the same call and request.
 */
import type { Address } from "viem";
import {
  parseReceipt, parseVoucher, recoverVoucherSigner, verifyReceipt, workerBaseUrl, workerReceiptPages, type SignedReceipt, type SignedVoucher,
} from "@agentry/protocol";
import { registeredWorker, type Chain, type RegisteredWorker } from "./chain.ts";
import type { WorkerEndpoint } from "./directory.ts";

export interface WorkerCall {
  calls: bigint;
  receipt: SignedReceipt;
  voucher: SignedVoucher;
  /** Who signed the voucher (the client or a session key). */
  voucherSigner: Address;
  /** The worker that served it, as registered. */
  worker: RegisteredWorker;
  from: string;
}

export interface AgreementParties {
  id: bigint;
  agentId: bigint;
  /** Addresses whose vouchers bind the client: the client and its session key(s). */
  signers: readonly Address[];
}

export interface WorkerReceipts {
  calls: Map<bigint, WorkerCall>;
  /** Receipts that did not verify, and workers that did not answer: one line each. */
  problems: string[];
}

/** Receipts for calls `from..to` from every worker, verified; the first valid receipt per call wins. */
export async function collectWorkerReceipts(chain: Chain, agreement: AgreementParties, workers: readonly WorkerEndpoint[], from: bigint, to?: bigint): Promise<WorkerReceipts> {
  const out: WorkerReceipts = { calls: new Map(), problems: [] };
  const registry = new Map<string, Promise<RegisteredWorker | undefined>>();
  const lookup = (address: Address) => {
    const key = address.toLowerCase();
    if (!registry.has(key)) registry.set(key, registeredWorker(chain, agreement.agentId, address));
    return registry.get(key)!;
  };
  for (const worker of workers) {
    const base = workerBaseUrl(worker.endpoint);
    try {
      for await (const page of workerReceiptPages(worker.endpoint, agreement.id, { from, to })) {
        for (const row of page.receipts) {
          const calls = BigInt(row.calls);
          if (out.calls.has(calls)) continue;
          const checked = await verifyWorkerCall(chain, agreement, calls, row, lookup);
          if (typeof checked === "string") out.problems.push(`call ${calls} from ${base}: ${checked}`);
          else out.calls.set(calls, { ...checked, from: base });
        }
      }
    } catch (error) {
      out.problems.push((error as Error).message);
    }
  }
  return out;
}

async function verifyWorkerCall(
  chain: Chain,
  agreement: AgreementParties,
  calls: bigint,
  row: { voucher: unknown; receipt: unknown },
  lookup: (address: Address) => Promise<RegisteredWorker | undefined>,
): Promise<Omit<WorkerCall, "from"> | string> {
  try {
    const receipt = parseReceipt(row.receipt);
    const voucher = parseVoucher(row.voucher);
    const worker = await lookup(receipt.worker);
    if (!worker) return `receipt signed for ${receipt.worker}, which is not a registered worker key`;
    await verifyReceipt(chain.ref, receipt, { worker: worker.address, agreementId: agreement.id, calls, requestHash: receipt.requestHash });
    if (voucher.agreementId !== agreement.id || voucher.calls !== calls || voucher.requestHash !== receipt.requestHash) {
      return "the stored voucher is not for this call and request";
    }
    const voucherSigner = await recoverVoucherSigner(chain.ref, voucher);
    if (!agreement.signers.some((s) => s.toLowerCase() === voucherSigner.toLowerCase())) {
      return `the stored voucher is signed by ${voucherSigner}, neither the client nor its session key`;
    }
    return { calls, receipt, voucher, voucherSigner, worker };
  } catch (error) {
    return (error as Error).message;
  }
}
