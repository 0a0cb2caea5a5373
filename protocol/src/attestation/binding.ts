/**
 * The two rules that turn TEE-specific evidence into protocol values.
 *
 * Measurement rule (`measurement`, always bytes32):
 *   - SGX:   MRENCLAVE as is (already 32 bytes).
 *   - TDX:   sha256(MRTD)  (MRTD is 48 bytes).
 *   - NITRO: sha256(PCR0)  (PCR0 is 48 bytes, SHA-384).
 *   - DEV:   DEV_MEASUREMENT = keccak256(utf8("agentry-dev")).
 * The untransformed value is returned as `rawMeasurement`.
 *
 * Key binding rule: evidence binds the worker key `K` (an Ethereum address) when the first 32 bytes of
 * its report data equal keccak256(abi.encodePacked(K)), i.e. keccak256 of the 20 address bytes
 * (`keyBinding(K)`). Report data is the 64-byte REPORTDATA of an SGX/TDX quote or the `user_data`
 * of a Nitro document; the bytes after the first 32 are free for other uses (e.g. a nonce).
 */
import { getAddress, hexToBytes, isAddress, keccak256, sha256, stringToBytes, type Address, type Hex } from "viem";
import { bytesEqual } from "./bytes.ts";

/** keccak256(utf8("agentry-dev")): the measurement reported for DEV (unattested) evidence. */
export const DEV_MEASUREMENT: Hex = keccak256(stringToBytes("agentry-dev"));

/** The 32 bytes a TEE must put first in its report data / user_data to bind `key`. */
export function keyBinding(key: Address): Hex {
  if (!isAddress(key, { strict: false })) throw new TypeError(`not an address: ${String(key)}`);
  return keccak256(hexToBytes(key));
}

/** True when the first 32 bytes of `reportData` bind `key` (see the module comment). */
export function reportDataBindsKey(reportData: Uint8Array, key: Address): boolean {
  if (reportData.length < 32) return false;
  return bytesEqual(reportData.subarray(0, 32), hexToBytes(keyBinding(key)));
}

/** 64 bytes of report data that bind `key`, with optional extra 32 bytes (e.g. a nonce) after it. */
export function reportDataForKey(key: Address, extra?: Uint8Array): Uint8Array {
  if (extra !== undefined && extra.length > 32) throw new RangeError("extra report data is at most 32 bytes");
  const out = new Uint8Array(64);
  out.set(hexToBytes(keyBinding(key)), 0);
  if (extra) out.set(extra, 32);
  return out;
}

/** sha256 of a 48-byte register (MRTD, PCR0) as bytes32. */
export function measurementOf48(register: Uint8Array): Hex {
  return sha256(register);
}

export function normalizeAddress(key: Address): Address {
  return getAddress(key);
}
