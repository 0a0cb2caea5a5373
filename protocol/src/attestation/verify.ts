/** The single entry point: verifyAttestation(evidence, options). */
import { getAddress, hexToBytes, isAddress, isHex } from "viem";
import { DEV_MEASUREMENT, keyBinding, reportDataBindsKey } from "./binding.ts";
import { verifyDcap } from "./dcap.ts";
import { AttestationError } from "./errors.ts";
import { verifyNitro } from "./nitro.ts";
import { evidenceSchema, type AttestationResult, type Evidence, type TeeVerification, type VerifyAttestationOptions } from "./types.ts";
import { bytesToHex } from "viem";

function checkOptions(options: VerifyAttestationOptions): void {
  if (typeof options !== "object" || options === null) throw new AttestationError("INVALID_OPTIONS", "options must be an object with at least `now`");
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new AttestationError("INVALID_OPTIONS", "options.now must be a valid Date");
  }
  if (options.workerKey !== undefined && !isAddress(options.workerKey, { strict: false })) {
    throw new AttestationError("INVALID_OPTIONS", `options.workerKey is not an address: ${String(options.workerKey)}`);
  }
  if (options.expectedMeasurement !== undefined && !(isHex(options.expectedMeasurement, { strict: true }) && options.expectedMeasurement.length === 66)) {
    throw new AttestationError("INVALID_OPTIONS", `options.expectedMeasurement must be a bytes32 hex string, got ${String(options.expectedMeasurement)}`);
  }
}

/**
 * Verifies TEE evidence and applies the caller's policy.
 *
 * - SGX / TDX: the DCAP quote against its collateral (@phala/dcap-qvl, Intel root built in) at `now`.
 * - NITRO: the attestation document's chain to the pinned AWS root, its ES384 signature, validity at `now`.
 * - DEV: nothing to verify; returned with attested=false (or rejected with NOT_ATTESTED when
 *   `requireAttested`).
 * Then: `expectedMeasurement` must equal `measurement` (MEASUREMENT_MISMATCH) and `workerKey` must
 * be bound by the report data (KEY_NOT_BOUND). See binding.ts for both rules.
 *
 * Throws AttestationError on every failure; never returns a result for evidence that did not verify.
 */
export async function verifyAttestation(evidence: Evidence, options: VerifyAttestationOptions): Promise<AttestationResult> {
  checkOptions(options);
  const parsed = evidenceSchema.safeParse(evidence);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AttestationError("MALFORMED_EVIDENCE", `evidence has the wrong shape: ${issues}`, { cause: parsed.error });
  }
  const ev = parsed.data;

  let verified: TeeVerification;
  let boundKey = null as ReturnType<typeof getAddress> | null;
  let attested = true;
  switch (ev.tee) {
    case "SGX":
    case "TDX":
      verified = verifyDcap(ev, options.now);
      break;
    case "NITRO":
      verified = await verifyNitro(ev.document, options.now);
      break;
    case "DEV":
      if (options.requireAttested) {
        throw new AttestationError("NOT_ATTESTED", "DEV evidence is not attested by any TEE and attested evidence is required");
      }
      attested = false;
      boundKey = getAddress(ev.key);
      verified = {
        measurement: DEV_MEASUREMENT,
        rawMeasurement: DEV_MEASUREMENT,
        reportData: hexToBytes(keyBinding(ev.key)),
        status: "Dev",
        advisories: [],
        debug: true,
      };
      break;
  }

  if (options.expectedMeasurement !== undefined && options.expectedMeasurement.toLowerCase() !== verified.measurement.toLowerCase()) {
    throw new AttestationError(
      "MEASUREMENT_MISMATCH",
      `${ev.tee} measurement is ${verified.measurement} (raw ${verified.rawMeasurement}), expected ${options.expectedMeasurement}`,
    );
  }
  if (options.workerKey !== undefined) {
    if (!reportDataBindsKey(verified.reportData, options.workerKey)) {
      throw new AttestationError(
        "KEY_NOT_BOUND",
        `${ev.tee} evidence does not bind worker key ${options.workerKey}: the first 32 bytes of its report data are not keccak256(key) = ${keyBinding(options.workerKey)}`,
      );
    }
    boundKey = getAddress(options.workerKey);
  }
  return {
    tee: ev.tee,
    measurement: verified.measurement,
    rawMeasurement: verified.rawMeasurement,
    reportData: bytesToHex(verified.reportData),
    boundKey,
    status: verified.status,
    advisories: verified.advisories,
    attested,
    debug: verified.debug,
  };
}
