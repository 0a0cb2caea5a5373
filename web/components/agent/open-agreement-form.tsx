"use client";
import { useState, type FormEvent } from "react";
import { formatEther, parseEther, parseEventLogs, zeroAddress } from "viem";
import { agreementEscrowAbi } from "@agentry/protocol/abis";
import { TextField } from "@/components/form/text-field";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { isBusy, useTransaction } from "@/components/tx/use-transaction";
import { usePublicConfig } from "@/components/wallet/public-config";
import type { StoredSession } from "@/lib/agent/session-store";

const DAY = 86_400;

interface Errors {
  deposit?: string;
  maxCalls?: string;
  days?: string;
}

/** Checks the form; the deposit must pay whole calls and no more than `maxCalls` of them. */
function validate(depositText: string, maxCallsText: string, daysText: string, price: bigint) {
  const errors: Errors = {};
  let deposit = 0n;
  try {
    deposit = parseEther(depositText.trim());
  } catch {
    errors.deposit = "Enter an ETH amount, e.g. 0.001.";
  }
  if (!errors.deposit && (deposit <= 0n || deposit % price !== 0n)) errors.deposit = `Enter a positive multiple of the price (${formatEther(price)} ETH).`;
  const maxCalls = Number(maxCallsText);
  if (!Number.isInteger(maxCalls) || maxCalls < 1 || maxCalls > 4_294_967_295) errors.maxCalls = "Enter a whole number of calls, at least 1.";
  else if (!errors.deposit && deposit / price > BigInt(maxCalls)) errors.maxCalls = `The deposit pays ${deposit / price} calls: allow at least that many.`;
  const days = Number(daysText);
  if (!Number.isFinite(days) || days <= 0 || days > 365) errors.days = "Enter a number of days between 1 and 365.";
  return { errors, deposit, maxCalls, days };
}

export function OpenAgreementForm({ agentId, price, onOpened }: { agentId: bigint; price: bigint; onOpened: (session: StoredSession) => void }) {
  const config = usePublicConfig();
  const { state, send } = useTransaction();
  const [errors, setErrors] = useState<Errors>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const checked = validate(String(form.get("deposit") ?? ""), String(form.get("maxCalls") ?? ""), String(form.get("days") ?? ""), price);
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length > 0) return;
    // Key generation (secp256k1) loads on submit: it is not needed to show the page.
    const { generatePrivateKey, privateKeyToAccount } = await import("viem/accounts");
    const privateKey = generatePrivateKey();
    const sessionKey = privateKeyToAccount(privateKey).address;
    const expiresAt = BigInt(Math.floor(Date.now() / 1000) + Math.round(checked.days * DAY));
    const receipt = await send({
      address: config.contracts.AgreementEscrow.address,
      abi: agreementEscrowAbi,
      functionName: "open",
      args: [agentId, zeroAddress, checked.deposit, checked.maxCalls, expiresAt, sessionKey],
      value: checked.deposit,
    });
    if (!receipt) return;
    const [opened] = parseEventLogs({ abi: agreementEscrowAbi, eventName: "AgreementOpened", logs: receipt.logs });
    if (!opened) return;
    onOpened({ privateKey, sessionKey, agreementId: opened.args.agreementId, price, maxCalls: checked.maxCalls, callsSigned: 0 });
  }

  return (
    <form onSubmit={submit} noValidate className="stack" aria-label="Open an agreement">
      <p className="muted">
        {formatEther(price)} ETH per call. The deposit is escrowed; what is not spent comes back when the agreement is closed or
        expires. A new session key is generated in this browser to sign each call&apos;s voucher.
      </p>
      <TextField label="Deposit (ETH)" name="deposit" inputMode="decimal" defaultValue={formatEther(price * 10n)} error={errors.deposit} />
      <TextField label="Max calls" name="maxCalls" inputMode="numeric" defaultValue="10" error={errors.maxCalls} />
      <TextField label="Expires in (days)" name="days" inputMode="numeric" defaultValue="7" error={errors.days} />
      <button type="submit" className="button" disabled={isBusy(state)}>
        Open agreement
      </button>
      <TransactionStatus state={state} label="Open agreement" />
    </form>
  );
}
