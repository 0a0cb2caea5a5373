/**
 * A provider registers an agent through the wizard (file with two tools, upload, mint, price,
 * workers) against the real chain, content store and a registered worker, leaving halfway twice
 * (a reload) and resuming at the first unfinished step; the Workers page shows the worker's validation.
 */
import { agentRegistryAbi, agreementEscrowAbi, getDeployment, workerRegistryAbi } from "@agentry/protocol/deployments";
import { getAbiItem, parseEther, zeroAddress, type Address, type PublicClient } from "viem";
import type { Page } from "@playwright/test";
import { connectWallet, test, expect } from "./support/fixtures.ts";

const local = getDeployment(31337).contracts;

/** The worker the e2e setup registered and validated (the demo's DEV worker), as the chain records it. */
async function registeredWorker(chain: PublicClient): Promise<Address> {
  const logs = await chain.getLogs({
    address: local.WorkerRegistry.address,
    event: getAbiItem({ abi: workerRegistryAbi, name: "WorkerRegistered" }),
    fromBlock: 0n,
  });
  const worker = logs[0]?.args.worker;
  if (!worker) throw new Error("the e2e setup registered no worker (test/e2e/global-setup.ts starts one)");
  return worker;
}

/** Connects the injected wallet unless the page already reconnected it (after a reload). */
const stepHeading = (page: Page) => page.locator("#wizard-step-heading");
const txStatus = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}:`));

async function agentIdShown(page: Page): Promise<bigint> {
  const text = await page.getByTestId("registered-agent-id").textContent();
  return BigInt(/#(\d+)/.exec(text ?? "")![1]!);
}

async function fillTool(page: Page, index: number, tool: { name: string; schema: string; price: string; tags: string }) {
  const n = index + 1;
  await page.getByLabel(`Tool ${n} name`).fill(tool.name);
  await page.getByLabel(`Tool ${n} description`).fill(`The ${tool.name} tool.`);
  await page.getByLabel(`Tool ${n} input schema`).fill(tool.schema);
  await page.getByLabel(`Tool ${n} price (ETH per call)`).fill(tool.price);
  await page.getByLabel(`Tool ${n} tags`).fill(tool.tags);
}

test("a provider registers an agent with two tools, leaves halfway, resumes, prices it and approves a worker", async ({ page, wallet, chain }, testInfo) => {
  test.setTimeout(120_000);
  const worker = await registeredWorker(chain);
  await page.goto("/register");
  await connectWallet(page);
  await expect(stepHeading(page)).toHaveText("Registration file");

  // Live validation: each problem shows as it is typed and goes away when fixed.
  await page.getByLabel("Name", { exact: true }).fill("Weather tools");
  await page.getByLabel("Description", { exact: true }).fill("Forecasts and alerts.");
  await page.getByLabel("MCP endpoint").fill("ftp://example.org");
  await expect(page.getByText("Use an http:// or https:// URL.")).toBeVisible();
  await page.getByLabel("MCP endpoint").fill("https://mcp.example.org/mcp");
  await expect(page.getByText("Use an http:// or https:// URL.")).toHaveCount(0);
  await fillTool(page, 0, { name: "forecast", schema: '{"type":"object","properties":{"city":{"type":"string"}}}', price: "0.001", tags: "weather, forecast" });
  await page.getByRole("button", { name: "Add a tool" }).click();
  await fillTool(page, 1, { name: "forecast", schema: '{"type": "array"', price: "0.002", tags: "weather" });
  await expect(page.getByText("Another tool already has this name.")).toBeVisible();
  await expect(page.getByText(/^Not valid JSON/)).toBeVisible();
  await page.getByRole("button", { name: "Continue to upload" }).click();
  await expect(stepHeading(page)).toHaveText("Registration file"); // refused while invalid
  await fillTool(page, 1, { name: "alerts", schema: '{"type":"array"}', price: "0.002", tags: "weather" });
  await expect(page.getByText('Must be a JSON Schema whose "type" is "object" (MCP tool input).')).toBeVisible();
  await page.getByLabel("Tool 2 input schema").fill('{"type":"object","properties":{"region":{"type":"string"}}}');
  await expect(page.getByTestId("file-validity")).toHaveText("The registration file is valid.");
  await page.screenshot({ path: testInfo.outputPath("register-file.png"), fullPage: true });
  await page.getByRole("button", { name: "Continue to upload" }).click();

  await expect(stepHeading(page)).toHaveText("Upload");
  await page.getByRole("button", { name: "Upload the registration file" }).click();
  await expect(stepHeading(page)).toHaveText("Mint");
  const cid = (await page.getByTestId("registration-cid").textContent())!;
  const stored = (await (await page.request.get(`/ipfs/${cid}`)).json()) as { name: string; agentry: { tools: { name: string; price?: string }[] } };
  expect(stored.name).toBe("Weather tools");
  expect(stored.agentry.tools.map((t) => [t.name, t.price])).toEqual([["forecast", parseEther("0.001").toString()], ["alerts", parseEther("0.002").toString()]]);

  // Leaving halfway: the draft and the upload survive a reload, and the wizard resumes at Mint.
  await page.reload();
  await connectWallet(page);
  await expect(stepHeading(page)).toHaveText("Mint");
  await expect(page.getByTestId("registration-cid")).toHaveText(cid);
  await page.getByRole("button", { name: "Mint the agent" }).click();
  await expect(txStatus(page, "Mint the agent")).toHaveAttribute("data-tx-status", /signing|pending|confirmed/);
  // Once confirmed the wizard moves on to the next step.
  await expect(stepHeading(page)).toHaveText("Price");
  const agentId = await agentIdShown(page);
  const registry = local.AgentRegistry.address;
  expect(await chain.readContract({ address: registry, abi: agentRegistryAbi, functionName: "ownerOf", args: [agentId] })).toBe(wallet.address);
  expect(await chain.readContract({ address: registry, abi: agentRegistryAbi, functionName: "tokenURI", args: [agentId] })).toBe(`ipfs://${cid}`);

  // The suggested price is the highest advertised one.
  await expect(page.getByLabel("Price per call (ETH)")).toHaveValue("0.002");
  await page.getByRole("button", { name: "Set the price" }).click();
  await expect(txStatus(page, "Set the price")).toHaveAttribute("data-tx-status", /signing|pending|confirmed/);
  await expect(stepHeading(page)).toHaveText("Workers");
  expect(await priceOf(chain, agentId)).toBe(parseEther("0.002"));

  // Leaving again: the chain confirms mint and price, so the wizard resumes at Workers.
  await page.reload();
  await connectWallet(page);
  await expect(stepHeading(page)).toHaveText("Workers");
  const row = page.getByTestId(`worker-${worker}`);
  await expect(row.getByTestId("validation-state")).toContainText("Validated");
  await row.getByRole("button", { name: "Approve worker" }).click();
  await expect(txStatus(page, "Approve worker")).toHaveAttribute("data-tx-status", "confirmed");
  await expect(row.getByRole("button", { name: "Approved" })).toBeDisabled();
  await row.getByRole("button", { name: "Pin measurement" }).click();
  await expect(txStatus(page, "Pin measurement")).toHaveAttribute("data-tx-status", "confirmed");
  await expect(row.getByRole("button", { name: "Measurement pinned" })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath("register-workers.png"), fullPage: true });
  expect(await chain.readContract({ address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "isEligible", args: [agentId, worker] })).toBe(true);

  await page.getByRole("button", { name: "Finish" }).click();
  await expect(stepHeading(page)).toHaveText("All done");
  await page.screenshot({ path: testInfo.outputPath("register-done.png"), fullPage: true });
});

async function priceOf(chain: PublicClient, agentId: bigint): Promise<bigint> {
  return chain.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "priceOf", args: [agentId, zeroAddress] });
}

test("the Workers page shows each registered worker's validation", async ({ page, chain }, testInfo) => {
  const worker = await registeredWorker(chain);
  await page.goto("/workers");
  const row = page.getByTestId(`worker-${worker}`);
  await expect(row.getByTestId("validation-state")).toContainText("Validated until");
  await expect(row).toContainText("DEV");
  await expect(page.getByText("npm run worker -- register")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("workers.png"), fullPage: true });
});
