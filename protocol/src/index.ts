export * from "./eip712.ts";
export * from "./deployments.ts";
