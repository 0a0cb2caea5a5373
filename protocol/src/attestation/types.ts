/** Evidence, options and results of attestation verification, with zod schemas for untrusted input. */
import { z } from "zod";
import { isAddress, type Address, type Hex } from "viem";
import type { TeeTypeName } from "../eip712.ts";

/** "DEV" | "SGX" | "TDX" | "NITRO", as the WorkerRegistry names them (eip712.ts `TeeType`). */
export type { TeeTypeName } from "../eip712.ts";

const hexString = z.string().regex(/^([0-9a-fA-F]{2})*$/, "expected an even-length hex string without 0x");
const byteArray = z.array(z.number().int().min(0).max(255));
const hexOrBytes = z.union([hexString, byteArray]);

/**
 * Intel DCAP collateral in the shape `@phala/dcap-qvl` takes (as returned by its `getCollateral`):
 * PEM issuer chains, JSON bodies of TCB info and QE identity, and hex (or byte-array) CRLs and
 * signatures. Unknown fields are dropped.
 */
export const dcapCollateralSchema = z.object({
  pck_crl_issuer_chain: z.string(),
  root_ca_crl: hexOrBytes,
  pck_crl: hexOrBytes,
  tcb_info_issuer_chain: z.string(),
  tcb_info: z.string(),
  tcb_info_signature: hexOrBytes,
  qe_identity_issuer_chain: z.string(),
  qe_identity: z.string(),
  qe_identity_signature: hexOrBytes,
  /** PCK certificate chain (PEM), needed only for quotes whose certification data is not a PCK chain. */
  pck_certificate_chain: z.string().optional(),
});
export type DcapCollateral = z.infer<typeof dcapCollateralSchema>;

const bytes = z.instanceof(Uint8Array);
const address = z.string().refine((s) => isAddress(s, { strict: false }), "expected a 20-byte hex address") as unknown as z.ZodType<Address>;

export const evidenceSchema = z.discriminatedUnion("tee", [
  z.object({ tee: z.enum(["SGX", "TDX"]), quote: bytes, collateral: dcapCollateralSchema }),
  z.object({ tee: z.literal("NITRO"), document: bytes }),
  z.object({ tee: z.literal("DEV"), key: address }),
]);

/** Intel SGX or TDX: a DCAP quote with the collateral (TCB info, QE identity, CRLs) to check it against. */
export interface DcapEvidence {
  tee: "SGX" | "TDX";
  quote: Uint8Array;
  collateral: DcapCollateral;
}
/** AWS Nitro Enclaves: the attestation document (COSE_Sign1, CBOR bytes) from the Nitro Secure Module. */
export interface NitroEvidence {
  tee: "NITRO";
  document: Uint8Array;
}
/** Development stand-in: no TEE, just the worker key. Never reported as attested. */
export interface DevEvidence {
  tee: "DEV";
  key: Address;
}
export type Evidence = DcapEvidence | NitroEvidence | DevEvidence;

export interface VerifyAttestationOptions {
  /** When given, the evidence must bind this key (see `keyBinding`), else KEY_NOT_BOUND. */
  workerKey?: Address;
  /** The time at which certificates, CRLs and collateral must be valid. */
  now: Date;
  /** When given (bytes32), the measurement must equal it, else MEASUREMENT_MISMATCH. */
  expectedMeasurement?: Hex;
  /** When true, DEV evidence is rejected with NOT_ATTESTED instead of returned with attested=false. */
  requireAttested?: boolean;
}

export interface AttestationResult {
  tee: TeeTypeName;
  /** bytes32 measurement of the code, per the rule in binding.ts. */
  measurement: Hex;
  /** The untransformed register: MRENCLAVE (32 B), MRTD (48 B), PCR0 (48 B); for DEV, DEV_MEASUREMENT. */
  rawMeasurement: Hex;
  /** Raw report data: 64-byte REPORTDATA (SGX/TDX), user_data (Nitro, "0x" when absent), keyBinding (DEV). */
  reportData: Hex;
  /** `workerKey` when it was given and the evidence binds it; for DEV the evidence's key; otherwise null. */
  boundKey: Address | null;
  /** DCAP TCB status ("UpToDate", "SWHardeningNeeded", ...), "Nitro" for a verified Nitro document, "Dev" for DEV. */
  status: string;
  /** Intel security advisories that apply to the platform's TCB level (empty for Nitro and DEV). */
  advisories: string[];
  /** True when hardware-rooted evidence verified; always false for DEV. */
  attested: boolean;
  /** True for a debug enclave (Nitro: PCR0 all zeros) and for DEV; DCAP rejects debug enclaves outright. */
  debug: boolean;
}

/** What a TEE-specific verifier establishes, before the key and measurement policy is applied. */
export interface TeeVerification {
  measurement: Hex;
  rawMeasurement: Hex;
  reportData: Uint8Array;
  status: string;
  advisories: string[];
  debug: boolean;
}
