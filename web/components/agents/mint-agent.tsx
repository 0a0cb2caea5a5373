"use client";
import { agentRegistryAbi } from "@agentry/protocol/abis";
import { useState } from "react";
import { parseEventLogs } from "viem";
import { usePublicConfig } from "@/components/wallet/public-config";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { useTransaction } from "@/components/tx/use-transaction";

/** Mints an agent identity with no registration file yet (AgentRegistry.register()). */
export function MintAgent() {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();
  const [agentId, setAgentId] = useState<bigint | null>(null);

  async function mint() {
    setAgentId(null);
    const receipt = await send({ address: contracts.AgentRegistry.address, abi: agentRegistryAbi, functionName: "register", args: [] });
    if (!receipt) return;
    const [registered] = parseEventLogs({ abi: agentRegistryAbi, eventName: "Registered", logs: receipt.logs });
    if (registered) setAgentId(registered.args.agentId);
  }

  return (
    <section className="card" aria-labelledby="mint-heading">
      <h2 id="mint-heading">Mint an agent identity</h2>
      <p className="muted">
        An ERC-8004 agent is a token owned by your wallet. Mint it now and point it at its registration file when that is
        published; the id stays the same.
      </p>
      <button type="button" className="button" onClick={mint} disabled={busy}>
        {busy ? "Minting…" : "Mint agent identity"}
      </button>
      <TransactionStatus state={state} label="Mint agent identity" />
      {agentId !== null && state.status === "confirmed" ? (
        <p className="notice notice--ok" data-testid="minted-agent-id">
          Your agent id is <strong>#{agentId.toString()}</strong>.
        </p>
      ) : null}
    </section>
  );
}
