"use client";
import { agentRegistryAbi } from "@agentry/protocol/abis";
import { parseEventLogs } from "viem";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { useTransaction } from "@/components/tx/use-transaction";
import { usePublicConfig } from "@/components/wallet/public-config";

/** Step 3: mints the agent pointing at the uploaded file (AgentRegistry.register(uri)). */
export function MintStep({ uri, onMinted }: { uri: string; onMinted: (agentId: bigint) => void }) {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();

  async function mint() {
    const receipt = await send({ address: contracts.AgentRegistry.address, abi: agentRegistryAbi, functionName: "register", args: [uri] });
    if (!receipt) return;
    const [registered] = parseEventLogs({ abi: agentRegistryAbi, eventName: "Registered", logs: receipt.logs });
    if (registered) onMinted(registered.args.agentId);
  }

  return (
    <div className="stack">
      <p className="muted">
        Mints an ERC-8004 agent owned by your wallet, pointing at <span className="address">{uri}</span>.
      </p>
      <button type="button" className="button" onClick={mint} disabled={busy}>
        {busy ? "Minting…" : "Mint the agent"}
      </button>
      <TransactionStatus state={state} label="Mint the agent" />
    </div>
  );
}
