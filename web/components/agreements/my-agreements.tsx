"use client";
import { useCallback, useEffect, useState } from "react";
import { formatEther, type PublicClient } from "viem";
import { useAccount, usePublicClient } from "wagmi";
import { usePublicConfig } from "@/components/wallet/public-config";
import { myAgreements, type AgreementRow } from "@/lib/my-agreements";
import { formatTimestamp } from "@/lib/registered-workers";
import { CloseAgreement, Feedback, TopUp } from "./agreement-actions";
import { VerifyReceipts } from "./verify-receipts";

type Loaded = { status: "loading" } | { status: "failed"; message: string } | { status: "ready"; asClient: AgreementRow[]; asProvider: AgreementRow[]; nowSeconds: bigint };

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;

function Summary({ row, nowSeconds }: { row: AgreementRow; nowSeconds: bigint }) {
  const state = row.closed ? "Closed" : row.expiresAt <= nowSeconds ? "Expired" : "Open";
  return (
    <dl className="definition-list">
      <dt>Agent</dt>
      <dd>
        <a href={`/agents/${row.agentId.toString()}`}>#{row.agentId.toString()}</a>
      </dd>
      <dt>State</dt>
      <dd>
        <span className={`badge${state === "Open" ? " badge--ok" : " badge--warn"}`}>{state}</span>
      </dd>
      <dt>Calls paid</dt>
      <dd data-testid="redeemed-calls">
        {row.redeemedCalls} of {row.fundedCalls} funded (limit {row.maxCalls})
      </dd>
      <dt>Price</dt>
      <dd>{eth(row.price)} per call</dd>
      <dt>Spent</dt>
      <dd data-testid="spent">{eth(row.redeemedAmount)}</dd>
      <dt>Remaining</dt>
      <dd data-testid="remaining">{row.closed ? "refunded" : eth(row.deposit - row.redeemedAmount)}</dd>
      <dt>Expires</dt>
      <dd>{formatTimestamp(row.expiresAt)}</dd>
      <dt>On-chain receipts anchor</dt>
      <dd>
        {row.anchor ? (
          <>
            calls 1..{row.anchor.calls}: <span className="address">{row.anchor.receiptsRoot}</span>
          </>
        ) : (
          "nothing redeemed yet"
        )}
      </dd>
    </dl>
  );
}

/**
 * The connected account's agreements, as a client (spend, top up, close after expiry, feedback) and
 * as a provider (usage, earnings, close), read from the chain and re-read after every transaction.
 */
export function MyAgreements() {
  const config = usePublicConfig();
  const { address } = useAccount();
  const client = usePublicClient({ chainId: config.chainId }) as PublicClient | undefined;
  const [loaded, setLoaded] = useState<Loaded>({ status: "loading" });

  const reload = useCallback(async () => {
    if (!client || !address) return;
    try {
      const [rows, block] = await Promise.all([myAgreements(client, config, address), client.getBlock()]);
      setLoaded({ status: "ready", ...rows, nowSeconds: block.timestamp });
    } catch (error) {
      setLoaded({ status: "failed", message: `Could not read your agreements from the chain: ${(error as Error).message}` });
    }
  }, [client, address, config]);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (loaded.status === "loading") {
    return (
      <p className="card" role="status">
        <span className="spinner" aria-hidden="true" /> Reading your agreements…
      </p>
    );
  }
  if (loaded.status === "failed") return <p className="notice notice--error" role="alert">{loaded.message}</p>;
  const { asClient, asProvider, nowSeconds } = loaded;
  const done = () => void reload();

  return (
    <div className="stack">
      <section aria-labelledby="as-client-heading" className="stack">
        <h2 id="as-client-heading">As a client</h2>
        {asClient.length === 0 ? (
          <div className="empty-state">
            <p>You have not opened an agreement yet. Open one from an agent&apos;s page to start paying per call.</p>
          </div>
        ) : (
          asClient.map((row) => (
            <article key={row.id.toString()} className="card stack" data-testid={`client-agreement-${row.id}`}>
              <h3>Agreement #{row.id.toString()}</h3>
              <Summary row={row} nowSeconds={nowSeconds} />
              {row.closed ? null : (
                <>
                  {row.expiresAt > nowSeconds ? <TopUp row={row} onDone={done} /> : null}
                  <CloseAgreement row={row} asClient nowSeconds={nowSeconds} onDone={done} />
                </>
              )}
              <VerifyReceipts agreementId={row.id} redeemedCalls={row.redeemedCalls} />
              <Feedback row={row} />
            </article>
          ))
        )}
      </section>
      <section aria-labelledby="as-provider-heading" className="stack">
        <h2 id="as-provider-heading">As a provider</h2>
        {asProvider.length === 0 ? (
          <div className="empty-state">
            <p>No agreement with your agents yet.</p>
          </div>
        ) : (
          asProvider.map((row) => (
            <article key={row.id.toString()} className="card stack" data-testid={`provider-agreement-${row.id}`}>
              <h3>Agreement #{row.id.toString()}</h3>
              <Summary row={row} nowSeconds={nowSeconds} />
              <p className="muted">
                Earned {eth(row.redeemedAmount)} for {row.redeemedCalls} redeemed calls. Your workers redeem served calls in
                batches; calls served since the last redemption are paid at the next one.
              </p>
              <VerifyReceipts agreementId={row.id} redeemedCalls={row.redeemedCalls} />
              {row.closed ? null : <CloseAgreement row={row} asClient={false} nowSeconds={nowSeconds} onDone={done} />}
            </article>
          ))
        )}
      </section>
    </div>
  );
}
