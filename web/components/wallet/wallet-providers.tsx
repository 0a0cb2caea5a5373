"use client";
import "@rainbow-me/rainbowkit/styles.css";
import { RainbowKitProvider, darkTheme, lightTheme } from "@rainbow-me/rainbowkit";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { WagmiProvider } from "wagmi";
import type { PublicConfig } from "@/lib/config";
import { createWagmiConfig } from "@/lib/wallet-config";
import { PublicConfigProvider } from "./public-config";

const theme = {
  lightMode: lightTheme({ accentColor: "#3b46d1", borderRadius: "medium" }),
  darkMode: darkTheme({ accentColor: "#8b93ff", accentColorForeground: "#0f1115", borderRadius: "medium" }),
};

/**
 * The wallet stack (wagmi, React Query, RainbowKit) for the pages that write to the chain. Only the
 * (wallet) route group's layout renders it, so public pages never download it.
 */
export function WalletProviders({ config, children }: { config: PublicConfig; children: ReactNode }) {
  const [wagmiConfig] = useState(() => createWagmiConfig(config));
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 4_000 } } }));
  return (
    <PublicConfigProvider config={config}>
      <WagmiProvider config={wagmiConfig}>
        <QueryClientProvider client={queryClient}>
          <RainbowKitProvider theme={theme} appInfo={{ appName: "Agentry" }} modalSize="compact">
            {children}
          </RainbowKitProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </PublicConfigProvider>
  );
}
