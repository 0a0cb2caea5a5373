/**
 * AWS Nitro Enclaves attestation documents: a COSE_Sign1 (ES384) whose payload is a CBOR map
 * (module_id, digest, timestamp, pcrs, certificate, cabundle, public_key, user_data, nonce).
 * A document verifies when
 *   1. cabundle[0] is the pinned AWS Nitro root (byte for byte),
 *   2. each following certificate of cabundle, then `certificate`, is issued and signed by the one
 *      before it (issuer name = previous subject, previous is a CA),
 *   3. the COSE signature over Sig_structure verifies with the leaf `certificate`'s P-384 key,
 *   4. every certificate of the chain is valid at `now`.
 * Only WebCrypto, Uint8Array and TextEncoder are used, so this runs in browsers as well.
 * Reference: AWS "Verifying the root of trust" (Nitro Enclaves User Guide).
 */
import { bytesToHex } from "viem";
import { bytesEqual, plainBytes } from "./bytes.ts";
import { measurementOf48 } from "./binding.ts";
import { COSE_ALG, COSE_ALG_ES384, decodeCbor, parseCoseSign1, sigStructure1, type CoseSign1 } from "./cose.ts";
import { AttestationError } from "./errors.ts";
import { AWS_NITRO_ROOT_DER } from "./nitro-root.ts";
import type { TeeVerification } from "./types.ts";
import { BasicConstraintsExtension, X509Certificate } from "./x509.ts";

export interface NitroDocument {
  moduleId: string;
  digest: "SHA384";
  /** The document's own time (milliseconds since the epoch in the document). */
  timestamp: Date;
  /** PCR index -> value (48 bytes each for SHA384). */
  pcrs: Map<number, Uint8Array>;
  /** Leaf certificate (DER) whose key signs the document. */
  certificate: Uint8Array;
  /** Issuer chain (DER), root first. */
  cabundle: Uint8Array[];
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
}

function malformed(message: string): AttestationError {
  return new AttestationError("MALFORMED_EVIDENCE", `Nitro attestation document: ${message}`);
}

function bstr(value: unknown, field: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`${field} is not a byte string`);
  if (value.length < min || value.length > max) throw malformed(`${field} is ${value.length} bytes, expected ${min}..${max}`);
  return Uint8Array.from(value);
}

function optionalBstr(value: unknown, field: string, min: number, max: number): Uint8Array | null {
  return value === undefined || value === null ? null : bstr(value, field, min, max);
}

/** Decodes and checks the shape of the payload (no cryptography). */
export function parseNitroPayload(payload: Uint8Array): NitroDocument {
  const map = decodeCbor(payload, "Nitro attestation payload");
  if (!(map instanceof Map)) throw malformed("payload is not a CBOR map");
  for (const key of map.keys()) {
    if (typeof key !== "string") throw malformed("payload has a non-text key");
  }
  const moduleId = map.get("module_id");
  if (typeof moduleId !== "string" || moduleId.length === 0) throw malformed("module_id is not a non-empty text string");
  const digest = map.get("digest");
  if (digest !== "SHA384") throw malformed(`digest is ${JSON.stringify(String(digest))}, expected "SHA384"`);
  const ts = map.get("timestamp");
  const ms = typeof ts === "bigint" ? Number(ts) : ts;
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms <= 0) throw malformed("timestamp is not a positive integer");
  const rawPcrs = map.get("pcrs");
  if (!(rawPcrs instanceof Map) || rawPcrs.size < 1 || rawPcrs.size > 32) throw malformed("pcrs is not a map of 1..32 entries");
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, value] of rawPcrs) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 31) throw malformed(`PCR index ${String(index)} is not in 0..31`);
    pcrs.set(index, bstr(value, `PCR${index}`, 48, 48));
  }
  const certificate = bstr(map.get("certificate"), "certificate", 1, 1024);
  const rawBundle = map.get("cabundle");
  if (!Array.isArray(rawBundle) || rawBundle.length < 1) throw malformed("cabundle is not a non-empty array");
  const cabundle = rawBundle.map((c: unknown, i) => bstr(c, `cabundle[${i}]`, 1, 1024));
  return {
    moduleId,
    digest,
    timestamp: new Date(ms),
    pcrs,
    certificate,
    cabundle,
    publicKey: optionalBstr(map.get("public_key"), "public_key", 1, 1024),
    userData: optionalBstr(map.get("user_data"), "user_data", 0, 512),
    nonce: optionalBstr(map.get("nonce"), "nonce", 0, 512),
  };
}

/** Decodes a Nitro attestation document without verifying it (e.g. to read its timestamp). */
export function parseNitroDocument(bytes: Uint8Array): { cose: CoseSign1; document: NitroDocument } {
  const cose = parseCoseSign1(bytes);
  return { cose, document: parseNitroPayload(cose.payload) };
}

function parseCertificate(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(plainBytes(der));
  } catch (error) {
    throw new AttestationError("MALFORMED_EVIDENCE", `Nitro ${what} is not a DER certificate: ${(error as Error).message}`, { cause: error });
  }
}

export interface VerifyNitroOptions {
  now: Date;
  /** DER of the trusted root; defaults to the pinned AWS Nitro Enclaves root. */
  trustedRoot?: Uint8Array;
}

/** Verifies a Nitro attestation document (chain, signature, validity at `now`) and returns its payload. */
export async function verifyNitroDocument(bytes: Uint8Array, options: VerifyNitroOptions): Promise<NitroDocument> {
  const { cose, document } = parseNitroDocument(bytes);
  const trustedRoot = options.trustedRoot ?? AWS_NITRO_ROOT_DER;
  const subtle = globalThis.crypto.subtle;

  const alg = cose.protectedMap.get(COSE_ALG);
  if (alg !== COSE_ALG_ES384) throw malformed(`COSE algorithm is ${String(alg)}, expected ES384 (-35)`);
  if (cose.signature.length !== 96) throw malformed(`ES384 signature is ${cose.signature.length} bytes, expected 96`);

  // 1. the chain starts at the pinned root
  const ders = [...document.cabundle, document.certificate];
  if (!bytesEqual(ders[0]!, trustedRoot)) {
    throw new AttestationError("UNTRUSTED_ROOT", "Nitro attestation document: cabundle[0] is not the pinned AWS Nitro Enclaves root certificate");
  }
  const certs = ders.map((der, i) => parseCertificate(der, i === ders.length - 1 ? "certificate" : `cabundle[${i}]`));

  // 2. each certificate is issued and signed by the previous one
  for (let i = 1; i < certs.length; i++) {
    const issuer = certs[i - 1]!;
    const cert = certs[i]!;
    if (cert.issuer !== issuer.subject) {
      throw new AttestationError("UNTRUSTED_ROOT", `Nitro certificate chain is broken: "${cert.subject}" is issued by "${cert.issuer}", not by "${issuer.subject}"`);
    }
    if (issuer.getExtension(BasicConstraintsExtension)?.ca !== true) {
      throw new AttestationError("UNTRUSTED_ROOT", `Nitro certificate chain: issuer "${issuer.subject}" is not a CA`);
    }
    const ok = await cert.verify({ publicKey: issuer, signatureOnly: true }, globalThis.crypto);
    if (!ok) {
      throw new AttestationError("INVALID_SIGNATURE", `Nitro certificate chain: the signature of "${cert.subject}" (chain position ${i}) does not verify with its issuer's key`);
    }
  }

  // 3. the COSE signature, with the leaf key (P-384, SHA-384, raw r||s as WebCrypto expects)
  const leaf = certs[certs.length - 1]!;
  const key = await subtle
    .importKey("spki", plainBytes(new Uint8Array(leaf.publicKey.rawData)), { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"])
    .catch((error: unknown) => {
      throw new AttestationError("MALFORMED_EVIDENCE", `Nitro leaf certificate key is not an ECDSA P-384 key: ${(error as Error).message}`, { cause: error });
    });
  const toBeSigned = sigStructure1(cose.protectedHeader, cose.payload);
  const valid = await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, key, plainBytes(cose.signature), plainBytes(toBeSigned));
  if (!valid) throw new AttestationError("INVALID_SIGNATURE", "Nitro attestation document: the COSE_Sign1 signature does not verify with the leaf certificate's key");

  // 4. every certificate is valid at `now`
  for (const cert of certs) {
    if (options.now < cert.notBefore || options.now > cert.notAfter) {
      throw new AttestationError(
        "EXPIRED",
        `Nitro certificate "${cert.subject}" is not valid at ${options.now.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}); the document's own time is ${document.timestamp.toISOString()}`,
      );
    }
  }
  return document;
}

export async function verifyNitro(document: Uint8Array, now: Date): Promise<TeeVerification> {
  const doc = await verifyNitroDocument(document, { now });
  const pcr0 = doc.pcrs.get(0);
  if (!pcr0) throw malformed("PCR0 is missing");
  return {
    measurement: measurementOf48(pcr0),
    rawMeasurement: bytesToHex(pcr0),
    reportData: doc.userData ?? new Uint8Array(0),
    status: "Nitro",
    advisories: [],
    debug: pcr0.every((b) => b === 0),
  };
}

