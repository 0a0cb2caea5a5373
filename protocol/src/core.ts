/**
 * The protocol's core (`@agentry/protocol/core`): EIP-712 definitions, deployments, vouchers,
 * receipts, request hashing, the receipts tree, wire schemas and error codes, without the
 * attestation verifiers, content addressing or subgraph client. Servers on the paid path (the
 * worker) import this to stay small; everything here is also exported by the package's root.
 */
export * from "./eip712.ts";
export * from "./deployments.ts";
export * from "./errors.ts";
export * from "./request.ts";
export * from "./signing.ts";
export * from "./voucher.ts";
export * from "./receipt.ts";
export * from "./merkle.ts";
export * from "./wire.ts";
export * from "./mcp-errors.ts";
export * from "./chain-reads.ts";
