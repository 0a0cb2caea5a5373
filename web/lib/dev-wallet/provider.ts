/**
 * The built-in development wallet: an EIP-1193 provider backed by a private key the browser keeps
 * in localStorage (a "burner"), for the local chain only. It answers account and chain requests
 * itself, signs transactions and messages locally, and forwards every other request to the chain's
 * RPC endpoint. The signing code (viem accounts, secp256k1) loads on first use, so the wallet
 * costs nothing on pages where nobody picks it.
 */
import { numberToHex, type EIP1193Provider } from "viem";
import type { DevSigner } from "./signer.ts";

/** An EIP-1193 error: viem maps `code` to its typed errors (4001 → UserRejectedRequestError…). */
export class ProviderRpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = "ProviderRpcError";
    this.code = code;
  }
}

type Listener = (...args: unknown[]) => void;

/** Where the wallet keeps its key, and whether the user connected it (until they disconnect). */
export const DEV_WALLET_STORAGE = {
  privateKey: "agentry.devWallet.privateKey",
  connected: "agentry.devWallet.connected",
} as const;

// wagmi reconnects every connector whose eth_accounts is non-empty: the wallet reports its account
// only once the user picked it, so it never connects (or creates a key) on its own.
const isConnected = () => window.localStorage.getItem(DEV_WALLET_STORAGE.connected) === "1";
const setConnected = (connected: boolean) =>
  connected ? window.localStorage.setItem(DEV_WALLET_STORAGE.connected, "1") : window.localStorage.removeItem(DEV_WALLET_STORAGE.connected);

export interface DevWalletOptions {
  rpcUrl: string;
  chainId: number;
}

export function createDevWalletProvider({ rpcUrl, chainId }: DevWalletOptions): EIP1193Provider {
  const listeners = new Map<string, Set<Listener>>();
  let signer: Promise<DevSigner> | undefined;
  const loadSigner = () => (signer ??= import("./signer.ts").then((m) => m.createDevSigner({ rpcUrl, chainId })));

  const permissions = (address: string) => [
    { parentCapability: "eth_accounts", caveats: [{ type: "restrictReturnedAccounts", value: [address] }] },
  ];

  async function request({ method, params }: { method: string; params?: unknown }): Promise<unknown> {
    const args = Array.isArray(params) ? (params as unknown[]) : [];
    switch (method) {
      case "eth_chainId":
        return numberToHex(chainId);
      case "net_version":
        return String(chainId);
      case "eth_accounts":
        return isConnected() ? [(await loadSigner()).address] : [];
      case "eth_requestAccounts":
      case "wallet_requestPermissions": {
        const wallet = await loadSigner();
        await wallet.ensureFunded();
        setConnected(true);
        return method === "eth_requestAccounts" ? [wallet.address] : permissions(wallet.address);
      }
      case "wallet_getPermissions":
        return isConnected() ? permissions((await loadSigner()).address) : [];
      case "wallet_revokePermissions":
        setConnected(false);
        return null;
      case "wallet_switchEthereumChain": {
        const target = (args[0] as { chainId?: string } | undefined)?.chainId;
        if (target !== undefined && Number(target) === chainId) return null;
        throw new ProviderRpcError(4902, `The development wallet only works on the local chain (${chainId}).`);
      }
      case "wallet_addEthereumChain":
        throw new ProviderRpcError(4200, "The development wallet cannot add chains.");
      case "eth_sendTransaction":
        return (await loadSigner()).sendTransaction(args[0]);
      case "personal_sign":
        return (await loadSigner()).signMessage(args[0], args[1]);
      case "eth_signTypedData_v4":
        return (await loadSigner()).signTypedData(args[0], args[1]);
      case "eth_sign":
      case "eth_signTransaction":
        throw new ProviderRpcError(4200, `The development wallet does not support ${method}.`);
      default:
        return (await loadSigner()).forward(method, args);
    }
  }

  return {
    request: request as EIP1193Provider["request"],
    on: ((event: string, listener: Listener) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
    }) as EIP1193Provider["on"],
    removeListener: ((event: string, listener: Listener) => {
      listeners.get(event)?.delete(listener);
    }) as EIP1193Provider["removeListener"],
  };
}
