"use client";
/**
 * Verifies a worker's attestation evidence in this browser, trusting neither the subgraph nor the
 * server: fetches the evidence by CID from /ipfs/<cid>, checks the bytes against the CID, and runs
 * the protocol's verifyAttestation against the registered measurement and worker key. The verifiers
 * (DCAP, Nitro certificate chains) are loaded on demand so the page's initial JavaScript stays small.
 */
import { useEffect, useState } from "react";
import type { Address, Hex } from "viem";

type Check =
  | { state: "checking" }
  | { state: "attested"; tee: string; status: string }
  | { state: "dev" }
  | { state: "failed"; message: string };

async function verifyWorkerEvidence(evidenceUri: string, worker: Address, measurement: Hex, signal: AbortSignal): Promise<Check> {
  const { cidFromUri, decodeEvidence, verifyAttestation, verifyContent } = await import("@agentry/protocol");
  const cid = cidFromUri(evidenceUri);
  if (!cid) return { state: "failed", message: `the evidence URI ${evidenceUri} is not an ipfs:// URI this page can fetch` };
  const response = await fetch(`/ipfs/${cid}`, { signal });
  if (!response.ok) return { state: "failed", message: `the evidence ${cid} could not be fetched (HTTP ${response.status})` };
  const bytes = new Uint8Array(await response.arrayBuffer());
  await verifyContent(cid, bytes);
  const result = await verifyAttestation(decodeEvidence(bytes), { now: new Date(), workerKey: worker, expectedMeasurement: measurement });
  return result.tee === "DEV" ? { state: "dev" } : { state: "attested", tee: result.tee, status: result.status };
}

export function AttestationCheck({ worker, evidenceUri, measurement }: { worker: Address; evidenceUri: string; measurement: Hex }) {
  const [check, setCheck] = useState<Check>({ state: "checking" });
  useEffect(() => {
    const controller = new AbortController();
    verifyWorkerEvidence(evidenceUri, worker, measurement, controller.signal)
      .then(setCheck)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setCheck({ state: "failed", message: error instanceof Error ? error.message : String(error) });
      });
    return () => controller.abort();
  }, [evidenceUri, worker, measurement]);

  switch (check.state) {
    case "checking":
      return (
        <span role="status" className="muted">
          <span className="spinner" aria-hidden="true" /> Verifying the evidence in your browser…
        </span>
      );
    case "attested":
      return (
        <span className="badge badge--ok" data-attestation="attested">
          Verified in your browser: {check.tee} ({check.status}), measurement and key match
        </span>
      );
    case "dev":
      return (
        <span className="badge badge--warn" data-attestation="dev">
          Not attested: DEV worker (development only; the evidence binds its key, but no TEE vouches for the code)
        </span>
      );
    case "failed":
      return (
        <span className="badge badge--warn" data-attestation="failed" role="alert">
          Verification failed: {check.message}
        </span>
      );
  }
}
