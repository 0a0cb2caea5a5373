/**
 * A client's path through the dApp against the seeded stack (global-setup.ts): find an agent on
 * Explore with the filters, open its page, see its worker's attestation checked in the browser
 * (the demo worker is DEV: not attested), open an agreement with the injected wallet, call a tool
 * from the playground with the browser's session key, and verify the receipt.
 */
import { agreementEscrowAbi, getDeployment } from "@agentry/protocol/deployments";
import { connectWallet, test, expect } from "./support/fixtures.ts";

const local = getDeployment(31337).contracts;

test("Explore filters by tag, price and trust, and sorts by price, without JavaScript state", async ({ page }, testInfo) => {
  // The subgraph indexes the seeded agents shortly after the setup: reload until they are there.
  await expect(async () => {
    await page.goto("/?sort=price");
    await expect(page.getByRole("heading", { level: 3 })).toHaveCount(3, { timeout: 1_000 });
    await expect(page.getByText("DEV · not attested")).toHaveCount(3, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  // Cheapest first: Units & Time (0.00002), Text Lab (0.00005), Data Wrangler (0.0001).
  await expect(page.getByRole("heading", { level: 3 })).toHaveText(["Units & Time", "Text Lab", "Data Wrangler"]);
  const card = page.getByRole("article", { name: "Data Wrangler" });
  await expect(card).toContainText("0.0001 ETH per call");
  await page.screenshot({ path: testInfo.outputPath("explore-by-price.png"), fullPage: true });

  // The filters are a GET form: submitting puts them in the URL.
  await page.getByLabel("Tag", { exact: true }).fill("json");
  await page.getByLabel("Trust").selectOption("tee-attestation");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/tag=json/);
  await expect(page.getByRole("heading", { level: 3 })).toHaveText(["Data Wrangler"]);

  await page.goto("/?maxPrice=0.00005&sort=name");
  await expect(page.getByRole("heading", { level: 3 })).toHaveText(["Text Lab", "Units & Time"]);
  await page.goto("/?maxPrice=0.000001");
  await expect(page.getByText("No agent matches these filters")).toBeVisible();
  await page.goto("/?maxPrice=cheap");
  await expect(page.getByText("Max price “cheap” is not an ETH amount")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("explore-bad-filter.png"), fullPage: true });
});

test("a client opens an agreement on an agent's page, calls a tool from the playground and verifies the receipt", async ({ page, wallet, chain }, testInfo) => {
  test.setTimeout(120_000);
  await expect(async () => {
    await page.goto("/?q=wrangler");
    await expect(page.getByRole("link", { name: "Data Wrangler" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole("link", { name: "Data Wrangler" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Data Wrangler" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "json_query" })).toBeVisible();

  // The demo worker's evidence is fetched from /ipfs/<cid> and verified in the browser: DEV.
  await expect(page.locator('[data-attestation="dev"]')).toContainText("Not attested");
  await page.screenshot({ path: testInfo.outputPath("agent-page.png"), fullPage: true });

  await connectWallet(page);
  await page.getByLabel("Max calls").fill("5");
  await page.getByLabel("Deposit (ETH)").fill("0.0003");
  await page.getByRole("button", { name: "Open agreement" }).click();
  const opened = page.locator("[data-agreement-id]");
  await expect(opened).toBeVisible({ timeout: 30_000 });
  const agreementId = BigInt((await opened.getAttribute("data-agreement-id"))!);
  const agreement = await chain.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [agreementId] });
  expect(agreement.client.toLowerCase()).toBe(wallet.address.toLowerCase());
  expect(agreement.fundedCalls).toBe(3);

  // The playground's form is generated from the tool's input schema (the form library loads on demand).
  await page.getByLabel("Tool", { exact: true }).selectOption("csv_to_json");
  const csv = page.getByLabel("csv", { exact: true });
  await expect(page.getByLabel("maxRows (optional)")).toHaveValue("1000");
  await page.getByRole("button", { name: /^Call \(call #1 of 5\)/ }).click();
  // An empty required field: the error is announced with the field, which gets the focus; nothing is signed.
  await expect(csv).toBeFocused();
  await expect(csv).toHaveAccessibleDescription(/Required\./);
  await csv.fill("city,population\nLisbon,545923");
  await page.getByRole("button", { name: /^Call \(call #1 of 5\)/ }).click();
  await expect(page.getByLabel("Result", { exact: true })).toContainText("Lisbon", { timeout: 30_000 });
  await expect(page.getByLabel("Receipt", { exact: true })).toContainText(`"agreementId": "${agreementId}"`);
  await page.getByRole("button", { name: "Verify receipt" }).click();
  await expect(page.getByText("Receipt verified")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("playground-verified.png"), fullPage: true });
  // The next call index is kept in this browser: a reload continues at call #2.
  await page.reload();
  await expect(page.getByRole("button", { name: /^Call \(call #2 of 5\)/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("playground.png"), fullPage: true });
});
