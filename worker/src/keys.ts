/**
 * The worker's signing key. With a TEE it is generated inside the enclave at every start and never
 * leaves it (the attestation binds it). For DEV it is kept in a file (mode 0600) so restarts keep
 * the same registered key.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { generatePrivateKey } from "viem/accounts";
import type { Hex } from "viem";

export function loadOrCreateKeyFile(file: string): Hex {
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8").trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new Error(`${file} does not hold a 32-byte hex private key`);
    return text as Hex;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = generatePrivateKey();
  writeFileSync(file, key + "\n", { mode: 0o600 });
  return key;
}

/** A key that lives only in this process (TEE providers). */
export function ephemeralKey(): Hex {
  return generatePrivateKey();
}
