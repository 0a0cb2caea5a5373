/**
 * The small part of COSE (RFC 9052) a Nitro attestation document needs: decoding a COSE_Sign1 and
 * encoding its Sig_structure. The Sig_structure is encoded by hand (a fixed 4-element CBOR array),
 * so byte strings are never tagged and no Node-only API (Buffer) is needed.
 */
import { Decoder, Tag } from "cbor-x";
import { concatBytes, plainBytes } from "./bytes.ts";
import { AttestationError } from "./errors.ts";

/** Maps stay Maps (integer keys, no prototype pollution), no record extension. */
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (bytes.length === 0) throw new AttestationError("MALFORMED_EVIDENCE", `${what} is empty`);
  try {
    // decode a private copy: cbor-x attaches a `dataView` property to the buffer it reads
    return decoder.decode(plainBytes(bytes));
  } catch (error) {
    throw new AttestationError("MALFORMED_EVIDENCE", `${what} is not valid CBOR: ${(error as Error).message}`, { cause: error });
  }
}

export interface CoseSign1 {
  protectedHeader: Uint8Array;
  /** Decoded protected header. */
  protectedMap: Map<unknown, unknown>;
  unprotectedMap: Map<unknown, unknown>;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** COSE header parameter 1 (alg); -35 is ES384. */
export const COSE_ALG = 1;
export const COSE_ALG_ES384 = -35;
const COSE_SIGN1_TAG = 18;

export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let value = decodeCbor(bytes, "attestation document");
  if (value instanceof Tag) {
    if (value.tag !== COSE_SIGN1_TAG) throw new AttestationError("MALFORMED_EVIDENCE", `attestation document has CBOR tag ${value.tag}, expected COSE_Sign1 (18)`);
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) {
    throw new AttestationError("MALFORMED_EVIDENCE", "attestation document is not a COSE_Sign1 (a CBOR array of 4 items)");
  }
  const [protectedHeader, unprotectedMap, payload, signature] = value as unknown[];
  if (!(protectedHeader instanceof Uint8Array)) throw new AttestationError("MALFORMED_EVIDENCE", "COSE_Sign1 protected header is not a byte string");
  if (!(unprotectedMap instanceof Map)) throw new AttestationError("MALFORMED_EVIDENCE", "COSE_Sign1 unprotected header is not a map");
  if (!(payload instanceof Uint8Array)) throw new AttestationError("MALFORMED_EVIDENCE", "COSE_Sign1 payload is not a byte string (detached payloads are not supported)");
  if (!(signature instanceof Uint8Array)) throw new AttestationError("MALFORMED_EVIDENCE", "COSE_Sign1 signature is not a byte string");
  const protectedMap = protectedHeader.length === 0 ? new Map<unknown, unknown>() : decodeCbor(protectedHeader, "COSE protected header");
  if (!(protectedMap instanceof Map)) throw new AttestationError("MALFORMED_EVIDENCE", "COSE protected header is not a map");
  return {
    protectedHeader: Uint8Array.from(protectedHeader),
    protectedMap,
    unprotectedMap,
    payload: Uint8Array.from(payload),
    signature: Uint8Array.from(signature),
  };
}

/** CBOR head (major type + length) in the shortest form. */
function cborHead(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return Uint8Array.of(m | length);
  if (length < 0x100) return Uint8Array.of(m | 24, length);
  if (length < 0x10000) return Uint8Array.of(m | 25, length >> 8, length & 0xff);
  if (length <= 0xffffffff) return Uint8Array.of(m | 26, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  throw new RangeError("CBOR item too long");
}

function cborBytes(bytes: Uint8Array): Uint8Array {
  return concatBytes(cborHead(2, bytes.length), bytes);
}

function cborText(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text);
  return concatBytes(cborHead(3, utf8.length), utf8);
}

/** Sig_structure = ["Signature1", body_protected, external_aad, payload] (RFC 9052 §4.4), deterministically encoded. */
export function sigStructure1(protectedHeader: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concatBytes(cborHead(4, 4), cborText("Signature1"), cborBytes(protectedHeader), cborBytes(externalAad), cborBytes(payload));
}
