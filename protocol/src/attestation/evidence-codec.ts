/**
 * Evidence <-> bytes, for publishing evidence to a content store and fetching it by CID.
 * The envelope is RFC 8785 canonical JSON (so equal evidence gives equal bytes, hence equal CIDs):
 *   { "version": 1, "tee": "SGX" | "TDX", "quote": base64, "collateral": { ...dcap-qvl collateral } }
 *   { "version": 1, "tee": "NITRO", "document": base64 }
 *   { "version": 1, "tee": "DEV", "key": "0x..." }
 */
import { z } from "zod";
import { getAddress, isAddress, type Address } from "viem";
import { canonicalJson } from "../request.ts";
import { fromBase64, toBase64 } from "./bytes.ts";
import { AttestationError } from "./errors.ts";
import { dcapCollateralSchema, evidenceSchema, type Evidence } from "./types.ts";

export const EVIDENCE_ENVELOPE_VERSION = 1;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected standard base64");
const address = z.string().refine((s) => isAddress(s, { strict: false }), "expected a 20-byte hex address");

export const evidenceEnvelopeSchema = z.discriminatedUnion("tee", [
  z.strictObject({ version: z.literal(1), tee: z.enum(["SGX", "TDX"]), quote: base64, collateral: dcapCollateralSchema }),
  z.strictObject({ version: z.literal(1), tee: z.literal("NITRO"), document: base64 }),
  z.strictObject({ version: z.literal(1), tee: z.literal("DEV"), key: address }),
]);
export type EvidenceEnvelope = z.infer<typeof evidenceEnvelopeSchema>;

function malformed(message: string, cause?: unknown): AttestationError {
  return new AttestationError("MALFORMED_EVIDENCE", `evidence envelope: ${message}`, { cause });
}

/** Canonical JSON envelope (UTF-8 bytes) of `evidence`. */
export function encodeEvidence(evidence: Evidence): Uint8Array {
  const parsed = evidenceSchema.safeParse(evidence);
  if (!parsed.success) throw malformed(`evidence has the wrong shape: ${parsed.error.issues.map((i) => i.message).join("; ")}`, parsed.error);
  const ev = parsed.data;
  let envelope: EvidenceEnvelope;
  switch (ev.tee) {
    case "SGX":
    case "TDX":
      envelope = { version: 1, tee: ev.tee, quote: toBase64(ev.quote), collateral: ev.collateral };
      break;
    case "NITRO":
      envelope = { version: 1, tee: "NITRO", document: toBase64(ev.document) };
      break;
    case "DEV":
      envelope = { version: 1, tee: "DEV", key: getAddress(ev.key) };
      break;
  }
  // drop undefined optional fields, which canonical JSON rejects
  return new TextEncoder().encode(canonicalJson(JSON.parse(JSON.stringify(envelope)) as unknown));
}

/** Parses and validates an envelope made by `encodeEvidence`. Throws AttestationError MALFORMED_EVIDENCE. */
export function decodeEvidence(bytes: Uint8Array): Evidence {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw malformed(`not UTF-8 JSON: ${(error as Error).message}`, error);
  }
  const parsed = evidenceEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw malformed(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "), parsed.error);
  }
  const env = parsed.data;
  try {
    switch (env.tee) {
      case "SGX":
      case "TDX":
        return { tee: env.tee, quote: fromBase64(env.quote), collateral: env.collateral };
      case "NITRO":
        return { tee: "NITRO", document: fromBase64(env.document) };
      case "DEV":
        return { tee: "DEV", key: getAddress(env.key) as Address };
    }
  } catch (error) {
    throw malformed((error as Error).message, error);
  }
}
