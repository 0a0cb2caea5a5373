/**
 * Typed errors of the protocol library. Every failure carries a stable `code` (for programs) and a
 * message that says what is wrong and what to do (for people).
 */
export type ProtocolErrorCode =
  | "INVALID_JSON_VALUE"
  | "MALFORMED_VOUCHER"
  | "MALFORMED_RECEIPT"
  | "INVALID_SIGNATURE"
  | "WRONG_SIGNER"
  | "WRONG_AMOUNT"
  | "WRONG_REQUEST"
  | "WRONG_CALL_INDEX"
  | "INVALID_MERKLE_PROOF"
  | "INVALID_CID"
  | "CONTENT_TOO_LARGE"
  | "CONTENT_MISMATCH"
  | "INVALID_REGISTRATION";

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProtocolError";
    this.code = code;
  }
}

export function isProtocolError(error: unknown, code?: ProtocolErrorCode): error is ProtocolError {
  return error instanceof ProtocolError && (code === undefined || error.code === code);
}
