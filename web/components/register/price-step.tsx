"use client";
import { agreementEscrowAbi } from "@agentry/protocol/abis";
import { useState, type FormEvent } from "react";
import { parseEther, zeroAddress } from "viem";
import { TextField } from "@/components/form/text-field";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { useTransaction } from "@/components/tx/use-transaction";
import { usePublicConfig } from "@/components/wallet/public-config";
import { isEthAmount } from "@/lib/registration-draft";

/** Step 4: the price per call clients lock when they open an agreement (AgreementEscrow.setPrice, ETH). */
export function PriceStep({ agentId, suggested, onPriced }: { agentId: bigint; suggested: string; onPriced: () => void }) {
  const { contracts } = usePublicConfig();
  const { state, send, busy } = useTransaction();
  const [price, setPrice] = useState(suggested);
  const [error, setError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!isEthAmount(price) || parseEther(price.trim()) === 0n) {
      setError("Enter a price above zero in ETH, e.g. 0.001.");
      return;
    }
    setError(undefined);
    const receipt = await send({
      address: contracts.AgreementEscrow.address,
      abi: agreementEscrowAbi,
      functionName: "setPrice",
      args: [agentId, zeroAddress, parseEther(price.trim())],
    });
    if (receipt) onPriced();
  }

  return (
    <form onSubmit={submit} noValidate className="stack">
      <TextField
        label="Price per call (ETH)"
        name="price"
        inputMode="decimal"
        value={price}
        onChange={(event) => setPrice(event.target.value)}
        error={error}
        hint="Open agreements keep the price they were opened at."
        autoComplete="off"
      />
      <button type="submit" className="button" disabled={busy}>
        {busy ? "Setting the price…" : "Set the price"}
      </button>
      <TransactionStatus state={state} label="Set the price" />
    </form>
  );
}
