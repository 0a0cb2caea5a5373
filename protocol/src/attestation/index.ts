/**
 * TEE attestation verifiers (Intel SGX / TDX via DCAP, AWS Nitro Enclaves, and an unattested DEV
 * stand-in) behind one entry point, `verifyAttestation`. Runs in Node and in browsers: the code here
 * uses only WebCrypto, Uint8Array and TextEncoder/TextDecoder.
 */
export { verifyAttestation } from "./verify.ts";
export { AttestationError, isAttestationError, type AttestationErrorCode } from "./errors.ts";
export {
  dcapCollateralSchema,
  evidenceSchema,
  type AttestationResult,
  type DcapCollateral,
  type DcapEvidence,
  type DevEvidence,
  type Evidence,
  type NitroEvidence,
  type VerifyAttestationOptions,
} from "./types.ts";
export { DEV_MEASUREMENT, keyBinding, reportDataBindsKey, reportDataForKey } from "./binding.ts";
export { decodeEvidence, encodeEvidence, evidenceEnvelopeSchema, EVIDENCE_ENVELOPE_VERSION, type EvidenceEnvelope } from "./evidence-codec.ts";
export { parseNitroDocument, verifyNitroDocument, type NitroDocument, type VerifyNitroOptions } from "./nitro.ts";
export { AWS_NITRO_ROOT_PEM, AWS_NITRO_ROOT_SHA256 } from "./nitro-root.ts";
