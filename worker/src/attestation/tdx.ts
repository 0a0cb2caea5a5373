/**
 * Intel TDX evidence through configfs-tsm (Documentation/ABI/testing/configfs-tsm in the kernel):
 * creating a directory under /sys/kernel/config/tsm/report makes the kernel add `inblob`,
 * `outblob`, `provider` and `generation` files; writing 64 bytes of report data to `inblob` and
 * reading `outblob` returns a TD quote whose REPORTDATA is those bytes. `generation` counts writes,
 * so a concurrent writer to the same entry is detected. The collateral comes from a PCCS.
 */
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Quote } from "@phala/dcap-qvl";
import { bytesToHex, type Address } from "viem";
import { dcapCollateralSchema, reportDataForKey, type DcapCollateral, type DcapEvidence } from "@agentry/protocol";
import type { AttestationProvider } from "./provider.ts";

export class TdxProvider implements AttestationProvider {
  readonly tee = "TDX" as const;
  readonly hardware = true;
  readonly #reportDir: string;
  readonly #pccsUrl: string;

  constructor(reportDir: string, pccsUrl: string) {
    this.#reportDir = reportDir;
    this.#pccsUrl = pccsUrl;
  }

  async collect(key: Address): Promise<DcapEvidence> {
    const reportData = reportDataForKey(key);
    const quote = await readTsmQuote(this.#reportDir, reportData);
    return { tee: "TDX", quote, collateral: await fetchCollateral(this.#pccsUrl, quote) };
  }
}

/** Asks configfs-tsm for a TD quote over `reportData` and checks it is the quote asked for. */
export async function readTsmQuote(reportDir: string, reportData: Uint8Array, entryName = `agentry-${process.pid}`): Promise<Uint8Array> {
  const entry = path.join(reportDir, entryName);
  await mkdir(entry, { recursive: true });
  try {
    const provider = (await readFile(path.join(entry, "provider"), "utf8")).trim();
    if (provider !== "tdx_guest") throw new Error(`configfs-tsm provider is "${provider}", expected "tdx_guest" (is this a TDX guest?)`);
    await writeFile(path.join(entry, "inblob"), reportData);
    const generation = await readFile(path.join(entry, "generation"), "utf8");
    const quote = new Uint8Array(await readFile(path.join(entry, "outblob")));
    if ((await readFile(path.join(entry, "generation"), "utf8")) !== generation) {
      throw new Error("another process wrote to the configfs-tsm entry while the quote was read; retry");
    }
    assertQuoteBinds(quote, reportData);
    return quote;
  } finally {
    await rmdir(entry).catch(() => undefined);
  }
}

/** The 64-byte REPORTDATA of a TDX quote (v4 or v5). */
export function tdxReportData(quote: Uint8Array): Uint8Array {
  let parsed;
  try {
    parsed = Quote.parse(quote);
  } catch (error) {
    throw new Error(`configfs-tsm returned bytes that are not a DCAP quote: ${(error as Error).message}`);
  }
  const report = parsed.report.type === "td10" ? parsed.report.asTd10() : parsed.report.asTd15()?.base;
  if (!report) throw new Error(`configfs-tsm returned a ${parsed.report.type} quote, not a TDX one`);
  return Uint8Array.from(report.reportData);
}

export function assertQuoteBinds(quote: Uint8Array, reportData: Uint8Array): void {
  const actual = tdxReportData(quote);
  if (bytesToHex(actual) !== bytesToHex(reportData)) {
    throw new Error(`the TDX quote's REPORTDATA (${bytesToHex(actual).slice(0, 18)}…) is not the report data written (${bytesToHex(reportData).slice(0, 18)}…)`);
  }
}

async function fetchCollateral(pccsUrl: string, quote: Uint8Array): Promise<DcapCollateral> {
  const { getCollateral } = await import("@phala/dcap-qvl");
  try {
    return dcapCollateralSchema.parse(await getCollateral(pccsUrl, quote));
  } catch (error) {
    throw new Error(`could not fetch the quote's collateral from the PCCS at ${pccsUrl}: ${(error as Error).message} (set --pccs-url)`);
  }
}
