/**
 * wagmi + RainbowKit configuration built from the server's PublicConfig. Wallets: whatever the
 * browser announces (EIP-6963) and window.ethereum; WalletConnect only with a configured project id
 * (without one it would call WalletConnect's servers on every load and hang offline); the
 * development wallet only on the local chain.
 */
import { connectorsForWallets, type WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet, walletConnectWallet } from "@rainbow-me/rainbowkit/wallets";
import { createConfig, http } from "wagmi";
import { defineChain, type Chain } from "viem";
import type { PublicConfig } from "./config.ts";
import { devWallet } from "./dev-wallet/wallet.ts";

export const APP_NAME = "Agentry";

export function chainFromConfig(config: PublicConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.networkName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
    testnet: config.devWallet,
  });
}

const browserWallet: WalletList[number]["wallets"][number] = () => ({
  ...injectedWallet(),
  // Extensions announce themselves through EIP-6963 and are listed on their own; the generic entry
  // is only useful for a legacy wallet that sets window.ethereum.
  hidden: () => typeof window === "undefined" || (window as { ethereum?: unknown }).ethereum === undefined,
});

export function createWagmiConfig(config: PublicConfig) {
  const chain = chainFromConfig(config);
  const installed: WalletList[number]["wallets"] = [browserWallet];
  if (config.walletConnectProjectId) installed.push(walletConnectWallet);
  const groups: WalletList = [{ groupName: "Installed", wallets: installed }];
  if (config.devWallet) {
    groups.push({ groupName: "For development", wallets: [devWallet({ rpcUrl: config.rpcUrl, chainId: config.chainId })] });
  }
  const connectors = connectorsForWallets(groups, {
    appName: APP_NAME,
    appDescription: "An open marketplace for AI tools",
    // RainbowKit insists on a project id even when no WalletConnect wallet is listed; it is only
    // used by the WalletConnect wallet, which exists only with a real id.
    projectId: config.walletConnectProjectId ?? "walletconnect-disabled",
  });
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: http(config.rpcUrl) },
    multiInjectedProviderDiscovery: true,
    ssr: true,
  });
}
