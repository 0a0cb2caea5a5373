/** The signer shape the protocol needs: a viem LocalAccount (session keys, worker keys) fits. */
import type { Address, Hex, TypedDataDefinition } from "viem";

export interface TypedDataSigner {
  address: Address;
  signTypedData(parameters: TypedDataDefinition): Promise<Hex>;
}

/** Which escrow deployment a voucher or receipt belongs to (its EIP-712 domain). */
export interface EscrowRef {
  chainId: number;
  escrow: Address;
}
