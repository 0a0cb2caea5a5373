/**
 * The worker's identity: its attestation provider and its signing key. With a TEE the key is
 * generated in memory at every start and never leaves the enclave (the evidence binds it); with
 * DEV it lives in a file so restarts keep the registered key.
 */
import path from "node:path";
import type { Hex } from "viem";
import { selectProvider, type AttestationProvider } from "./attestation/provider.ts";
import type { WorkerConfig } from "./config.ts";
import { ephemeralKey, loadOrCreateKeyFile } from "./keys.ts";

export interface WorkerIdentity {
  provider: AttestationProvider;
  privateKey: Hex;
}

export async function resolveIdentity(config: WorkerConfig): Promise<WorkerIdentity> {
  const provider = await selectProvider(config.tee, {
    tsmReportDir: "/sys/kernel/config/tsm/report",
    nsmDevice: "/dev/nsm",
    nsmHelper: config.nsmHelper,
    pccsUrl: config.pccsUrl,
  });
  if (provider.hardware) {
    if (config.keyFile) throw new Error(`--key-file cannot be used with ${provider.tee}: a TEE worker's key is generated in the enclave and never stored`);
    return { provider, privateKey: ephemeralKey() };
  }
  return { provider, privateKey: loadOrCreateKeyFile(config.keyFile ?? path.join(config.dataDir, "worker-key")) };
}
