/** The development wallet as a RainbowKit wallet (a wagmi injected connector over ./provider.ts). */
import type { Wallet } from "@rainbow-me/rainbowkit";
import { createConnector } from "wagmi";
import { injected } from "wagmi/connectors";
import { createDevWalletProvider, type DevWalletOptions } from "./provider.ts";

export const DEV_WALLET_ID = "agentryDevWallet";
export const DEV_WALLET_NAME = "Development wallet (local chain only)";

// A wrench on amber: visibly not a real wallet.
const ICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><rect width="28" height="28" rx="6" fill="#f59e0b"/>' +
      '<path d="M17.5 6.5a4.5 4.5 0 0 0-4.2 6.1l-6.1 6.1a1.6 1.6 0 0 0 2.3 2.3l6.1-6.1a4.5 4.5 0 0 0 5.6-5.9l-2.6 2.6-2.2-.5-.5-2.2 2.6-2.6a4.5 4.5 0 0 0-1-.1z" fill="#1f2937"/></svg>',
  );

export function devWallet(options: DevWalletOptions): () => Wallet {
  // One provider per app: its event listeners must survive reconnects.
  const provider = typeof window === "undefined" ? undefined : createDevWalletProvider(options);
  return () => ({
    id: DEV_WALLET_ID,
    name: DEV_WALLET_NAME,
    shortName: "Dev wallet",
    iconUrl: ICON,
    iconBackground: "#f59e0b",
    installed: true,
    createConnector: (walletDetails) =>
      createConnector((config) => ({
        ...injected({ target: () => (provider ? { id: DEV_WALLET_ID, name: DEV_WALLET_NAME, provider } : undefined) })(config),
        ...walletDetails,
      })),
  });
}
