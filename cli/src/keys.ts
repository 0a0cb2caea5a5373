/** Key files: one private key (0x + 64 hex digits) per file, never echoed, created 0600. */
import { open, readFile } from "node:fs/promises";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { Hex } from "viem";
import { CliError } from "./output.ts";

/** Reads the account whose key `file` holds; the error never shows the file's content. */
export async function readKeyFile(file: string, what: string): Promise<PrivateKeyAccount> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read the ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, "check the path and its permissions");
  }
  const key = text.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new CliError(`the ${what} file ${file} does not hold a 32-byte hex private key`, "the file must contain 0x followed by 64 hex digits, and nothing else");
  }
  return privateKeyToAccount(key as Hex);
}

/** Writes a new random key to `file` (refusing to overwrite one) and returns its account. */
export async function createKeyFile(file: string): Promise<PrivateKeyAccount> {
  const key = generatePrivateKey();
  let handle;
  try {
    handle = await open(file, "wx", 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CliError(`${file} already exists`, "choose another --session-key-out path: an existing key is never overwritten");
    throw new CliError(`cannot create ${file} (${code ?? (error as Error).message})`, "check the directory exists and is writable");
  }
  try {
    await handle.writeFile(`${key}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return privateKeyToAccount(key);
}
