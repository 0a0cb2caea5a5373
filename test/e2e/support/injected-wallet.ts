/**
 * A realistic browser wallet for the end-to-end tests: an EIP-1193 provider injected into the page
 * and announced through EIP-6963, like an extension. It answers account and chain requests itself,
 * forwards everything else (eth_sendTransaction and signatures for an unlocked hardhat account
 * included) to the real hardhat node, and can hold or reject a request the way a person would.
 */
import type { Page } from "@playwright/test";
import type { Address } from "viem";

export const TEST_WALLET_NAME = "Agentry Test Wallet";
export const TEST_WALLET_RDNS = "dev.agentry.testwallet";

type RpcAnswer = { result: unknown } | { error: { code: number; message: string } };

const USER_REJECTED = { code: 4001, message: "User rejected the request." };

export class InjectedTestWallet {
  readonly address: Address;
  readonly chainId: number;
  private readonly rpcUrl: string;
  private connected = false;
  private rejections = new Set<string>();
  private gates = new Map<string, { opened: Promise<void>; open: () => void; reached: () => void; arrived: Promise<void> }>();
  /** Every method the page asked the wallet for, in order. */
  readonly requests: string[] = [];

  constructor(options: { rpcUrl: string; address: Address; chainId: number }) {
    this.rpcUrl = options.rpcUrl;
    this.address = options.address;
    this.chainId = options.chainId;
  }

  /** Injects the wallet into `page`: call before the first navigation. */
  async install(page: Page): Promise<void> {
    await page.exposeFunction("__agentryTestWalletRequest", (method: string, params: unknown) => this.handle(method, params));
    await page.addInitScript(injectProvider, { name: TEST_WALLET_NAME, rdns: TEST_WALLET_RDNS });
  }

  /** The next `method` request fails as if the user clicked "Reject" (EIP-1193 code 4001). */
  rejectNext(method: string): void {
    this.rejections.add(method);
  }

  /**
   * Holds the next `method` request as if the wallet's confirmation window were open. `reached`
   * resolves when the page has asked; `approve()` lets it through.
   */
  hold(method: string): { reached: Promise<void>; approve: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    this.gates.set(method, { opened, open, reached, arrived });
    return { reached: arrived, approve: open };
  }

  private async handle(method: string, params: unknown): Promise<RpcAnswer> {
    this.requests.push(method);
    const gate = this.gates.get(method);
    if (gate) {
      this.gates.delete(method);
      gate.reached();
      await gate.opened;
    }
    if (this.rejections.delete(method)) return { error: USER_REJECTED };
    switch (method) {
      case "eth_chainId":
        return { result: `0x${this.chainId.toString(16)}` };
      case "eth_accounts":
        return { result: this.connected ? [this.address] : [] };
      case "eth_requestAccounts":
        this.connected = true;
        return { result: [this.address] };
      case "wallet_requestPermissions":
        this.connected = true;
        return { result: [{ parentCapability: "eth_accounts", caveats: [{ type: "restrictReturnedAccounts", value: [this.address] }] }] };
      case "wallet_revokePermissions":
        this.connected = false;
        return { result: null };
      case "wallet_switchEthereumChain": {
        const target = Number((params as [{ chainId: string }])[0].chainId);
        return target === this.chainId ? { result: null } : { error: { code: 4902, message: `Unrecognized chain ${target}` } };
      }
      default:
        return this.forward(method, params);
    }
  }

  private async forward(method: string, params: unknown): Promise<RpcAnswer> {
    const response = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
    });
    const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    return body.error ? { error: body.error } : { result: body.result ?? null };
  }
}

/** Runs in the page (serialized by Playwright): the provider object and its EIP-6963 announcement. */
function injectProvider({ name, rdns }: { name: string; rdns: string }) {
  type Listener = (...args: unknown[]) => void;
  const bridge = (window as unknown as { __agentryTestWalletRequest: (method: string, params: unknown) => Promise<RpcAnswer> })
    .__agentryTestWalletRequest;
  const listeners = new Map<string, Set<Listener>>();
  const provider = {
    async request({ method, params }: { method: string; params?: unknown }) {
      const answer = await bridge(method, params);
      if ("error" in answer) {
        const error = new Error(answer.error.message) as Error & { code: number; data?: unknown };
        error.code = answer.error.code;
        if ("data" in answer.error) error.data = (answer.error as { data?: unknown }).data;
        throw error;
      }
      return answer.result;
    },
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return provider;
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };
  const icon =
    "data:image/svg+xml," +
    encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#0e7490"/></svg>');
  const detail = Object.freeze({ info: Object.freeze({ uuid: crypto.randomUUID(), name, icon, rdns }), provider });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}
