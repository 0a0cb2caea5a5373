"use client";
import { useEffect, useRef } from "react";
import type { TransactionState } from "./use-transaction";

const STEPS = [
  { status: "preparing", label: "Check" },
  { status: "signing", label: "Sign" },
  { status: "pending", label: "Pending" },
  { status: "confirmed", label: "Confirmed" },
] as const;

const HEADLINES: Record<Exclude<TransactionState["status"], "idle">, string> = {
  preparing: "Checking the transaction…",
  signing: "Confirm the transaction in your wallet…",
  pending: "Transaction sent, waiting for it to be mined…",
  confirmed: "Transaction confirmed",
  failed: "Transaction failed",
  rejected: "Transaction rejected in the wallet",
};

function stepState(index: number, current: number): "done" | "current" | "todo" {
  if (index < current) return "done";
  return index === current ? "current" : "todo";
}

/**
 * Progress of one transaction: a polite live region while it runs, an alert when it fails. Focus
 * moves to the outcome when it finishes, so keyboard and screen-reader users land on the result.
 */
export function TransactionStatus({ state, label }: { state: TransactionState; label: string }) {
  const outcomeRef = useRef<HTMLDivElement>(null);
  const finished = state.status === "confirmed" || state.status === "failed" || state.status === "rejected";
  useEffect(() => {
    if (finished) outcomeRef.current?.focus();
  }, [finished, state]);

  if (state.status === "idle") return null;
  const tone = state.status === "confirmed" ? "ok" : state.status === "failed" ? "error" : state.status === "rejected" ? "warn" : "";
  const current = state.status === "failed" || state.status === "rejected" ? -1 : STEPS.findIndex((s) => s.status === state.status);
  const hash = "hash" in state ? state.hash : null;

  return (
    <div
      ref={outcomeRef}
      tabIndex={-1}
      className={`notice tx-status${tone ? ` notice--${tone}` : ""}`}
      role={state.status === "failed" ? "alert" : "status"}
      aria-live={state.status === "failed" ? "assertive" : "polite"}
      aria-label={`${label}: ${HEADLINES[state.status]}`}
      data-tx-status={state.status}
    >
      <p className="notice__title">
        {finished ? null : <span className="spinner" aria-hidden="true" />} {HEADLINES[state.status]}
      </p>
      {current >= 0 ? (
        <ol className="tx-status__steps" aria-label="Steps">
          {STEPS.map((step, index) => (
            <li key={step.status} data-state={stepState(index, state.status === "confirmed" ? STEPS.length : current)}>
              {step.label}
            </li>
          ))}
        </ol>
      ) : null}
      {state.status === "failed" || state.status === "rejected" ? <p data-testid="tx-message">{state.message}</p> : null}
      {hash ? (
        <p className="muted">
          Transaction <span className="address" data-testid="tx-hash">{hash}</span>
          {state.status === "confirmed" ? <> · block {state.receipt.blockNumber.toString()}</> : null}
        </p>
      ) : null}
    </div>
  );
}
