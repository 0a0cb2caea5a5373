/**
 * The dApp in a real browser against a real chain: the developers page, wallet connection (an
 * injected EIP-6963 wallet and the built-in development wallet), a transaction's progress from
 * signing to confirmation, a rejection in the wallet, a decoded contract revert, and the page
 * weight budgets.
 */
import { readFile } from "node:fs/promises";
import { agentRegistryAbi, getDeployment } from "@agentry/protocol/deployments";
import { createWalletClient, http, parseEventLogs, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { PAGE_BUDGETS, initialScripts } from "../../scripts/lib/web.ts";
import { connectWallet, test, expect } from "./support/fixtures.ts";
import { E2E_DIST_DIR } from "./support/stack.ts";
import type { Page } from "@playwright/test";

const local = getDeployment(31337).contracts;
const CONTRACT_NAMES = Object.keys(local) as (keyof typeof local)[];
/** The development wallet's RainbowKit id and where it keeps its key (web/lib/dev-wallet). */
const DEV_WALLET_ID = "agentryDevWallet";
const DEV_WALLET_STORAGE_KEY = "agentry.devWallet.privateKey";

async function ownerOf(chain: PublicClient, agentId: bigint): Promise<Address> {
  return chain.readContract({ address: local.AgentRegistry.address, abi: agentRegistryAbi, functionName: "ownerOf", args: [agentId] });
}

/** Registers an agent directly on the chain, from an account the node signs for. */
async function registerAgentAs(chain: PublicClient, rpcUrl: string, account: Address): Promise<bigint> {
  const hash = await createWalletClient({ account, transport: http(rpcUrl) }).writeContract({
    address: local.AgentRegistry.address,
    abi: agentRegistryAbi,
    functionName: "register",
    args: [],
    chain: null,
  });
  const receipt = await chain.waitForTransactionReceipt({ hash });
  const [registered] = parseEventLogs({ abi: agentRegistryAbi, eventName: "Registered", logs: receipt.logs });
  return registered!.args.agentId;
}

const txStatus = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}:`));

test("the developers page lists the deployed contracts and serves their ABIs", async ({ page }, testInfo) => {
  await page.goto("/developers");
  await expect(page.getByRole("heading", { level: 1, name: "Developers" })).toBeVisible();
  await expect(page.getByTestId("chain-id")).toHaveText("31337");
  for (const name of CONTRACT_NAMES) {
    await expect(page.getByTestId(`contract-${name}`).getByTestId("contract-address")).toHaveText(local[name].address);
  }
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the AgentRegistry ABI" }).click();
  const file = await (await download).path();
  expect(JSON.parse(await readFile(file, "utf8"))).toEqual(JSON.parse(JSON.stringify(agentRegistryAbi)));
  await page.screenshot({ path: testInfo.outputPath("developers.png"), fullPage: true });
});

test("an injected wallet connects and a registration goes from signing to pending to confirmed", async ({ page, wallet, chain }, testInfo) => {
  await page.goto("/register");
  await connectWallet(page);

  // Hold the wallet's confirmation and stop automatic mining, so every step can be seen.
  const confirmation = wallet.hold("eth_sendTransaction");
  await page.getByRole("button", { name: "Mint agent identity" }).click();
  await confirmation.reached;
  const status = txStatus(page, "Mint agent identity");
  await expect(status).toHaveAttribute("data-tx-status", "signing");
  await expect(status).toContainText("Confirm the transaction in your wallet");
  await page.screenshot({ path: testInfo.outputPath("signing.png") });

  await chain.request<{ Method: "evm_setAutomine"; Parameters: [boolean]; ReturnType: boolean }>({ method: "evm_setAutomine", params: [false] });
  try {
    confirmation.approve();
    await expect(status).toHaveAttribute("data-tx-status", "pending");
    const hash = (await status.getByTestId("tx-hash").textContent()) as Hex;
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    await page.screenshot({ path: testInfo.outputPath("pending.png") });
  } finally {
    await chain.request<{ Method: "evm_setAutomine"; Parameters: [boolean]; ReturnType: boolean }>({ method: "evm_setAutomine", params: [true] });
    await chain.request<{ Method: "evm_mine"; Parameters: []; ReturnType: string }>({ method: "evm_mine", params: [] });
  }

  await expect(status).toHaveAttribute("data-tx-status", "confirmed");
  await expect(status).toBeFocused();
  const minted = await page.getByTestId("minted-agent-id").textContent();
  const agentId = BigInt(/#(\d+)/.exec(minted ?? "")![1]!);
  expect(await ownerOf(chain, agentId)).toBe(wallet.address);
  const hash = (await status.getByTestId("tx-hash").textContent()) as Hex;
  const receipt = await chain.getTransactionReceipt({ hash });
  const [registered] = parseEventLogs({ abi: agentRegistryAbi, eventName: "Registered", logs: receipt.logs });
  expect(registered?.args.agentId).toBe(agentId);
  await page.screenshot({ path: testInfo.outputPath("confirmed.png") });
});

test("a rejection in the wallet shows as rejected and sends nothing", async ({ page, wallet, chain }, testInfo) => {
  await page.goto("/register");
  await connectWallet(page);
  const nonceBefore = await chain.getTransactionCount({ address: wallet.address });

  wallet.rejectNext("eth_sendTransaction");
  await page.getByRole("button", { name: "Mint agent identity" }).click();
  const status = txStatus(page, "Mint agent identity");
  await expect(status).toHaveAttribute("data-tx-status", "rejected");
  await expect(status.getByTestId("tx-message")).toHaveText("You rejected the request in your wallet.");
  await expect(page.getByRole("button", { name: "Mint agent identity" })).toBeEnabled();
  expect(await chain.getTransactionCount({ address: wallet.address })).toBe(nonceBefore);
  await page.screenshot({ path: testInfo.outputPath("rejected.png") });
});

test("a revert is explained with the contract's decoded error, before the wallet is asked", async ({ page, wallet, chain, rpcUrl }, testInfo) => {
  const foreignAgent = await registerAgentAs(chain, rpcUrl, (await chain.request({ method: "eth_accounts" }))[0]!);
  await page.goto("/register");
  await connectWallet(page);

  const sendsBefore = wallet.requests.filter((m) => m === "eth_sendTransaction").length;
  await page.getByRole("textbox", { name: "Agent id" }).fill(foreignAgent.toString());
  await page.getByRole("textbox", { name: "Registration file URI" }).fill("https://example.org/agent.json");
  await page.getByRole("button", { name: "Set registration file" }).click();
  const status = txStatus(page, "Set registration file");
  await expect(status).toHaveAttribute("data-tx-status", "failed");
  await expect(status).toHaveAttribute("role", "alert");
  await expect(status.getByTestId("tx-message")).toHaveText(
    `Only the agent's owner or an operator they approved can do this. (NotAgentOperator: agentId ${foreignAgent}, caller ${wallet.address})`,
  );
  expect(wallet.requests.filter((m) => m === "eth_sendTransaction").length).toBe(sendsBefore);
  await page.screenshot({ path: testInfo.outputPath("reverted.png") });
});

test("form errors are shown next to their field and focus moves to the first one", async ({ page }) => {
  await page.goto("/register");
  await connectWallet(page, DEV_WALLET_ID);
  await page.getByRole("button", { name: "Set registration file" }).click();
  await expect(page.getByRole("textbox", { name: "Agent id" })).toBeFocused();
  await expect(page.getByRole("textbox", { name: "Agent id" })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("textbox", { name: "Agent id" })).toHaveAccessibleDescription("Enter the agent's id (a whole number).");
});

test("the development wallet needs no extension: it funds itself, signs locally and reconnects", async ({ page, chain }, testInfo) => {
  await page.goto("/register");
  await connectWallet(page, DEV_WALLET_ID);
  await expect(page.getByRole("note")).toContainText("Development wallet");

  await page.getByRole("button", { name: "Mint agent identity" }).click();
  await expect(txStatus(page, "Mint agent identity")).toHaveAttribute("data-tx-status", "confirmed");
  const agentId = BigInt(/#(\d+)/.exec((await page.getByTestId("minted-agent-id").textContent()) ?? "")![1]!);
  const key = (await page.evaluate((storageKey) => window.localStorage.getItem(storageKey), DEV_WALLET_STORAGE_KEY)) as Hex;
  const burner = privateKeyToAccount(key).address;
  expect(await ownerOf(chain, agentId)).toBe(burner);

  await page.reload();
  await expect(page.getByTestId("rk-account-button")).toBeVisible();
  await expect(page.getByRole("button", { name: "Mint agent identity" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("dev-wallet.png") });
});

test("public pages stay light and wallet pages within budget (initial JavaScript, gzip)", async ({ baseURL }) => {
  for (const page of PAGE_BUDGETS) {
    const scripts = await initialScripts(baseURL!, page.path, E2E_DIST_DIR);
    expect(scripts.gzipBytes, `${page.path}: ${(scripts.gzipBytes / 1024).toFixed(1)} kB`).toBeLessThanOrEqual(page.budget);
  }
});
