/**
 * The EIP-712 definitions of every message Agentry signs. This is the only place they are written:
 * contracts tests, the worker, the broker and the dApp all import them from here.
 *
 * Vouchers and receipts live in the AgreementEscrow's domain ("Agentry", "1", chainId, escrow), so
 * a signature is bound to one chain and one escrow deployment. Worker registrations live in the
 * WorkerRegistry's domain. Agent wallet proofs use the ERC-8004 reference registry's own domain
 * name, so proofs made by ERC-8004 SDKs verify on Agentry's AgentRegistry too.
 */
import type { Address, TypedDataDomain } from "viem";

export const AGENTRY_DOMAIN_NAME = "Agentry";
export const AGENTRY_DOMAIN_VERSION = "1";
export const ERC8004_IDENTITY_DOMAIN_NAME = "ERC8004IdentityRegistry";
export const ERC8004_IDENTITY_DOMAIN_VERSION = "1";

/** Domain of vouchers and receipts: the escrow deployment on one chain. */
export function escrowDomain(chainId: number | bigint, escrow: Address): TypedDataDomain {
  return {
    name: AGENTRY_DOMAIN_NAME,
    version: AGENTRY_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract: escrow,
  };
}

/** Domain of worker registrations: the WorkerRegistry deployment on one chain. */
export function workerRegistryDomain(chainId: number | bigint, workerRegistry: Address): TypedDataDomain {
  return {
    name: AGENTRY_DOMAIN_NAME,
    version: AGENTRY_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract: workerRegistry,
  };
}

/** Domain of ERC-8004 agent wallet proofs: the AgentRegistry deployment on one chain. */
export function identityRegistryDomain(chainId: number | bigint, agentRegistry: Address): TypedDataDomain {
  return {
    name: ERC8004_IDENTITY_DOMAIN_NAME,
    version: ERC8004_IDENTITY_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract: agentRegistry,
  };
}

/**
 * A cumulative voucher: authorizes call number `calls` of the agreement and pays
 * `amount = calls * price` for every call up to it.
 */
export const invocationTypes = {
  Invocation: [
    { name: "agreementId", type: "uint256" },
    { name: "calls", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "requestHash", type: "bytes32" },
  ],
} as const;

/** A worker's signed statement that it ran call `calls` of the agreement and what it returned. */
export const receiptTypes = {
  Receipt: [
    { name: "agreementId", type: "uint256" },
    { name: "calls", type: "uint256" },
    { name: "requestHash", type: "bytes32" },
    { name: "resultHash", type: "bytes32" },
    { name: "worker", type: "address" },
    { name: "timestamp", type: "uint64" },
  ],
} as const;

/** The worker key's consent to be registered by `operator` with this attestation. */
export const workerRegistrationTypes = {
  WorkerRegistration: [
    { name: "worker", type: "address" },
    { name: "operator", type: "address" },
    { name: "teeType", type: "uint8" },
    { name: "measurement", type: "bytes32" },
    { name: "evidenceURI", type: "string" },
    { name: "endpoint", type: "string" },
    { name: "expiresAt", type: "uint64" },
  ],
} as const;

/** ERC-8004: the new wallet's consent to receive the agent's payments. */
export const agentWalletSetTypes = {
  AgentWalletSet: [
    { name: "agentId", type: "uint256" },
    { name: "newWallet", type: "address" },
    { name: "owner", type: "address" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** TEE types as the WorkerRegistry numbers them. */
export const TeeType = { DEV: 0, SGX: 1, TDX: 2, NITRO: 3 } as const;
export type TeeTypeName = keyof typeof TeeType;

/** The name of a WorkerRegistry TEE type number; undefined for a number it does not define. */
export function teeTypeName(value: number): TeeTypeName | undefined {
  return (Object.keys(TeeType) as TeeTypeName[]).find((name) => TeeType[name] === value);
}
