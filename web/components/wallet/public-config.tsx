"use client";
import { createContext, useContext, type ReactNode } from "react";
import type { PublicConfig } from "@/lib/config";

const PublicConfigContext = createContext<PublicConfig | null>(null);

export function PublicConfigProvider({ config, children }: { config: PublicConfig; children: ReactNode }) {
  return <PublicConfigContext.Provider value={config}>{children}</PublicConfigContext.Provider>;
}

/** The server's configuration (chain, RPC, contract addresses) inside the wallet route group. */
export function usePublicConfig(): PublicConfig {
  const config = useContext(PublicConfigContext);
  if (!config) throw new Error("usePublicConfig() is only available inside <WalletProviders> (the (wallet) route group).");
  return config;
}
