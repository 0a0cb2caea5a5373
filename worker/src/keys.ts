/**
 * The worker's signing key. With a TEE it is generated inside the enclave at every start and never
 * leaves it (the attestation binds it). For DEV it is kept in a file (mode 0600) so restarts keep
 * the same registered key.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { generatePrivateKey } from "viem/accounts";
import type { Hex } from "viem";

/** A private key kept in a file (0x + 64 hex digits); the error never echoes the file's content. */
export function readPrivateKeyFile(file: string): Hex {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new Error(`cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new Error(`${file} does not hold a 32-byte hex private key (0x followed by 64 hex digits)`);
  return text as Hex;
}

export function loadOrCreateKeyFile(file: string): Hex {
  if (existsSync(file)) return readPrivateKeyFile(file);
  mkdirSync(path.dirname(file), { recursive: true });
  const key = generatePrivateKey();
  writeFileSync(file, key + "\n", { mode: 0o600 });
  return key;
}

/** A key that lives only in this process (TEE providers). */
export function ephemeralKey(): Hex {
  return generatePrivateKey();
}
