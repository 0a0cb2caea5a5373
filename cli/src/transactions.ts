/** Sending a transaction with progress lines and revert reasons in words. */
import { BaseError, ContractFunctionRevertedError, createWalletClient, http, type Abi, type Address, type Hash, type TransactionReceipt } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { Chain } from "./chain.ts";
import { CliError, progress } from "./output.ts";

/** The contract's custom error as text (`NoPrice(3, 0x…)`), or the first line of the error. */
export function revertReason(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      return `${reverted.data.errorName}(${(reverted.data.args ?? []).map(String).join(", ")})`;
    }
    return error.shortMessage;
  }
  return (error as Error).message.split("\n")[0]!;
}

export interface ContractCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  value?: bigint;
}

/** Simulates (so a revert is explained before anything is signed), sends, and waits for the receipt. */
export async function sendContractCall(chain: Chain, account: PrivateKeyAccount, call: ContractCall, what: string, hint: string): Promise<TransactionReceipt> {
  const wallet = createWalletClient({ account, transport: http(chain.rpcUrl) });
  let request;
  try {
    ({ request } = await chain.publicClient.simulateContract({ ...call, account } as Parameters<typeof chain.publicClient.simulateContract>[0]));
  } catch (error) {
    throw new CliError(`${what} would fail: ${revertReason(error)}`, hint);
  }
  progress(`${what}: signing with ${account.address}`);
  let hash: Hash;
  try {
    hash = await wallet.writeContract({ ...(request as Parameters<typeof wallet.writeContract>[0]), chain: null });
  } catch (error) {
    throw new CliError(`${what} was not sent: ${revertReason(error)}`, "check the wallet's balance and the RPC URL");
  }
  progress(`${what}: pending ${hash}`);
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new CliError(`${what} reverted in block ${receipt.blockNumber} (${hash})`, hint);
  progress(`${what}: confirmed in block ${receipt.blockNumber}`);
  return receipt;
}
