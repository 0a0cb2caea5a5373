import { formatTimestamp, validationState, type RegisteredWorker } from "@/lib/registered-workers";

const LABELS = { validated: "Validated", expired: "Validation expired", unvalidated: "Not validated", retired: "Retired" } as const;

/** A worker's validation at a glance: state, and until when it holds. */
export function ValidationBadge({ worker, nowSeconds }: { worker: RegisteredWorker; nowSeconds: bigint }) {
  const state = validationState(worker, nowSeconds);
  return (
    <span className={`badge${state === "validated" ? " badge--ok" : " badge--warn"}`} data-testid="validation-state">
      {LABELS[state]}
      {state === "validated" && worker.validation ? ` until ${formatTimestamp(worker.validation.expiresAt)}` : ""}
    </span>
  );
}
