/**
 * Typed failures of attestation verification. Every failure carries a stable `code` (for programs)
 * and a message that says what is wrong (for people). Errors that come from a third-party verifier
 * (@phala/dcap-qvl) keep its original message in `message` and the original error in `cause`.
 */
export type AttestationErrorCode =
  /** The evidence or its collateral cannot be parsed, or has the wrong shape. */
  | "MALFORMED_EVIDENCE"
  /** The options passed to the verifier are invalid (bad address, bad measurement, bad date). */
  | "INVALID_OPTIONS"
  /** A signature (quote, collateral, certificate or COSE) does not verify. */
  | "INVALID_SIGNATURE"
  /** Evidence, collateral or a certificate is not valid at the chosen time (expired or not yet valid). */
  | "EXPIRED"
  /** The certificate chain does not lead to the pinned root of trust. */
  | "UNTRUSTED_ROOT"
  /** A certificate in the chain has been revoked. */
  | "REVOKED"
  /** The platform's TCB level or the enclave's attributes are not acceptable (no matching TCB level, debug, ...). */
  | "TCB_REJECTED"
  /** The measurement differs from `expectedMeasurement`. */
  | "MEASUREMENT_MISMATCH"
  /** The evidence does not bind `workerKey`. */
  | "KEY_NOT_BOUND"
  /** Attested evidence was required but the evidence is a development (unattested) stand-in. */
  | "NOT_ATTESTED";

export class AttestationError extends Error {
  readonly code: AttestationErrorCode;
  constructor(code: AttestationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AttestationError";
    this.code = code;
  }
}

export function isAttestationError(error: unknown, code?: AttestationErrorCode): error is AttestationError {
  return error instanceof AttestationError && (code === undefined || error.code === code);
}
