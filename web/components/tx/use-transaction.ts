"use client";
/**
 * The one way the dApp sends a contract write. Every write goes through the same steps, each one
 * visible to the user: the call is simulated and its cost checked against the balance first (a
 * revert, or too little ETH, is reported before the wallet opens, with the contract's decoded error
 * or what is missing), then signed in the wallet, then mined.
 */
import { useCallback, useRef, useState } from "react";
import { useConfig } from "wagmi";
import { getAccount, getPublicClient, simulateContract, switchChain, writeContract } from "wagmi/actions";
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hash, PublicClient, TransactionReceipt } from "viem";
import { describeTransactionError, insufficientFundsMessage } from "@/lib/tx-errors";

export type TransactionState =
  | { status: "idle" }
  | { status: "preparing" }
  | { status: "signing" }
  | { status: "pending"; hash: Hash }
  | { status: "confirmed"; hash: Hash; receipt: TransactionReceipt }
  | { status: "failed"; hash: Hash | null; errorName: string | null; message: string }
  | { status: "rejected"; message: string };

export type TransactionStatus = TransactionState["status"];

type WriteMutability = "nonpayable" | "payable";

export interface ContractWrite<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, WriteMutability>,
> {
  address: Address;
  abi: abi;
  functionName: functionName;
  args?: ContractFunctionArgs<abi, WriteMutability, functionName>;
  value?: bigint;
}

export function isBusy(state: TransactionState): boolean {
  return state.status === "preparing" || state.status === "signing" || state.status === "pending";
}

/** Best-effort reason for a transaction that was mined but reverted: replays it on the state before its block. */
async function revertReason(client: PublicClient, hash: Hash, receipt: TransactionReceipt) {
  try {
    const tx = await client.getTransaction({ hash });
    await client.call({ account: tx.from, to: tx.to, data: tx.input, value: tx.value, blockNumber: receipt.blockNumber - 1n });
  } catch (error) {
    const failure = await describeTransactionError(error);
    if (failure.kind === "reverted") return failure;
  }
  return { errorName: null, message: "The transaction was mined but reverted (the chain changed after it was checked). Try again." };
}

/**
 * Fails when `from` cannot pay the ETH the write sends plus its gas at the current fees. Nodes do
 * not check the balance when simulating (eth_call), and a wallet asked anyway answers with an
 * opaque error, or none the dApp can read.
 */
async function ensureAffordable(client: PublicClient, from: Address, request: ContractWrite<Abi, string>): Promise<void> {
  const value = request.value ?? 0n;
  const [balance, gas, fees] = await Promise.all([
    client.getBalance({ address: from }),
    client.estimateContractGas({ ...request, account: from } as Parameters<PublicClient["estimateContractGas"]>[0]),
    client.estimateFeesPerGas(),
  ]);
  const gasCost = gas * fees.maxFeePerGas;
  if (balance < value + gasCost) throw new Error(insufficientFundsMessage({ balance, value, gasCost }));
}

export function useTransaction() {
  const config = useConfig();
  const [state, setState] = useState<TransactionState>({ status: "idle" });
  const inFlight = useRef(false);

  const send = useCallback(
    async <const abi extends Abi, functionName extends ContractFunctionName<abi, WriteMutability>>(
      request: ContractWrite<abi, functionName>,
    ): Promise<TransactionReceipt | null> => {
      if (inFlight.current) return null; // one transaction at a time per form
      inFlight.current = true;
      let hash: Hash | null = null;
      try {
        setState({ status: "preparing" });
        const account = getAccount(config);
        if (!account.address) throw new Error("Connect a wallet first.");
        const chainId = config.chains[0].id;
        if (account.chainId !== chainId) await switchChain(config, { chainId });
        // The generic request is checked at the call site; wagmi's own types cannot follow it here.
        const simulation = await simulateContract(config, { ...(request as ContractWrite<Abi, string>), account: account.address, chainId } as Parameters<typeof simulateContract>[1]);
        const client = getPublicClient(config, { chainId }) as PublicClient;
        await ensureAffordable(client, account.address, request as ContractWrite<Abi, string>);
        setState({ status: "signing" });
        hash = await writeContract(config, simulation.request);
        setState({ status: "pending", hash });
        const receipt = await client.waitForTransactionReceipt({ hash });
        if (receipt.status === "reverted") {
          const failure = await revertReason(client, hash, receipt);
          setState({ status: "failed", hash, errorName: failure.errorName, message: failure.message });
          return null;
        }
        setState({ status: "confirmed", hash, receipt });
        return receipt;
      } catch (error) {
        const failure = await describeTransactionError(error);
        setState(
          failure.kind === "rejected"
            ? { status: "rejected", message: failure.message }
            : { status: "failed", hash, errorName: failure.kind === "reverted" ? failure.errorName : null, message: failure.message },
        );
        return null;
      } finally {
        inFlight.current = false;
      }
    },
    [config],
  );

  const reset = useCallback(() => setState({ status: "idle" }), []);
  return { state, send, reset, busy: isBusy(state) };
}
