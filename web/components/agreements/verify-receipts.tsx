"use client";
import { useState } from "react";
import type { AgreementReceipts } from "@/lib/agreement-receipts";

type State = { status: "idle" | "checking" } | { status: "failed"; message: string } | { status: "done"; result: AgreementReceipts };

/** The route's answer, checked by hand (no zod on wallet pages): the fields this view reads. */
function isResult(value: unknown): value is AgreementReceipts {
  const v = value as Partial<AgreementReceipts> | null;
  return typeof v === "object" && v !== null && Array.isArray(v.receipts) && Array.isArray(v.problems) && "anchor" in v;
}

/**
 * Gathers the agreement's receipts from the agent's workers through the dApp (workers do not serve
 * browsers cross-origin) and shows whether they match the receipts root anchored on-chain.
 */
export function VerifyReceipts({ agreementId, redeemedCalls }: { agreementId: bigint; redeemedCalls: number }) {
  const [state, setState] = useState<State>({ status: "idle" });

  async function check() {
    setState({ status: "checking" });
    try {
      const response = await fetch(`/api/agreements/${agreementId}/receipts`);
      const body = (await response.json().catch(() => null)) as unknown;
      if (!response.ok || !isResult(body)) {
        const reason = (body as { reason?: unknown } | null)?.reason;
        setState({ status: "failed", message: typeof reason === "string" ? reason : `The dApp answered HTTP ${response.status}.` });
        return;
      }
      setState({ status: "done", result: body });
    } catch (error) {
      setState({ status: "failed", message: `Could not reach the dApp: ${(error as Error).message}` });
    }
  }

  return (
    <div className="stack">
      <button type="button" className="button button--small button--secondary" onClick={check} disabled={state.status === "checking"}>
        {state.status === "checking" ? "Checking receipts…" : "Verify receipts"}
      </button>
      {state.status === "failed" ? <p className="notice notice--error" role="alert">{state.message}</p> : null}
      {state.status === "done" ? <ReceiptsResult result={state.result} redeemedCalls={redeemedCalls} /> : null}
    </div>
  );
}

function ReceiptsResult({ result, redeemedCalls }: { result: AgreementReceipts; redeemedCalls: number }) {
  const { anchor } = result;
  // Calls the workers served (signed receipts) beyond what has been redeemed: paid at the next redemption.
  const pending = result.receipts.filter((receipt) => receipt.calls > redeemedCalls).length;
  const tone = anchor === null ? "" : anchor.matches ? " notice--ok" : " notice--error";
  return (
    <div className={`notice${tone}`} role="status" data-testid="receipts-result">
      <p className="notice__title" data-testid="receipts-verdict">
        {anchor === null
          ? `${result.receipts.length} signed receipt(s); nothing redeemed on-chain yet to check them against.`
          : anchor.matches
            ? `${result.receipts.length} signed receipt(s); receipts 1..${anchor.calls} match the on-chain root.`
            : `Mismatch: receipts 1..${anchor.calls} do not give the on-chain root ${anchor.onChainRoot}.`}
      </p>
      <p data-testid="unredeemed-calls">
        {pending === 0 ? "Every served call is redeemed." : `${pending} served call(s) not redeemed yet.`}
      </p>
      {result.receipts.length > 0 ? (
        <ul className="plain-list">
          {result.receipts.map((receipt) => (
            <li key={receipt.calls}>
              Call {receipt.calls}: signed by <span className="address">{receipt.worker}</span> at{" "}
              {new Date(Number(receipt.timestamp) * 1000).toISOString()}
            </li>
          ))}
        </ul>
      ) : null}
      {result.problems.map((problem) => (
        <p key={problem} className="field__error">
          {problem}
        </p>
      ))}
    </div>
  );
}
