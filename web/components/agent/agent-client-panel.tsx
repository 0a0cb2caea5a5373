"use client";
/**
 * The agent page's wallet island: the agreement this browser holds a session key for (opening one
 * when there is none) and the playground that spends it. The session key lives in localStorage.
 */
import { useCallback, useEffect, useState } from "react";
import type { Address } from "viem";
import { usePublicConfig } from "@/components/wallet/public-config";
import { RequireWallet } from "@/components/wallet/require-wallet";
import type { PlaygroundTool } from "@/lib/agent/playground-tools";
import { loadSession, saveSession, type SessionScope, type StoredSession } from "@/lib/agent/session-store";
import { OpenAgreementForm } from "./open-agreement-form";
import { Playground } from "./playground";

interface Props {
  agentId: bigint;
  ethPrice: bigint | null;
  tools: PlaygroundTool[];
  /** Keys of the workers that may serve the agent now: a receipt must be signed by one of them. */
  workers: Address[];
}

export function AgentClientPanel({ agentId, ethPrice, tools, workers }: Props) {
  const config = usePublicConfig();
  const scope: SessionScope = { chainId: config.chainId, escrow: config.contracts.AgreementEscrow.address, agentId };
  const scopeKey = `${scope.chainId}:${scope.escrow}:${scope.agentId}`;
  // undefined until read: localStorage exists only in the browser, after hydration.
  const [session, setSession] = useState<StoredSession | null | undefined>(undefined);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- scopeKey stands for scope
  useEffect(() => setSession(loadSession(scope)), [scopeKey]);
  const update = useCallback(
    (next: StoredSession) => {
      saveSession(scope, next);
      setSession(next);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- scopeKey stands for scope
    [scopeKey],
  );
  const active = session?.agreementId != null && session.callsSigned < session.maxCalls ? session : null;

  return (
    <>
      <section aria-labelledby="agreement-heading" className="card">
        <h2 id="agreement-heading">Agreement</h2>
        {session === undefined ? (
          <p role="status" className="muted">
            <span className="spinner" aria-hidden="true" /> Reading this browser&apos;s session key…
          </p>
        ) : active ? (
          <div className="notice notice--ok" data-agreement-id={active.agreementId?.toString()}>
            <p className="notice__title">Agreement #{active.agreementId?.toString()} is open</p>
            <p>
              {active.callsSigned} of {active.maxCalls} calls used. Its session key (<code className="address">{active.sessionKey}</code>) is
              kept in this browser and signs a voucher for each call.
            </p>
          </div>
        ) : ethPrice === null ? (
          <p className="muted">The agent has no ETH price: an agreement cannot be opened yet.</p>
        ) : (
          <RequireWallet purpose="Opening an agreement escrows a deposit from your wallet; calls are then paid from it.">
            <OpenAgreementForm agentId={agentId} price={ethPrice} onOpened={update} />
          </RequireWallet>
        )}
      </section>
      <Playground agentId={agentId} tools={tools} workers={workers} session={active} onCallSigned={update} />
    </>
  );
}
