/**
 * The broker's HTTP API (`POST /api/invoke` on the dApp's server), shared by the broker, the dApp
 * and the `agentry` CLI: request and response shapes, error codes with their HTTP statuses, and a
 * small client that checks the receipt it gets back.
 */
import { z } from "zod";
import type { Address } from "viem";
import { voucherWireSchema, encodeVoucher, type SignedVoucher } from "./voucher.ts";
import { receiptWireSchema, verifyReceipt, type SignedReceipt } from "./receipt.ts";
import { requestHash } from "./request.ts";
import { uint256Schema, addressSchema } from "./wire.ts";
import type { EscrowRef } from "./signing.ts";

export const INVOKE_PATH = "/api/invoke";
/** Largest request body the broker reads: a voucher and the tool's arguments. */
export const MAX_INVOKE_BODY_BYTES = 256 * 1024;

export const invokeRequestSchema = z.strictObject({
  agentId: uint256Schema,
  tool: z.string().min(1, "must name the tool").max(128, "must be at most 128 characters"),
  arguments: z.record(z.string(), z.unknown()).default({}),
  voucher: voucherWireSchema,
});
export type InvokeRequest = z.output<typeof invokeRequestSchema>;

export const toolResultSchema = z.object({
  content: z.array(z.record(z.string(), z.unknown())).default([]),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
});
export type ToolResult = z.output<typeof toolResultSchema>;

export const invokeResponseSchema = z.object({
  result: toolResultSchema,
  receipt: receiptWireSchema,
  worker: z.object({ address: addressSchema, endpoint: z.string() }),
});
export type InvokeResponse = z.input<typeof invokeResponseSchema>;

/** Every broker error, with the HTTP status it is sent with. */
export const BROKER_ERRORS = {
  MALFORMED_REQUEST: 400,
  WRONG_REQUEST: 400,
  VOUCHER_DOES_NOT_PAY: 402,
  NOT_ALLOWED: 403,
  UNKNOWN_AGENT: 404,
  UNKNOWN_TOOL: 404,
  WRONG_CALL_INDEX: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  NO_WORKER: 502,
  BAD_RECEIPT: 502,
  TOOL_FAILED: 502,
  TIMEOUT: 504,
  /** The broker cannot read the chain (its RPC endpoint is down): nothing was forwarded. */
  CHAIN_UNAVAILABLE: 503,
  /** POST /api/ipfs, GET /ipfs/<cid>: the content store (a Kubo node) cannot be reached; nothing was stored. */
  STORE_UNAVAILABLE: 503,
  /** GET /ipfs/<cid>: the store does not have it. */
  NOT_FOUND: 404,
  /** GET /ipfs/<cid>: the stored bytes no longer match their CID (never served). */
  CONTENT_CORRUPTED: 502,
} as const;
export type BrokerErrorCode = keyof typeof BROKER_ERRORS;

export const brokerErrorSchema = z.object({
  error: z.enum(Object.keys(BROKER_ERRORS) as [BrokerErrorCode, ...BrokerErrorCode[]]),
  /** What is wrong, for people. */
  reason: z.string(),
  /** What to do about it. */
  hint: z.string(),
  /** Machine-readable details, e.g. `expectedCalls` for WRONG_CALL_INDEX. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type BrokerErrorBody = z.infer<typeof brokerErrorSchema>;

export class BrokerError extends Error {
  override readonly name = "BrokerError";
  readonly code: BrokerErrorCode;
  readonly status: number;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: BrokerErrorCode, reason: string, hint: string, details?: Record<string, unknown>) {
    super(reason);
    this.code = code;
    this.status = BROKER_ERRORS[code];
    this.hint = hint;
    this.details = details;
  }
  toJSON(): BrokerErrorBody {
    return { error: this.code, reason: this.message, hint: this.hint, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface InvokeOutcome {
  result: ToolResult;
  receipt: SignedReceipt;
  worker: { address: Address; endpoint: string };
}

/**
 * Calls a tool through a broker and checks what comes back: the receipt is for this voucher and
 * request, signed by the worker that answered, over this result. Throws BrokerError for error
 * answers (with the broker's reason and hint).
 */
export async function invokeThroughBroker(
  brokerUrl: string,
  ref: EscrowRef,
  call: { agentId: bigint; tool: string; arguments: Record<string, unknown>; voucher: SignedVoucher },
  init: { signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<InvokeOutcome> {
  const doFetch = init.fetch ?? fetch;
  const response = await doFetch(new URL(INVOKE_PATH, brokerUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ agentId: call.agentId.toString(), tool: call.tool, arguments: call.arguments, voucher: encodeVoucher(call.voucher) }),
    signal: init.signal,
  });
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const parsed = brokerErrorSchema.safeParse(body);
    if (parsed.success) throw new BrokerError(parsed.data.error, parsed.data.reason, parsed.data.hint, parsed.data.details);
    throw new BrokerError("NO_WORKER", `the broker answered HTTP ${response.status} without an error body`, "check the broker URL and its logs");
  }
  const parsed = invokeResponseSchema.safeParse(body);
  if (!parsed.success) throw new BrokerError("BAD_RECEIPT", "the broker's answer is not an invoke response", "check the broker URL; retry");
  const receipt: SignedReceipt = parsed.data.receipt;
  await verifyReceipt(ref, receipt, {
    agreementId: call.voucher.agreementId,
    calls: call.voucher.calls,
    requestHash: requestHash({ agentId: call.agentId, toolName: call.tool, arguments: call.arguments }),
    result: parsed.data.result,
    worker: parsed.data.worker.address,
  });
  return { result: parsed.data.result, receipt, worker: parsed.data.worker };
}

