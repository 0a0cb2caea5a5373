/**
 * Playwright fixtures for the dApp: the running stack, a viem client on its chain, a fresh injected
 * wallet per test (an impersonated, funded address on the hardhat node), and a guard that fails any
 * test whose page reaches for a host other than the local stack (the dApp must work offline).
 */
import { test as base, expect, type Page } from "@playwright/test";
import { createPublicClient, http, numberToHex, parseEther, type Address, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { InjectedTestWallet, TEST_WALLET_RDNS } from "./injected-wallet.ts";
import { e2eStack } from "./stack.ts";

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost"]);

interface Fixtures {
  rpcUrl: string;
  chain: PublicClient;
  wallet: InjectedTestWallet;
  offlineGuard: void;
}

/**
 * Connects the dApp to a wallet through RainbowKit's modal and waits for the account button. A
 * wallet connected before reconnects by itself while the page loads, which can take the connect
 * button away between seeing it and clicking it; so each step is retried until the account shows.
 */
export async function connectWallet(page: Page, walletId: string = TEST_WALLET_RDNS): Promise<void> {
  const account = page.getByTestId("rk-account-button");
  const connectButton = page.getByRole("button", { name: "Connect a wallet" }).first();
  const option = page.getByTestId(`rk-wallet-option-${walletId}`);
  await expect(async () => {
    if (await account.isVisible()) return;
    if (!(await option.isVisible())) {
      await connectButton.click({ timeout: 2_000 });
      await expect(option.or(account).first()).toBeVisible({ timeout: 5_000 });
    }
    if (await option.isVisible()) await option.click({ timeout: 2_000 });
    await expect(account).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
}

/** Sets `address`'s ETH balance on the hardhat node. */
export async function setBalance(chain: PublicClient, address: Address, wei: bigint): Promise<void> {
  await chain.request<{ Method: "hardhat_setBalance"; Parameters: [Address, string]; ReturnType: boolean }>({
    method: "hardhat_setBalance",
    params: [address, numberToHex(wei)],
  });
}

/** A never-seen address that the hardhat node signs for (impersonation) and funds. */
async function freshFundedAddress(chain: PublicClient): Promise<Address> {
  const address = privateKeyToAccount(generatePrivateKey()).address;
  await chain.request<{ Method: "hardhat_impersonateAccount"; Parameters: [Address]; ReturnType: boolean }>({
    method: "hardhat_impersonateAccount",
    params: [address],
  });
  await setBalance(chain, address, parseEther("100"));
  return address;
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => use(e2eStack().webUrl),
  rpcUrl: async ({}, use) => use(e2eStack().rpcUrl),
  chain: async ({ rpcUrl }, use) => use(createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) }) as PublicClient),
  wallet: async ({ page, chain, rpcUrl }, use) => {
    const wallet = new InjectedTestWallet({ rpcUrl, address: await freshFundedAddress(chain), chainId: await chain.getChainId() });
    await wallet.install(page);
    await use(wallet);
  },
  offlineGuard: [
    async ({ page }, use) => {
      const external: string[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if ((url.protocol === "http:" || url.protocol === "https:" || url.protocol === "ws:" || url.protocol === "wss:") && !LOCAL_HOSTS.has(url.hostname)) {
          external.push(request.url());
        }
      });
      await use();
      expect(external, "the dApp must not reach hosts outside the local stack").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
