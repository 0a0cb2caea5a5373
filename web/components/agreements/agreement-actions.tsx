"use client";
import { agreementEscrowAbi, reputationRegistryAbi } from "@agentry/protocol/abis";
import { useState, type FormEvent } from "react";
import { zeroHash } from "viem";
import { TextField } from "@/components/form/text-field";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { useTransaction } from "@/components/tx/use-transaction";
import { usePublicConfig } from "@/components/wallet/public-config";
import { closableAt, type AgreementRow } from "@/lib/my-agreements";
import { formatTimestamp } from "@/lib/registered-workers";

/** Adds whole calls to an open, unexpired agreement (AgreementEscrow.topUp, ETH sent as value). */
export function TopUp({ row, onDone }: { row: AgreementRow; onDone: () => void }) {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();
  const [calls, setCalls] = useState("10");
  const [error, setError] = useState<string | undefined>();
  const room = row.maxCalls - row.fundedCalls;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const count = Number(calls);
    if (!Number.isInteger(count) || count < 1 || count > room) {
      setError(`Enter a whole number of calls from 1 to ${room} (the agreement's limit is ${row.maxCalls}).`);
      return;
    }
    setError(undefined);
    const amount = BigInt(count) * row.price;
    const receipt = await send({ address: contracts.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "topUp", args: [row.id, amount], value: amount });
    if (receipt) onDone();
  }

  return (
    <form onSubmit={submit} noValidate className="stack">
      <TextField label={`Calls to add to agreement #${row.id}`} name="calls" inputMode="numeric" value={calls} onChange={(e) => setCalls(e.target.value)} error={error} autoComplete="off" />
      <button type="submit" className="button button--small" disabled={busy || room <= 0}>
        Top up
      </button>
      <TransactionStatus state={state} label="Top up" />
    </form>
  );
}

/** Closes the agreement and refunds the unspent deposit; clients only after expiry plus the grace period. */
export function CloseAgreement({ row, asClient, nowSeconds, onDone }: { row: AgreementRow; asClient: boolean; nowSeconds: bigint; onDone: () => void }) {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();
  const opensAt = closableAt(row) + 1n;
  const allowed = !asClient || nowSeconds >= opensAt;

  async function close() {
    const receipt = await send({ address: contracts.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "close", args: [row.id] });
    if (receipt) onDone();
  }

  return (
    <div className="stack">
      {asClient ? (
        <p className="muted" data-testid="closable-at">
          {allowed ? "You can close it now: the unspent deposit comes back to you." : `You can close it from ${formatTimestamp(opensAt)} (expiry plus one day of grace for the agent to redeem).`}
        </p>
      ) : (
        <p className="muted">Closing as the provider gives up calls not redeemed yet and refunds the rest to the client.</p>
      )}
      <button type="button" className="button button--small button--secondary" onClick={close} disabled={busy || !allowed}>
        Close agreement #{row.id.toString()}
      </button>
      <TransactionStatus state={state} label="Close agreement" />
    </div>
  );
}

/** Verified feedback: only a client who paid through an agreement can give it (ReputationRegistry.giveVerifiedFeedback). */
export function Feedback({ row }: { row: AgreementRow }) {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();
  const [score, setScore] = useState("5");
  const [error, setError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = Number(score);
    if (!Number.isInteger(value) || value < 1 || value > 5) {
      setError("Rate from 1 to 5.");
      return;
    }
    setError(undefined);
    await send({
      address: contracts.ReputationRegistry.address,
      abi: reputationRegistryAbi,
      functionName: "giveVerifiedFeedback",
      args: [row.id, BigInt(value), 0, "rating", "", "", "", zeroHash],
    });
  }

  return (
    <form onSubmit={submit} noValidate className="stack">
      <TextField label={`Rating for agent #${row.agentId} (1-5)`} name="score" inputMode="numeric" value={score} onChange={(e) => setScore(e.target.value)} error={error} autoComplete="off" />
      <button type="submit" className="button button--small button--secondary" disabled={busy || row.redeemedCalls === 0}>
        Give feedback
      </button>
      {row.redeemedCalls === 0 ? <p className="muted">Feedback opens once a call has been paid for.</p> : null}
      <TransactionStatus state={state} label="Give feedback" />
    </form>
  );
}
