/**
 * My agreements, client side: an agreement the connected wallet opened shows its funding and
 * expiry; a top-up goes through the page; after expiry plus the grace period (hardhat time travel)
 * closing from the page returns the unspent deposit; the agent's owner sees it as a provider.
 */
import { agreementEscrowAbi, getDeployment } from "@agentry/protocol/deployments";
import { createWalletClient, getAbiItem, http, numberToHex, parseEventLogs, zeroAddress, type Address, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures.ts";
import { TEST_WALLET_RDNS } from "./support/injected-wallet.ts";

const local = getDeployment(31337).contracts;
/** The demo's first agent (scripts/lib/demo.ts), priced in ETH by the e2e setup's seed. */
const DEMO_AGENT = 1n;
const DAY = 86_400;

async function connect(page: Page) {
  await page.getByRole("button", { name: "Connect a wallet" }).click();
  await page.getByTestId(`rk-wallet-option-${TEST_WALLET_RDNS}`).click();
  await expect(page.getByTestId("rk-account-button")).toBeVisible();
}

/** Opens an ETH agreement for `calls` calls from `client` (an address the node signs for). */
async function openAgreementAs(chain: PublicClient, rpcUrl: string, client: Address, calls: bigint): Promise<{ id: bigint; price: bigint; expiresAt: bigint }> {
  const escrow = local.AgreementEscrow.address;
  const price = await chain.readContract({ address: escrow, abi: agreementEscrowAbi, functionName: "priceOf", args: [DEMO_AGENT, zeroAddress] });
  const expiresAt = (await chain.getBlock()).timestamp + 3600n;
  const hash = await createWalletClient({ account: client, transport: http(rpcUrl) }).writeContract({
    address: escrow,
    abi: agreementEscrowAbi,
    functionName: "open",
    args: [DEMO_AGENT, zeroAddress, calls * price, 1000, expiresAt, privateKeyToAccount(generatePrivateKey()).address],
    value: calls * price,
    chain: null,
  });
  const [opened] = parseEventLogs({ abi: agreementEscrowAbi, eventName: "AgreementOpened", logs: (await chain.waitForTransactionReceipt({ hash })).logs });
  return { id: opened!.args.agreementId, price, expiresAt };
}

async function timeTravel(chain: PublicClient, seconds: number) {
  await chain.request<{ Method: "evm_increaseTime"; Parameters: [string]; ReturnType: string }>({ method: "evm_increaseTime", params: [numberToHex(seconds)] });
  await chain.request<{ Method: "evm_mine"; Parameters: []; ReturnType: string }>({ method: "evm_mine", params: [] });
}

test("a client tops up an agreement and, after expiry and grace, closing returns the rest of the deposit", async ({ page, wallet, chain, rpcUrl }, testInfo) => {
  const agreement = await openAgreementAs(chain, rpcUrl, wallet.address, 5n);
  await page.goto("/agreements");
  await connect(page);
  const card = page.getByTestId(`client-agreement-${agreement.id}`);
  await expect(card.getByTestId("redeemed-calls")).toHaveText("0 of 5 funded (limit 1000)");
  await expect(card.getByTestId("closable-at")).toContainText("You can close it from");
  await expect(card.getByRole("button", { name: `Close agreement #${agreement.id}` })).toBeDisabled();

  await card.getByLabel(`Calls to add to agreement #${agreement.id}`).fill("3");
  await card.getByRole("button", { name: "Top up" }).click();
  await expect(card.getByTestId("redeemed-calls")).toHaveText("0 of 8 funded (limit 1000)");
  await page.screenshot({ path: testInfo.outputPath("agreements-open.png"), fullPage: true });

  // Past expiry and the escrow's one-day grace period, the client may close.
  await timeTravel(chain, 3600 + DAY + 60);
  await page.reload();
  await expect(card.getByTestId("closable-at")).toHaveText(/You can close it now/);
  await card.getByRole("button", { name: `Close agreement #${agreement.id}` }).click();
  await expect(card.getByTestId("remaining")).toHaveText("refunded");
  // The whole unspent deposit (8 calls, none redeemed) went back to the client.
  const [closed] = await chain.getLogs({
    address: local.AgreementEscrow.address,
    event: getAbiItem({ abi: agreementEscrowAbi, name: "AgreementClosed" }),
    args: { agreementId: agreement.id },
    fromBlock: 0n,
  });
  expect(closed?.args.closedBy).toBe(wallet.address);
  expect(closed?.args.refund).toBe(8n * agreement.price);
  await page.screenshot({ path: testInfo.outputPath("agreements-closed.png"), fullPage: true });
});
