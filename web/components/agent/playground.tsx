"use client";
/**
 * Calls the agent's tools from the browser: the form is generated from each tool's JSON Schema
 * (the form library loads on demand, tool-form-loader.tsx), the voucher is signed with this
 * browser's session key, the broker (POST /api/invoke on this server) routes the call to an eligible
 * worker, and the receipt can be verified here against the agent's registered worker keys. The
 * protocol library loads on the first call, not with the page.
 */
import { useState } from "react";
import type { Address } from "viem";
import type { SignedReceipt, ToolResult } from "@agentry/protocol";
import { usePublicConfig } from "@/components/wallet/public-config";
import type { PlaygroundTool } from "@/lib/agent/playground-tools";
import { workerUnavailableMessage } from "@/lib/agent/call-errors";
import type { StoredSession } from "@/lib/agent/session-store";
import { LazyToolForm } from "./tool-form-loader";

interface Call {
  tool: string;
  arguments: Record<string, unknown>;
  agreementId: bigint;
  result: ToolResult;
  receipt: SignedReceipt;
}

type Outcome = { state: "idle" } | { state: "calling" } | { state: "done"; call: Call } | { state: "failed"; message: string };
type Verification = { state: "idle" } | { state: "verifying" } | { state: "valid" } | { state: "invalid"; message: string };

const errorText = (error: unknown) =>
  error instanceof Error ? `${error.message}${"hint" in error && typeof error.hint === "string" ? ` (${error.hint})` : ""}` : String(error);

/** The call index the worker expects, from a WRONG_CALL_INDEX broker error (null for any other error). */
function expectedCallIndex(error: unknown): number | null {
  if (!(error instanceof Error) || !("code" in error) || error.code !== "WRONG_CALL_INDEX" || !("details" in error)) return null;
  const details = error.details as Record<string, unknown> | undefined;
  const expected = Number(details?.expectedCalls);
  return Number.isInteger(expected) && expected >= 1 ? expected : null;
}

const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

interface Props {
  agentId: bigint;
  tools: PlaygroundTool[];
  workers: Address[];
  session: StoredSession | null;
  onCallSigned: (session: StoredSession) => void;
}

export function Playground({ agentId, tools, workers, session, onCallSigned }: Props) {
  const config = usePublicConfig();
  const ref = { chainId: config.chainId, escrow: config.contracts.AgreementEscrow.address };
  const [toolName, setToolName] = useState(tools[0]?.name ?? "");
  const tool = tools.find((t) => t.name === toolName) ?? tools[0];
  const [outcome, setOutcome] = useState<Outcome>({ state: "idle" });
  const [verification, setVerification] = useState<Verification>({ state: "idle" });

  function chooseTool(name: string) {
    setToolName(name);
    setOutcome({ state: "idle" });
  }

  async function call(args: Record<string, unknown>) {
    if (!tool || !session || session.agreementId === null) return;
    setOutcome({ state: "calling" });
    setVerification({ state: "idle" });
    try {
      const { invokeThroughBroker, requestHash, signVoucher } = await import("@agentry/protocol");
      const { privateKeyToAccount } = await import("viem/accounts");
      const calls = BigInt(session.callsSigned + 1);
      const voucher = await signVoucher(privateKeyToAccount(session.privateKey), ref, {
        agreementId: session.agreementId,
        calls,
        amount: calls * session.price,
        requestHash: requestHash({ agentId, toolName: tool.name, arguments: args }),
      });
      const outcome = await invokeThroughBroker(window.location.origin, ref, { agentId, tool: tool.name, arguments: args, voucher });
      onCallSigned({ ...session, callsSigned: session.callsSigned + 1 });
      setOutcome({ state: "done", call: { tool: tool.name, arguments: args, agreementId: session.agreementId, result: outcome.result, receipt: outcome.receipt } });
    } catch (error) {
      const expected = expectedCallIndex(error);
      if (expected !== null) {
        // Another tab or an interrupted call used this index: continue where the worker is.
        onCallSigned({ ...session, callsSigned: expected - 1 });
        setOutcome({ state: "failed", message: `${errorText(error)}. The call index is now ${expected}: call again.` });
      } else {
        setOutcome({ state: "failed", message: workerUnavailableMessage(error, session.callsSigned + 1) ?? errorText(error) });
      }
    }
  }

  async function verify(done: Call) {
    setVerification({ state: "verifying" });
    try {
      const registered = workers.find((w) => w.toLowerCase() === done.receipt.worker.toLowerCase());
      if (!registered) throw new Error(`the receipt is signed by ${done.receipt.worker}, which is not an eligible worker of this agent`);
      const { requestHash, verifyReceipt } = await import("@agentry/protocol");
      await verifyReceipt(ref, done.receipt, {
        worker: registered,
        agreementId: done.agreementId,
        calls: done.receipt.calls,
        requestHash: requestHash({ agentId, toolName: done.tool, arguments: done.arguments }),
        result: done.result,
      });
      setVerification({ state: "valid" });
    } catch (error) {
      setVerification({ state: "invalid", message: errorText(error) });
    }
  }

  return (
    <section aria-labelledby="playground-heading" className="card">
      <h2 id="playground-heading">Playground</h2>
      {tools.length === 0 ? (
        <p className="muted">The agent lists no tools.</p>
      ) : !session ? (
        <p className="muted">Open an agreement above to call the tools: each call is paid from its deposit.</p>
      ) : (
        <div className="stack" role="group" aria-label="Call a tool">
          <div className="field">
            <label htmlFor="playground-tool">Tool</label>
            <select id="playground-tool" value={tool?.name} onChange={(event) => chooseTool(event.target.value)}>
              {tools.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
            {tool?.description ? <span className="field__hint">{tool.description}</span> : null}
          </div>
          {tool ? (
            <LazyToolForm key={tool.name} schema={tool.schema} idPrefix={`tool-${tool.name}`} onSubmit={(args) => void call(args)} disabled={outcome.state === "calling"}>
              <button type="submit" className="button" disabled={outcome.state === "calling"}>
                {outcome.state === "calling" ? "Calling…" : `Call (call #${session.callsSigned + 1} of ${session.maxCalls})`}
              </button>
            </LazyToolForm>
          ) : null}
        </div>
      )}
      {outcome.state === "calling" ? (
        <p role="status" className="muted">
          <span className="spinner" aria-hidden="true" /> Signing the voucher and calling the tool…
        </p>
      ) : outcome.state === "failed" ? (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">The call failed</p>
          <p>{outcome.message}</p>
        </div>
      ) : outcome.state === "done" ? (
        <div className="stack" data-testid="call-outcome">
          <h3>Result{outcome.call.result.isError ? " (the tool reported an error)" : ""}</h3>
          <pre className="code-block" aria-label="Result">
            <code>{json(outcome.call.result)}</code>
          </pre>
          <h3>Receipt</h3>
          <pre className="code-block" aria-label="Receipt">
            <code>{json(outcome.call.receipt)}</code>
          </pre>
          <div className="actions">
            <button type="button" className="button button--secondary" onClick={() => void verify(outcome.call)} disabled={verification.state === "verifying"}>
              Verify receipt
            </button>
            {verification.state === "valid" ? (
              <span className="badge badge--ok" role="status">
                Receipt verified: signed by the agent&apos;s registered worker over this request and result
              </span>
            ) : verification.state === "invalid" ? (
              <span className="badge badge--warn" role="alert">
                Receipt invalid: {verification.message}
              </span>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
