/**
 * The servers' hot path (Node only: `@agentry/protocol/native-crypto`): EIP-712 digests with a
 * precomputed domain separator and native libsecp256k1 (prebuilt N-API binary) for voucher and
 * receipt recovery and signing, about 20 times faster than pure JavaScript. The worker signs and
 * checks vouchers with it, the broker checks receipts. The results are identical to the viem-based
 * functions of this library (a property test, test/protocol/native-crypto.test.ts, checks it); those
 * stay the reference and the only ones browsers use.
 */
import { createRequire } from "node:module";
import path from "node:path";
import secp256k1 from "secp256k1";
import createKeccakHash from "keccak";
import {
  bytesToHex, concat, encodeAbiParameters, hexToBytes, keccak256, type Address, type Hex,
} from "viem";
import { AGENTRY_DOMAIN_NAME, AGENTRY_DOMAIN_VERSION } from "./eip712.ts";
import { canonicalJson, type ToolRequest } from "./request.ts";
import type { EscrowRef } from "./signing.ts";
import { assertCanonicalSignature, type Invocation } from "./voucher.ts";
import { assertReceiptMatches, assertReceiptSigner, resultCoverage, type ReceiptBody, type ReceiptExpectations, type SignedReceipt, type ToolResultLike } from "./receipt.ts";
import { ProtocolError } from "./errors.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const DOMAIN_TYPEHASH = keccak256(utf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"));

const INVOCATION_TYPEHASH = keccak256(utf8("Invocation(uint256 agreementId,uint256 calls,uint256 amount,bytes32 requestHash)"));
const RECEIPT_TYPEHASH = keccak256(
  utf8("Receipt(uint256 agreementId,uint256 calls,bytes32 requestHash,bytes32 resultHash,address worker,uint64 timestamp)"),
);

/** The `keccak` package's native sponge (absorb, pad, squeeze), when its prebuilt binary loads. */
interface KeccakSponge {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

/**
 * The package wraps every hash in a stream object, which costs as much as the hashing itself on
 * the 32 to 200 bytes hashed here; one sponge, re-initialized per hash (the package does the same
 * between digests), halves the time and allocates only the digest. Falls back to the package's own
 * API (which itself falls back to JavaScript) where the binary cannot load.
 */
function nativeSponge(): KeccakSponge | null {
  try {
    const require = createRequire(import.meta.url);
    const keccakEntry = require.resolve("keccak");
    const loadBinding = createRequire(keccakEntry)("node-gyp-build") as (dir: string) => unknown;
    const Sponge = loadBinding(path.dirname(keccakEntry));
    return typeof Sponge === "function" ? (new (Sponge as new () => KeccakSponge)()) : null;
  } catch {
    return null;
  }
}
const sponge = nativeSponge();

/** keccak256 through the native binding (about 5 times faster than JavaScript's on short inputs). */
export function keccakNative(data: Uint8Array): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!sponge) return createKeccakHash("keccak256").update(bytes).digest();
  // keccak256: rate 1088 bits, capacity 512, Keccak's 0x01 padding, 32-byte output.
  sponge.initialize(1088, 512);
  sponge.absorb(bytes);
  sponge.absorbLastFewBits(0x01);
  return sponge.squeeze(32);
}

const toHex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;

/** ABI encoding of static values, 32 bytes each: uint (big-endian), bytes32, address (left-padded). */
function words(values: ReadonlyArray<bigint | Hex | Uint8Array>): Buffer {
  const out = Buffer.alloc(32 * values.length);
  values.forEach((value, i) => {
    if (typeof value === "bigint") {
      if (value < 0n || value >= 2n ** 256n) throw new RangeError("uint out of range");
      const hex = value.toString(16);
      out.write(hex.padStart(64, "0"), 32 * i, "hex");
    } else if (typeof value === "string") {
      const hex = value.slice(2);
      out.write(hex.padStart(64, "0"), 32 * i, "hex");
    } else {
      out.set(value, 32 * i + 32 - value.length);
    }
  });
  return out;
}

export class Eip712Hasher {
  private readonly prefix: Buffer;
  constructor(ref: EscrowRef) {
    const domainSeparator = keccakNative(
      words([DOMAIN_TYPEHASH, keccakNative(utf8(AGENTRY_DOMAIN_NAME)), keccakNative(utf8(AGENTRY_DOMAIN_VERSION)), BigInt(ref.chainId), ref.escrow]),
    );
    this.prefix = Buffer.concat([Buffer.from([0x19, 0x01]), domainSeparator]);
  }

  private digest(structHash: Uint8Array): Hex {
    return toHex(keccakNative(Buffer.concat([this.prefix, structHash])));
  }

  voucher(v: Invocation): Hex {
    return this.digest(keccakNative(words([INVOCATION_TYPEHASH, v.agreementId, v.calls, v.amount, v.requestHash])));
  }

  receipt(r: ReceiptBody): Hex {
    return this.digest(keccakNative(words([RECEIPT_TYPEHASH, r.agreementId, r.calls, r.requestHash, r.resultHash, r.worker, r.timestamp])));
  }
}

/** `requestHash` of request.ts with native keccak (same RFC 8785 canonicalization). */
export function requestHashNative(request: ToolRequest): Hex {
  return toHex(keccakNative(words([request.agentId, keccakNative(utf8(request.toolName)), keccakNative(utf8(canonicalJson(request.arguments)))])));
}

/** `resultHash` of receipt.ts with native keccak. */
export function resultHashNative(result: ToolResultLike): Hex {
  return toHex(keccakNative(utf8(canonicalJson(resultCoverage(result)))));
}

function addressOf(uncompressedPublicKey: Uint8Array): Address {
  return `0x${keccakNative(uncompressedPublicKey.subarray(1)).subarray(12).toString("hex")}` as Address;
}

/** Signer of a canonical 65-byte signature over `digest` (throws ProtocolError INVALID_SIGNATURE). */
export function recoverSigner(digest: Hex, signature: Hex): Address {
  assertCanonicalSignature(signature);
  const bytes = hexToBytes(signature);
  const publicKey = secp256k1.ecdsaRecover(bytes.subarray(0, 64), bytes[64]! - 27, hexToBytes(digest), false);
  return addressOf(publicKey);
}

/** A private key held in memory, signing digests natively (low s, v = 27/28: what ecrecover expects). */
export class NativeSigner {
  readonly address: Address;
  private readonly key: Uint8Array;
  constructor(privateKey: Hex) {
    this.key = hexToBytes(privateKey);
    if (!secp256k1.privateKeyVerify(this.key)) throw new Error("invalid secp256k1 private key");
    this.address = addressOf(secp256k1.publicKeyCreate(this.key, false));
  }
  sign(digest: Hex): Hex {
    const { signature, recid } = secp256k1.ecdsaSign(hexToBytes(digest), this.key);
    return bytesToHex(concat([signature, new Uint8Array([27 + recid])]));
  }
}

/** `verifyReceipt` of receipt.ts, natively: same checks, same errors, a fraction of the time. */
export function verifyReceiptNative(hasher: Eip712Hasher, receipt: SignedReceipt, expected: ReceiptExpectations): void {
  assertReceiptMatches(receipt, expected, resultHashNative);
  let signer: Address;
  try {
    signer = recoverSigner(hasher.receipt(receipt), receipt.signature);
  } catch (cause) {
    if (cause instanceof ProtocolError) throw cause;
    throw new ProtocolError("INVALID_SIGNATURE", "the receipt signature is not a valid ECDSA signature", { cause });
  }
  assertReceiptSigner(signer, expected.worker);
}
