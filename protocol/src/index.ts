export * from "./core.ts";
export * from "./attestation/index.ts";
export * from "./content/cid.ts";
export * from "./registration.ts";
export * from "./anchor.ts";
export * from "./broker-api.ts";
export * from "./subgraph/client.ts";
export * from "./worker-receipts.ts";
