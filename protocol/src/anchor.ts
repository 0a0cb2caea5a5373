/**
 * Checking a redemption's on-chain receipts root against the receipts a client holds.
 *
 * The root anchors the redeeming worker's view (docs/PROTOCOL.md, "Receipts root with several
 * workers"): the worker that signed the receipt of call `calls` redeemed, its own receipts are the
 * leaves of their calls, and calls it did not serve are FOREIGN_CALL_DIGEST leaves. So the check
 * needs that one receipt; any other missing receipt only shows as a mismatch if it was the
 * redeemer's.
 */
import type { Hex } from "viem";
import { merkleRoot, receiptLeaves } from "./merkle.ts";
import { receiptDigest, type SignedReceipt } from "./receipt.ts";
import type { EscrowRef } from "./signing.ts";

export interface AnchorCheck {
  /** The root of the held receipts; null when the receipt of call `calls` (the redeemer's) is not held. */
  computedRoot: Hex | null;
  matches: boolean;
}

/** `receipts`: verified receipts by call index. */
export function checkReceiptsAnchor(ref: EscrowRef, receipts: ReadonlyMap<number, SignedReceipt>, calls: number, onChainRoot: Hex): AnchorCheck {
  const redeemer = receipts.get(calls)?.worker.toLowerCase();
  if (!redeemer) return { computedRoot: null, matches: false };
  const held = [...receipts]
    .filter(([index, receipt]) => index <= calls && receipt.worker.toLowerCase() === redeemer)
    .map(([index, receipt]) => [index, receiptDigest(ref, receipt)] as const);
  const computedRoot = merkleRoot(receiptLeaves(held, calls));
  return { computedRoot, matches: computedRoot.toLowerCase() === onChainRoot.toLowerCase() };
}
