/**
 * Inputs of the shared test vectors (protocol/test-vectors/v1.json). The expected outputs are in
 * the JSON file, so another implementation can check itself against it without running this code.
 */
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export const VECTOR_CHAIN_ID = 31337;
/** The local deployment's escrow address (deterministic on a fresh hardhat node). */
export const VECTOR_ESCROW: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
export const sessionKey = privateKeyToAccount(keccak256(stringToBytes("agentry test vector: session key")));
export const workerKey = privateKeyToAccount(keccak256(stringToBytes("agentry test vector: worker key")));

export const vectorRequest = {
  agentId: 3n,
  toolName: "json_query",
  arguments: { query: "$.items[0].name", data: { items: [{ name: "Zoë", price: 1.5e3 }] } },
};
export const vectorResult = { content: [{ type: "text", text: "\"Zoë\"" }], isError: false };
export const vectorAgreementId = 7n;
export const vectorPrice = 1_000_000_000_000n;
export const vectorTimestamp = 1_767_225_600n;

export const VECTORS_FILE = new URL("../../protocol/test-vectors/v1.json", import.meta.url);

export interface VectorFile {
  chainId: number;
  escrow: Address;
  sessionKey: Address;
  worker: Address;
  request: { agentId: string; toolName: string; arguments: unknown; canonicalArguments: string; requestHash: Hex };
  vouchers: { calls: string; amount: string; digest: Hex; signature: Hex }[];
  receipts: { calls: string; resultHash: Hex; timestamp: string; digest: Hex; signature: Hex }[];
  receiptsRoot: Hex;
}
