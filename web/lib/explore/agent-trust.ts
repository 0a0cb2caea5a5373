/**
 * What Explore and the agent page say about an agent's trust, derived from subgraph data only
 * (the browser re-verifies attestation evidence on the agent page).
 */
import type { ReputationSummary, WorkerWithEligibility } from "@agentry/protocol";

export type AttestationStatus = "attested" | "dev" | "none";

/**
 * "attested": at least one eligible worker runs in a real TEE; "dev": the only eligible workers
 * are DEV workers (no hardware attestation, development only); "none": no worker may serve it now.
 */
export function attestationStatus(workers: readonly WorkerWithEligibility[]): AttestationStatus {
  const eligible = workers.filter((w) => w.eligible);
  if (eligible.some((w) => w.teeType !== "DEV")) return "attested";
  return eligible.length > 0 ? "dev" : "none";
}

export const ATTESTATION_LABELS: Record<AttestationStatus, { text: string; className: string; title: string }> = {
  attested: { text: "TEE attested", className: "badge badge--ok", title: "An eligible worker runs in an attested TEE" },
  dev: { text: "DEV · not attested", className: "badge badge--warn", title: "Only development workers (no hardware attestation) serve this agent" },
  none: { text: "No eligible worker", className: "badge badge--warn", title: "No worker may serve this agent now" },
};

/** "4.5 / 5 (12 reviews, 3 verified)" style text; null without feedback. */
export function formatReputation(reputation: ReputationSummary): string | null {
  if (reputation.count === 0 || reputation.average === null) return null;
  const average = Number(reputation.average) / 10 ** reputation.decimals;
  const reviews = `${reputation.count} review${reputation.count === 1 ? "" : "s"}`;
  const verified = reputation.verifiedCount > 0 ? `, ${reputation.verifiedCount} verified` : "";
  return `score ${average.toLocaleString("en", { maximumFractionDigits: 2 })} (${reviews}${verified})`;
}
