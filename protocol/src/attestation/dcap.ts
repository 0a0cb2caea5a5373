/**
 * Intel SGX / TDX DCAP quote verification through @phala/dcap-qvl (pure JS, synchronous, Intel's
 * root CA built in). Its errors are mapped to AttestationError codes, keeping the original message.
 *
 * Browser note: under a browser bundler, dcap-qvl swaps node:crypto for elliptic + hash.js and, in
 * that mode, its X509Certificate stand-in has no validFrom/validTo, so its certificate-validity
 * checks silently pass. `checkDcapCertificateValidity` below re-checks the validity window of every
 * certificate in the collateral and in the quote's PCK chain so both modes enforce it.
 */
import { Quote, verify as dcapVerify, type VerifiedReport } from "@phala/dcap-qvl";
import { bytesToHex, type Hex } from "viem";
import { pemToDerList, plainBytes } from "./bytes.ts";
import { AttestationError, type AttestationErrorCode } from "./errors.ts";
import { measurementOf48 } from "./binding.ts";
import type { DcapCollateral, DcapEvidence, TeeVerification } from "./types.ts";
import { X509Certificate } from "./x509.ts";


const TEE_TYPE_SGX = 0x00;
const TEE_TYPE_TDX = 0x81;
const QUOTE_HEADER_LEN = 48;

/** dcap-qvl error messages (prefixes) and the code each one maps to. First match wins. */
const DCAP_ERROR_CODES: ReadonlyArray<readonly [string, AttestationErrorCode]> = [
  ["Failed to decode", "MALFORMED_EVIDENCE"],
  ["Unsupported DCAP", "MALFORMED_EVIDENCE"],
  ["SGX TEE quote must have version", "MALFORMED_EVIDENCE"],
  ["TDX TEE quote must have version", "MALFORMED_EVIDENCE"],
  ["Certificate chain is too short", "MALFORMED_EVIDENCE"],
  ["Failed to extract PCK certificates", "MALFORMED_EVIDENCE"],
  ["TCBInfo expired", "EXPIRED"],
  ["TCBInfo issue date is in the future", "EXPIRED"],
  ["QE Identity expired", "EXPIRED"],
  ["QE Identity issue date is in the future", "EXPIRED"],
  ["Certificate is expired or not yet valid", "EXPIRED"],
  ["Certificate is revoked", "REVOKED"],
  ["Signature is invalid for", "INVALID_SIGNATURE"],
  ["ISV enclave report signature is invalid", "INVALID_SIGNATURE"],
  ["QE report hash mismatch", "INVALID_SIGNATURE"],
  ["Failed to verify certificate chain", "UNTRUSTED_ROOT"],
  ["CaUsedAsEndEntity", "UNTRUSTED_ROOT"],
  ["No matching TCB level found", "TCB_REJECTED"],
  ["TCB status is invalid", "TCB_REJECTED"],
  ["No SGX components", "TCB_REJECTED"],
  ["No TDX components", "TCB_REJECTED"],
  ["Fmspc mismatch", "TCB_REJECTED"],
  ["TDX quote with non-TDX TCB info", "TCB_REJECTED"],
  ["SGX quote with non-SGX TCB info", "TCB_REJECTED"],
  ["Unsupported QE Identity", "TCB_REJECTED"],
  ["QE ", "TCB_REJECTED"], // QE MRSIGNER / ISVPRODID / MISCSELECT / ATTRIBUTES mismatch, QE ISVSVN too low
  ["No TCB levels found in QE Identity", "TCB_REJECTED"],
  ["Debug mode is enabled", "TCB_REJECTED"],
  ["Reserved bits in TD attributes", "TCB_REJECTED"],
  ["SEPT_VE_DISABLE is not enabled", "TCB_REJECTED"],
  ["Invalid mr service td", "TCB_REJECTED"],
];

/** The AttestationError for an error thrown by dcap-qvl; unknown errors (crashes on garbage) are MALFORMED_EVIDENCE. */
export function mapDcapError(error: unknown): AttestationError {
  const message = error instanceof Error ? error.message : String(error);
  const code = DCAP_ERROR_CODES.find(([prefix]) => message.startsWith(prefix))?.[1] ?? "MALFORMED_EVIDENCE";
  return new AttestationError(code, message, { cause: error });
}

function quoteTeeType(quote: Uint8Array): "SGX" | "TDX" {
  if (quote.length < QUOTE_HEADER_LEN) {
    throw new AttestationError("MALFORMED_EVIDENCE", `quote is ${quote.length} bytes, shorter than its ${QUOTE_HEADER_LEN}-byte header`);
  }
  const view = new DataView(quote.buffer, quote.byteOffset, quote.byteLength);
  const teeType = view.getUint32(4, true);
  if (teeType === TEE_TYPE_SGX) return "SGX";
  if (teeType === TEE_TYPE_TDX) return "TDX";
  throw new AttestationError("MALFORMED_EVIDENCE", `quote header has unknown TEE type 0x${teeType.toString(16)}`);
}

function toDcapCollateral(c: DcapCollateral): Parameters<typeof dcapVerify>[1] {
  // dcap-qvl reads pck_certificate_chain although its .d.ts does not declare it
  return { ...c } as Parameters<typeof dcapVerify>[1];
}

/** Every certificate of the collateral's issuer chains and of the PCK chain must be valid at `now`. */
export function checkDcapCertificateValidity(quote: Uint8Array, collateral: DcapCollateral, now: Date): void {
  const pems = [collateral.tcb_info_issuer_chain, collateral.qe_identity_issuer_chain, collateral.pck_crl_issuer_chain];
  if (collateral.pck_certificate_chain !== undefined) pems.push(collateral.pck_certificate_chain);
  try {
    const certData = Quote.parse(quote).authData.intoV3().certificationData;
    if (certData.certType === 5) pems.push(new TextDecoder().decode(certData.body));
  } catch (error) {
    throw mapDcapError(error);
  }
  for (const pem of pems) {
    let ders: Uint8Array[];
    try {
      ders = pemToDerList(pem);
    } catch (error) {
      throw new AttestationError("MALFORMED_EVIDENCE", `bad PEM in DCAP certificate chain: ${(error as Error).message}`, { cause: error });
    }
    for (const der of ders) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(plainBytes(der));
      } catch (error) {
        throw new AttestationError("MALFORMED_EVIDENCE", `bad certificate in DCAP chain: ${(error as Error).message}`, { cause: error });
      }
      if (now < cert.notBefore || now > cert.notAfter) {
        throw new AttestationError(
          "EXPIRED",
          `certificate "${cert.subject}" is not valid at ${now.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
        );
      }
    }
  }
}

export function verifyDcap(evidence: DcapEvidence, now: Date): TeeVerification {
  const actual = quoteTeeType(evidence.quote);
  if (actual !== evidence.tee) {
    throw new AttestationError("MALFORMED_EVIDENCE", `evidence says ${evidence.tee} but the quote is a ${actual} quote`);
  }
  let verified: VerifiedReport;
  try {
    verified = dcapVerify(evidence.quote, toDcapCollateral(evidence.collateral), Math.floor(now.getTime() / 1000));
  } catch (error) {
    throw mapDcapError(error);
  }
  checkDcapCertificateValidity(evidence.quote, evidence.collateral, now);

  const report = verified.report;
  const base = report.type === "sgx" ? null : report.type === "td10" ? report.asTd10() : report.asTd15()?.base ?? null;
  let rawMeasurement: Uint8Array;
  let reportData: Uint8Array;
  let debug: boolean;
  let measurement: Hex;
  if (evidence.tee === "SGX") {
    const sgx = report.asSgx();
    if (!sgx) throw new AttestationError("MALFORMED_EVIDENCE", `SGX quote carries a ${report.type} report`);
    rawMeasurement = sgx.mrEnclave;
    reportData = sgx.reportData;
    debug = ((sgx.attributes[0] ?? 0) & 0x02) !== 0;
    if (rawMeasurement.length !== 32) throw new AttestationError("MALFORMED_EVIDENCE", "MRENCLAVE is not 32 bytes");
    measurement = bytesToHex(rawMeasurement);
  } else {
    if (!base) throw new AttestationError("MALFORMED_EVIDENCE", `TDX quote carries a ${report.type} report`);
    rawMeasurement = base.mrTd;
    reportData = base.reportData;
    debug = (base.tdAttributes[0] ?? 0) !== 0;
    if (rawMeasurement.length !== 48) throw new AttestationError("MALFORMED_EVIDENCE", "MRTD is not 48 bytes");
    measurement = measurementOf48(rawMeasurement);
  }
  if (reportData.length !== 64) throw new AttestationError("MALFORMED_EVIDENCE", "report data is not 64 bytes");
  return {
    measurement,
    rawMeasurement: bytesToHex(rawMeasurement),
    reportData: Uint8Array.from(reportData),
    status: verified.status,
    advisories: [...verified.advisory_ids],
    debug,
  };
}
