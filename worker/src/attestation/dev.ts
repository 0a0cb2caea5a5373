/** DEV evidence: the worker key and nothing else. Verifiers always report it as not attested. */
import type { Address } from "viem";
import type { DevEvidence } from "@agentry/protocol";
import type { AttestationProvider } from "./provider.ts";

export class DevProvider implements AttestationProvider {
  readonly tee = "DEV" as const;
  readonly hardware = false;
  async collect(key: Address): Promise<DevEvidence> {
    return { tee: "DEV", key };
  }
}
