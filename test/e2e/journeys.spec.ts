/**
 * Whole journeys through the real stack (global-setup.ts), each with something that can go wrong:
 * a client's verified feedback after paid calls, reaching the chain and the agent page; a developer's
 * `npm run deploy` to a new chain, shown by a dApp server pointed at it; a wallet too poor to open
 * an agreement, told so before anything is sent; and the worker serving an agreement dying mid-session,
 * with the broker failing over to the agent's other worker and, once none is left, a clear message,
 * the client never charged for a call that did not run.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { agreementEscrowAbi, getDeployment, reputationRegistryAbi } from "@agentry/protocol/deployments";
import { createPublicClient, formatEther, getAddress, http, zeroAddress, type Address, type PublicClient } from "viem";
import type { Page } from "@playwright/test";
import { deploy } from "../../scripts/deploy.ts";
import { startChain } from "../../scripts/lib/chain.ts";
import { CONTENT_DIR } from "../../scripts/lib/indexer.ts";
import { DEPLOYMENTS_RECORD, LOCAL_STATE_DIR, PROTOCOL_GENERATED_DIR } from "../../scripts/lib/paths.ts";
import { startWeb } from "../../scripts/lib/web.ts";
import { manifestPaths } from "../../scripts/generate-subgraph.ts";
import { connectWallet, setBalance, test, expect } from "./support/fixtures.ts";
import { startServingAgent, type ServingAgent } from "./support/serving-agent.ts";
import { E2E_DIST_DIR } from "./support/stack.ts";

const local = getDeployment(31337).contracts;
/** The demo's first agent, Data Wrangler (0.0001 ETH per call), seeded by the e2e setup. */
const DEMO_AGENT = 1n;
const CALLS = 5;

/** Opens the agent's page once the subgraph has indexed the agent and its registration file. */
async function openAgentPage(page: Page, agent: { agentId: bigint; name: string }) {
  await expect(async () => {
    await page.goto(`/agents/${agent.agentId}`);
    await expect(page.getByRole("heading", { level: 1, name: agent.name })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
}

/** Opens an agreement for `calls` calls at `price` from the agent page; returns its id. */
async function openAgreementOnPage(page: Page, price: bigint, calls: number): Promise<bigint> {
  await connectWallet(page);
  await page.getByLabel("Max calls").fill(String(calls));
  await page.getByLabel("Deposit (ETH)").fill(formatEther(price * BigInt(calls)));
  await page.getByRole("button", { name: "Open agreement" }).click();
  const opened = page.locator("[data-agreement-id]");
  await expect(opened).toBeVisible({ timeout: 30_000 });
  return BigInt((await opened.getAttribute("data-agreement-id"))!);
}

/** One csv_to_json call from the playground as call #`n`; returns the worker that signed its receipt. */
async function playgroundCall(page: Page, n: number, row: string): Promise<Address> {
  await page.getByLabel("Tool", { exact: true }).selectOption("csv_to_json");
  await page.getByLabel(/^csv/).fill(`call,row\n${n},${row}`);
  await page.getByRole("button", { name: new RegExp(`^Call \\(call #${n} of ${CALLS}\\)`) }).click();
  await expect(page.getByLabel("Result", { exact: true })).toContainText(row, { timeout: 30_000 });
  const receipt = JSON.parse((await page.getByLabel("Receipt", { exact: true }).textContent()) ?? "") as { calls: string; worker: Address };
  expect(receipt.calls).toBe(String(n));
  return receipt.worker;
}

function agreementOnChain(chain: PublicClient, agreementId: bigint) {
  return chain.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [agreementId] });
}

/** Waits until the agent's workers have redeemed `calls` calls of the agreement on-chain. */
async function expectRedeemed(chain: PublicClient, agreementId: bigint, calls: number) {
  await expect.poll(async () => (await agreementOnChain(chain, agreementId)).redeemedCalls, { timeout: 30_000, intervals: [250] }).toBe(calls);
}

/** The agent page's overview entry `term` (a definition list). */
const overviewEntry = (page: Page, term: string) => page.locator("dt", { hasText: new RegExp(`^${term}$`) }).locator("xpath=following-sibling::dd[1]");

test("after paid calls a client leaves verified feedback: confirmed on-chain, shown on the agent page", async ({ page, wallet, chain, rpcUrl, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const agent = await startServingAgent({ rpcUrl, webUrl: baseURL!, name: "Feedback Desk", tools: ["csv_to_json"], workerCount: 1 });
  try {
    await openAgentPage(page, agent);
    await expect(overviewEntry(page, "Reputation")).toHaveText("No feedback yet");
    const agreementId = await openAgreementOnPage(page, agent.price, CALLS);
    await playgroundCall(page, 1, "first");
    await playgroundCall(page, 2, "second");
    // The worker redeems served calls at once: feedback needs at least one paid call.
    await expectRedeemed(chain, agreementId, 2);

    // The wallet connected on the agent page reconnects by itself.
    await page.goto("/agreements");
    const card = page.getByTestId(`client-agreement-${agreementId}`);
    await expect(card.getByTestId("redeemed-calls")).toHaveText(`2 of ${CALLS} funded (limit ${CALLS})`);
    await card.getByLabel(`Rating for agent #${agent.agentId} (1-5)`).fill("4");
    await card.getByRole("button", { name: "Give feedback" }).click();
    await expect(card.getByLabel(/^Give feedback:/)).toHaveAttribute("data-tx-status", "confirmed", { timeout: 30_000 });
    await page.screenshot({ path: testInfo.outputPath("feedback-given.png"), fullPage: true });

    // On-chain: one entry from this client, value 4, proven to come from a paying client.
    const reputation = local.ReputationRegistry.address;
    const index = await chain.readContract({ address: reputation, abi: reputationRegistryAbi, functionName: "getLastIndex", args: [agent.agentId, wallet.address] });
    expect(index).toBe(1n);
    const [value, decimals, tag1, , revoked] = await chain.readContract({ address: reputation, abi: reputationRegistryAbi, functionName: "readFeedback", args: [agent.agentId, wallet.address, index] });
    expect({ value, decimals, tag1, revoked }).toEqual({ value: 4n, decimals: 0, tag1: "rating", revoked: false });
    expect(await chain.readContract({ address: reputation, abi: reputationRegistryAbi, functionName: "isFeedbackVerified", args: [agent.agentId, wallet.address, index] })).toBe(true);

    // Through the subgraph, the agent page counts it as verified feedback.
    await expect(async () => {
      await page.goto(`/agents/${agent.agentId}`);
      await expect(overviewEntry(page, "Reputation")).toHaveText("score 4 (1 review, 1 verified)", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await page.screenshot({ path: testInfo.outputPath("agent-reputation.png"), fullPage: true });
  } finally {
    await agent.stop();
  }
});

test("a developer deploys with `npm run deploy` to a new chain and the dApp serving it shows exactly those contracts", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  // `deploy()` (scripts/deploy.ts, behind `npm run deploy`) has no option to record elsewhere: it
  // rewrites the tracked protocol/deployments.json and, when they change, protocol/src/generated
  // and the subgraph's manifests. Their contents are kept here and restored afterwards (only the
  // files whose content changed are written back, so the dApp's build is not made stale for nothing).
  const tracked = [DEPLOYMENTS_RECORD, path.join(PROTOCOL_GENERATED_DIR, "deployments.ts"), ...(await manifestPaths())];
  const before = new Map(await Promise.all(tracked.map(async (file) => [file, await readFile(file, "utf8")] as const)));
  // A second hardhat node of the test's own: the other tests' chain is left alone.
  const chain = await startChain({ logFile: path.join(LOCAL_STATE_DIR, "e2e-deploy-chain.log") });
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  try {
    const deployed = await deploy({ network: "localhost", rpcUrl: chain.url });
    expect(deployed.chainId).toBe(chain.chainId);
    const onNewChain = createPublicClient({ transport: http(chain.url, { retryCount: 0 }) });
    for (const contract of Object.values(deployed.contracts)) {
      expect(await onNewChain.getCode({ address: getAddress(contract.address) }), `code at ${contract.address}`).toMatch(/^0x[0-9a-f]{2,}/);
    }
    // The dApp's addresses come from @agentry/protocol's record, built into it. A new chain deployed
    // from account #0 gets the recorded addresses, so the same production build serves it, configured
    // by environment only (a deployment at other addresses changes protocol/src/generated: rebuild).
    web = await startWeb(
      { AGENTRY_RPC_URL: chain.url, AGENTRY_CHAIN_ID: String(deployed.chainId), AGENTRY_CONTENT_DIR: CONTENT_DIR },
      { distDir: E2E_DIST_DIR, logFile: path.join(LOCAL_STATE_DIR, "e2e-deploy-web.log") },
    );
    await page.goto(`${web.url}/developers`);
    await expect(page.getByTestId("chain-id")).toHaveText(String(deployed.chainId));
    await expect(page.getByText(chain.url, { exact: true })).toBeVisible();
    const names = Object.keys(deployed.contracts) as (keyof typeof deployed.contracts)[];
    expect(names.sort()).toEqual(["AgentRegistry", "AgreementEscrow", "ReputationRegistry", "WorkerRegistry"]);
    for (const name of names) {
      const row = page.getByTestId(`contract-${name}`);
      await expect(row.getByTestId("contract-address")).toHaveText(getAddress(deployed.contracts[name].address));
      await expect(row.getByRole("cell").nth(1)).toHaveText(String(deployed.contracts[name].startBlock));
    }
    await page.screenshot({ path: testInfo.outputPath("developers-after-deploy.png"), fullPage: true });
  } finally {
    await web?.stop();
    await chain.stop();
    for (const [file, content] of before) {
      if ((await readFile(file, "utf8")) !== content) await writeFile(file, content);
    }
  }
});

test("a wallet without enough ETH is told so before anything is sent, and nothing is", async ({ page, wallet, chain }, testInfo) => {
  await page.goto(`/agents/${DEMO_AGENT}`);
  await connectWallet(page);
  const price = await chain.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "priceOf", args: [DEMO_AGENT, zeroAddress] });
  const deposit = price * BigInt(CALLS);
  const status = page.getByLabel(/^Open agreement:/);

  // Less than the deposit itself, then the deposit but not the gas on top of it.
  for (const balance of [deposit / 2n, deposit + 1n]) {
    await setBalance(chain, wallet.address, balance);
    const nonceBefore = await chain.getTransactionCount({ address: wallet.address });
    const sendsBefore = wallet.requests.filter((m) => m === "eth_sendTransaction").length;
    await page.getByLabel("Max calls").fill(String(CALLS));
    await page.getByLabel("Deposit (ETH)").fill(formatEther(deposit));
    await page.getByRole("button", { name: "Open agreement" }).click();
    await expect(status).toHaveAttribute("data-tx-status", "failed");
    await expect(status).toHaveAttribute("role", "alert");
    await expect(status.getByTestId("tx-message")).toContainText("not enough ETH");
    await expect(status.getByTestId("tx-message")).toContainText(`${formatEther(balance)} ETH`);
    await expect(status.getByTestId("tx-message")).toContainText("Add ETH to your wallet");
    expect(wallet.requests.filter((m) => m === "eth_sendTransaction").length, "the wallet is not asked to send").toBe(sendsBefore);
    expect(await chain.getTransactionCount({ address: wallet.address })).toBe(nonceBefore);
    expect(await chain.getBalance({ address: wallet.address })).toBe(balance);
    await page.screenshot({ path: testInfo.outputPath(`insufficient-funds-${balance === deposit + 1n ? "gas" : "deposit"}.png`), fullPage: true });
  }
  await expect(page.getByRole("button", { name: "Open agreement" })).toBeEnabled();
  await expect(page.locator("[data-agreement-id]")).toHaveCount(0);
});

test("the worker serving an agreement dies mid-session: the next call fails over, and with none left the client sees why and pays nothing", async ({ page, wallet, chain, rpcUrl, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  let agent: ServingAgent | undefined;
  try {
    agent = await startServingAgent({ rpcUrl, webUrl: baseURL!, name: "Failover Pair", tools: ["csv_to_json"], workerCount: 2 });
    await openAgentPage(page, agent);
    const agreementId = await openAgreementOnPage(page, agent.price, CALLS);

    const first = await playgroundCall(page, 1, "before the crash");
    await expectRedeemed(chain, agreementId, 1);
    const serving = agent.workers.find((w) => w.address.toLowerCase() === first.toLowerCase())!;
    const other = agent.workers.find((w) => w !== serving)!;
    await serving.kill(); // SIGKILL: no graceful shutdown, its connections just drop

    // Call #2 reaches the broker with the dead worker still eligible on-chain: it goes to the other one.
    const second = await playgroundCall(page, 2, "after the crash");
    expect(second.toLowerCase()).toBe(other.address.toLowerCase());
    await expect(page.getByRole("button", { name: `Call (call #3 of ${CALLS})` })).toBeVisible();
    // Two calls ran, two are paid: the attempt on the dead worker cost nothing.
    await expectRedeemed(chain, agreementId, 2);
    expect((await agreementOnChain(chain, agreementId)).redeemedAmount).toBe(2n * agent.price);
    await page.screenshot({ path: testInfo.outputPath("failover.png"), fullPage: true });

    await other.kill();
    await page.getByLabel(/^csv/).fill("call,row\n3,nobody left");
    await page.getByRole("button", { name: `Call (call #3 of ${CALLS})` }).click();
    const failure = page.getByRole("alert").filter({ hasText: "The call failed" });
    await expect(failure).toBeVisible({ timeout: 30_000 });
    await expect(failure).toContainText("No worker of this agent could run the call");
    await expect(failure).toContainText("Nothing was charged");
    await page.screenshot({ path: testInfo.outputPath("no-worker-left.png"), fullPage: true });
    // The voucher index the dApp keeps did not move (also after a reload), and nothing more was paid.
    await expect(page.getByRole("button", { name: `Call (call #3 of ${CALLS})` })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("button", { name: `Call (call #3 of ${CALLS})` })).toBeVisible();
    const after = await agreementOnChain(chain, agreementId);
    expect({ redeemedCalls: after.redeemedCalls, redeemedAmount: after.redeemedAmount }).toEqual({ redeemedCalls: 2, redeemedAmount: 2n * agent.price });
  } finally {
    await agent?.stop();
  }
});
