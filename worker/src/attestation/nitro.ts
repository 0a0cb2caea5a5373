/**
 * AWS Nitro Enclaves evidence from the Nitro Secure Module. /dev/nsm is driven by ioctl requests
 * (the NSM API, shipped by AWS as a Rust library), which Node cannot issue, so a small helper
 * command inside the enclave image does it: run as `<helper> --user-data <hex>`, it must print the
 * attestation document (COSE_Sign1, raw CBOR bytes) on stdout and exit 0. The document is checked
 * here to carry the user_data asked for, so a wrong or stale helper cannot attest another key.
 */
import { execFile } from "node:child_process";
import { bytesToHex, type Address } from "viem";
import { parseNitroDocument, reportDataForKey, type NitroEvidence } from "@agentry/protocol";
import type { AttestationProvider } from "./provider.ts";

const MAX_DOCUMENT_BYTES = 64 * 1024;

export class NitroProvider implements AttestationProvider {
  readonly tee = "NITRO" as const;
  readonly hardware = true;
  readonly #helper: string;

  constructor(helper: string) {
    this.#helper = helper;
  }

  async collect(key: Address): Promise<NitroEvidence> {
    const userData = reportDataForKey(key);
    const document = await runHelper(this.#helper, ["--user-data", bytesToHex(userData).slice(2)]);
    assertDocumentBinds(document, userData);
    return { tee: "NITRO", document };
  }
}

function runHelper(command: string, args: string[]): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "buffer", maxBuffer: MAX_DOCUMENT_BYTES, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`the NSM helper "${command}" failed: ${error.message}${stderr.length ? ` (${stderr.toString("utf8").trim()})` : ""}; set --nsm-helper`));
      } else {
        resolve(new Uint8Array(stdout));
      }
    });
  });
}

/** Checks that a Nitro attestation document carries `userData` (so it binds the key). */
export function assertDocumentBinds(document: Uint8Array, userData: Uint8Array): void {
  let parsed;
  try {
    parsed = parseNitroDocument(document).document;
  } catch (error) {
    throw new Error(`the NSM helper printed something that is not an attestation document: ${(error as Error).message}`);
  }
  const actual = parsed.userData ? bytesToHex(parsed.userData) : "none";
  if (actual !== bytesToHex(userData)) {
    throw new Error(`the Nitro document's user_data (${actual.slice(0, 18)}…) is not the key binding asked for (${bytesToHex(userData).slice(0, 18)}…)`);
  }
}
