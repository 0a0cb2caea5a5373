"use client";
import { useConnectModal } from "@rainbow-me/rainbowkit";
import type { ReactNode } from "react";
import { useAccount, useSwitchChain } from "wagmi";
import { DEV_WALLET_ID } from "@/lib/dev-wallet/wallet";
import { usePublicConfig } from "./public-config";

/**
 * Renders `children` once a wallet is connected to the configured chain; otherwise explains what is
 * missing and offers the one action that fixes it.
 */
export function RequireWallet({ children, purpose }: { children: ReactNode; purpose: string }) {
  const config = usePublicConfig();
  const { status, chainId, connector } = useAccount();
  const { openConnectModal } = useConnectModal();
  const { switchChain, isPending: switching } = useSwitchChain();

  if (status === "connecting" || status === "reconnecting") {
    return (
      <div className="card" role="status">
        <span className="spinner" aria-hidden="true" /> Checking your wallet…
      </div>
    );
  }
  if (status === "disconnected") {
    return (
      <div className="card">
        <h2>Connect a wallet</h2>
        <p className="muted">{purpose}</p>
        {config.devWallet ? (
          <p className="muted">
            No browser wallet? On this local chain you can use the built-in development wallet: it keeps a throwaway key in
            this browser and funds itself.
          </p>
        ) : null}
        <button type="button" className="button" onClick={openConnectModal}>
          Connect a wallet
        </button>
      </div>
    );
  }
  if (chainId !== config.chainId) {
    return (
      <div className="notice notice--warn" role="alert">
        <p className="notice__title">Wrong network</p>
        <p>
          Your wallet is on chain {chainId ?? "unknown"}; Agentry here runs on {config.networkName} (chain {config.chainId}).
        </p>
        <button type="button" className="button" disabled={switching} onClick={() => switchChain({ chainId: config.chainId })}>
          {switching ? "Switching…" : `Switch to ${config.networkName}`}
        </button>
      </div>
    );
  }
  return (
    <>
      {connector?.id === DEV_WALLET_ID ? (
        <p className="notice notice--warn" role="note">
          <strong>Development wallet.</strong> Its key lives unencrypted in this browser: for the local chain only, never for
          real funds.
        </p>
      ) : null}
      {children}
    </>
  );
}
