/** Real-stack test support: see scripts/lib/local-stack.ts (shared with the benchmarks). */
export * from "../../scripts/lib/local-stack.ts";
