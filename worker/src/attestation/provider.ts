/**
 * Attestation providers: where the worker's evidence comes from. Each one produces evidence that
 * binds the worker key (protocol/src/attestation/binding.ts: the first 32 bytes of the report data
 * are keccak256 of the key's address), in the form `verifyAttestation` checks.
 *
 * - DEV: no hardware; the evidence is the key itself and is never reported as attested.
 * - TDX: the kernel's configfs-tsm report interface (Linux >= 6.7, /sys/kernel/config/tsm/report).
 * - NITRO: the Nitro Secure Module (/dev/nsm) through a helper command (the NSM speaks ioctl, which
 *   Node cannot issue without a native addon; AWS ships the NSM API as a Rust library).
 *
 * `auto` picks the first hardware interface present, else DEV.
 */
import { existsSync } from "node:fs";
import type { Address } from "viem";
import type { Evidence, TeeTypeName } from "@agentry/protocol";

export interface AttestationProvider {
  readonly tee: TeeTypeName;
  /** True when the evidence comes from hardware (everything but DEV). */
  readonly hardware: boolean;
  /** Evidence binding `key`, freshly produced. */
  collect(key: Address): Promise<Evidence>;
}

export type ProviderChoice = "auto" | "dev" | "tdx" | "nitro";

export interface ProviderOptions {
  /** configfs-tsm report directory (TDX). */
  tsmReportDir: string;
  /** Nitro Secure Module device (its presence enables the NITRO provider under `auto`). */
  nsmDevice: string;
  /** Command that prints a Nitro attestation document for `--user-data <hex>` (see nitro.ts). */
  nsmHelper: string;
  /** PCCS serving Intel collateral for TDX quotes. */
  pccsUrl: string;
}

export class ProviderUnavailableError extends Error {
  override readonly name = "ProviderUnavailableError";
}

/** The provider for `choice`; an explicit hardware choice whose interface is missing is an error. */
export async function selectProvider(choice: ProviderChoice, options: ProviderOptions): Promise<AttestationProvider> {
  const tdx = existsSync(options.tsmReportDir);
  const nitro = existsSync(options.nsmDevice);
  if (choice === "tdx" || (choice === "auto" && tdx)) {
    if (!tdx) throw new ProviderUnavailableError(`--tee tdx needs the kernel's configfs-tsm interface at ${options.tsmReportDir}; it is missing (not a TDX guest, or configfs not mounted)`);
    const { TdxProvider } = await import("./tdx.ts");
    return new TdxProvider(options.tsmReportDir, options.pccsUrl);
  }
  if (choice === "nitro" || (choice === "auto" && nitro)) {
    if (!nitro) throw new ProviderUnavailableError(`--tee nitro needs the Nitro Secure Module at ${options.nsmDevice}; it is missing (not inside a Nitro enclave)`);
    const { NitroProvider } = await import("./nitro.ts");
    return new NitroProvider(options.nsmHelper);
  }
  const { DevProvider } = await import("./dev.ts");
  return new DevProvider();
}
