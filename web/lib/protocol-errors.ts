/**
 * Every custom error of every Agentry contract, once: a revert that bubbles up from any of them
 * decodes here. Loaded on demand by ./tx-errors.ts (it pulls in all four ABIs).
 */
import type { Abi } from "viem";
import { agentRegistryAbi, agreementEscrowAbi, reputationRegistryAbi, workerRegistryAbi } from "@agentry/protocol/abis";

type AbiError = Extract<Abi[number], { type: "error" }>;

export const protocolErrorsAbi: readonly AbiError[] = (() => {
  const bySignature = new Map<string, AbiError>();
  for (const item of [...agentRegistryAbi, ...agreementEscrowAbi, ...reputationRegistryAbi, ...workerRegistryAbi]) {
    if (item.type !== "error") continue;
    const signature = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
    if (!bySignature.has(signature)) bySignature.set(signature, item as AbiError);
  }
  return [...bySignature.values()];
})();

