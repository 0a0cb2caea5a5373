/**
 * Receipts: a worker's EIP-712 signature, with its attested key, of
 * `Receipt(agreementId, calls, requestHash, resultHash, worker, timestamp)` in the escrow's domain.
 *
 * resultHash = keccak256(utf8(JCS({ content, structuredContent?, isError? }))) of the MCP
 * CallToolResult, without its `_meta`. On the wire (the result's `_meta["agentry/receipt"]`):
 *   { "agreementId": "7", "calls": "3", "requestHash": "0x…", "resultHash": "0x…",
 *     "worker": "0x…", "timestamp": "1767225600", "signature": "0x…" }
 */
import { hashTypedData, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { escrowDomain, receiptTypes } from "./eip712.ts";
import { ProtocolError } from "./errors.ts";
import { jsonHash } from "./request.ts";
import type { EscrowRef, TypedDataSigner } from "./signing.ts";
import { addressSchema, bytes32Schema, parseWire, signatureSchema, uint256Schema, uint64Schema } from "./wire.ts";

/** The `_meta` key that carries a receipt in a `tools/call` result. */
export const RECEIPT_META_KEY = "agentry/receipt";

export interface ReceiptBody {
  agreementId: bigint;
  calls: bigint;
  requestHash: Hex;
  resultHash: Hex;
  worker: Address;
  timestamp: bigint;
}

export interface SignedReceipt extends ReceiptBody {
  signature: Hex;
}

/** The part of an MCP CallToolResult a receipt covers. */
export interface ToolResultLike {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
  [key: string]: unknown;
}

/** resultHash of an MCP tool result: its content, structuredContent and isError, not its _meta. */
export function resultHash(result: ToolResultLike): Hex {
  return jsonHash(resultCoverage(result));
}

/** The part of a tool result its receipt covers: `{ content, structuredContent?, isError? }`. */
export function resultCoverage(result: ToolResultLike): Record<string, unknown> {
  const covered: Record<string, unknown> = { content: result.content ?? [] };
  if (result.structuredContent !== undefined) covered.structuredContent = result.structuredContent;
  if (result.isError !== undefined) covered.isError = result.isError;
  return covered;
}

function typedData(ref: EscrowRef, body: ReceiptBody) {
  return {
    domain: escrowDomain(ref.chainId, ref.escrow),
    types: receiptTypes,
    primaryType: "Receipt" as const,
    message: {
      agreementId: body.agreementId,
      calls: body.calls,
      requestHash: body.requestHash,
      resultHash: body.resultHash,
      worker: body.worker,
      timestamp: body.timestamp,
    },
  };
}

/** The digest AgreementEscrow.hashReceipt returns for the same receipt: the Merkle leaf input. */
export function receiptDigest(ref: EscrowRef, body: ReceiptBody): Hex {
  return hashTypedData(typedData(ref, body));
}

export async function signReceipt(workerKey: TypedDataSigner, ref: EscrowRef, body: Omit<ReceiptBody, "worker">): Promise<SignedReceipt> {
  const full: ReceiptBody = { ...body, worker: workerKey.address };
  return { ...full, signature: await workerKey.signTypedData(typedData(ref, full)) };
}

export interface ReceiptExpectations {
  /** The worker's registered key. */
  worker: Address;
  requestHash: Hex;
  calls: bigint;
  agreementId: bigint;
  /** The result the receipt must cover (omit to skip the result check). */
  result?: ToolResultLike;
}

/** Verifies a receipt: signed by the registered worker key, for this call, this request and result. */
export async function verifyReceipt(ref: EscrowRef, receipt: SignedReceipt, expected: ReceiptExpectations): Promise<void> {
  assertReceiptMatches(receipt, expected);
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({ ...typedData(ref, receipt), signature: receipt.signature });
  } catch (cause) {
    throw new ProtocolError("INVALID_SIGNATURE", "the receipt signature is not a valid ECDSA signature", { cause });
  }
  assertReceiptSigner(signer, expected.worker);
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The receipt's fields are those expected (everything but the signature). */
/** `hashResult` is resultHash; servers pass the native one (native-crypto.ts). */
export function assertReceiptMatches(receipt: SignedReceipt, expected: ReceiptExpectations, hashResult: (result: ToolResultLike) => Hex = resultHash): void {
  if (receipt.agreementId !== expected.agreementId || receipt.calls !== expected.calls) {
    throw new ProtocolError("WRONG_CALL_INDEX", `receipt is for agreement ${receipt.agreementId} call ${receipt.calls}, expected agreement ${expected.agreementId} call ${expected.calls}`);
  }
  if (!same(receipt.requestHash, expected.requestHash)) {
    throw new ProtocolError("WRONG_REQUEST", "receipt requestHash does not match the request that was sent");
  }
  if (expected.result && !same(receipt.resultHash, hashResult(expected.result))) {
    throw new ProtocolError("MALFORMED_RECEIPT", "receipt resultHash does not match the result returned with it");
  }
  if (!same(receipt.worker, expected.worker)) {
    throw new ProtocolError("WRONG_SIGNER", `receipt names worker ${receipt.worker}, expected the registered key ${expected.worker}`);
  }
}

export function assertReceiptSigner(signer: Address, worker: Address): void {
  if (!same(signer, worker)) {
    throw new ProtocolError("WRONG_SIGNER", `receipt is signed by ${signer}, not by the worker's registered key ${worker}`);
  }
}

export const receiptWireSchema = z.object({
  agreementId: uint256Schema,
  calls: uint256Schema,
  requestHash: bytes32Schema,
  resultHash: bytes32Schema,
  worker: addressSchema,
  timestamp: uint64Schema,
  signature: signatureSchema,
});

export function parseReceipt(value: unknown): SignedReceipt {
  if (value === undefined) {
    throw new ProtocolError("MALFORMED_RECEIPT", `missing receipt: a paid result carries _meta["${RECEIPT_META_KEY}"]`);
  }
  return parseWire(receiptWireSchema, value, "receipt", "MALFORMED_RECEIPT");
}

export function encodeReceipt(receipt: SignedReceipt) {
  return {
    agreementId: receipt.agreementId.toString(),
    calls: receipt.calls.toString(),
    requestHash: receipt.requestHash,
    resultHash: receipt.resultHash,
    worker: receipt.worker,
    timestamp: receipt.timestamp.toString(),
    signature: receipt.signature,
  };
}
