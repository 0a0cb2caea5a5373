"use client";
import { agentRegistryAbi } from "@agentry/protocol/abis";
import { useId, useState, type FormEvent } from "react";
import { usePublicConfig } from "@/components/wallet/public-config";
import { TextField } from "@/components/form/text-field";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { useTransaction } from "@/components/tx/use-transaction";

type FieldErrors = Partial<Record<"agentId" | "uri", string>>;

/**
 * Validates the form by hand rather than with zod: two fields do not justify zod's ~17 kB (gzip)
 * on a page that already carries the wallet stack.
 */
function parseForm(form: FormData): { ok: true; agentId: bigint; uri: string } | { ok: false; errors: FieldErrors } {
  const agentId = String(form.get("agentId") ?? "").trim();
  const uri = String(form.get("uri") ?? "").trim();
  const errors: FieldErrors = {};
  if (!/^\d{1,78}$/.test(agentId)) errors.agentId = "Enter the agent's id (a whole number).";
  if (!uri) errors.uri = "Enter the registration file's URI.";
  else if (!/^(ipfs|https?):\/\/\S+$/.test(uri)) errors.uri = "Use an ipfs://, https:// or http:// URI.";
  return errors.agentId || errors.uri ? { ok: false, errors } : { ok: true, agentId: BigInt(agentId), uri };
}

/** Points an agent at its registration file (AgentRegistry.setAgentURI). */
export function SetAgentUri() {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();
  const [errors, setErrors] = useState<FieldErrors>({});
  const ids = { agentId: useId(), uri: useId() };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseForm(new FormData(event.currentTarget));
    if (!parsed.ok) {
      setErrors(parsed.errors);
      // Send keyboard and screen-reader users to the first field to fix.
      document.getElementById(parsed.errors.agentId ? ids.agentId : ids.uri)?.focus();
      return;
    }
    setErrors({});
    await send({
      address: contracts.AgentRegistry.address,
      abi: agentRegistryAbi,
      functionName: "setAgentURI",
      args: [parsed.agentId, parsed.uri],
    });
  }

  return (
    <section className="card" aria-labelledby="uri-heading">
      <h2 id="uri-heading">Set an agent&apos;s registration file</h2>
      <p className="muted">The registration file describes the agent and its tools (see the protocol documentation).</p>
      <form onSubmit={submit} noValidate>
        <TextField label="Agent id" name="agentId" inputMode="numeric" autoComplete="off" inputId={ids.agentId} error={errors.agentId} />
        <TextField
          label="Registration file URI"
          name="uri"
          type="url"
          placeholder="ipfs://…"
          autoComplete="off"
          inputId={ids.uri}
          error={errors.uri}
          hint="Usually the ipfs:// URI of the published registration file."
        />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Updating…" : "Set registration file"}
        </button>
      </form>
      <TransactionStatus state={state} label="Set registration file" />
    </section>
  );
}
