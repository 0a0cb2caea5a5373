/**
 * My agreements, client side: an agreement the connected wallet opened shows its funding and
 * expiry; a top-up goes through the page; after expiry plus the grace period (hardhat time travel)
 * closing from the page returns the unspent deposit; the agent's owner sees it as a provider.
 */
import { agreementEscrowAbi, encodeVoucher, getDeployment, requestHash, signVoucher, VOUCHER_META_KEY, workerRegistryAbi } from "@agentry/protocol";
import { createWalletClient, getAbiItem, http, numberToHex, parseEventLogs, zeroAddress, type Address, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { mcpClient } from "../../scripts/lib/local-stack.ts";
import { connectWallet, test, expect } from "./support/fixtures.ts";

const local = getDeployment(31337).contracts;
/** The demo's first agent (scripts/lib/demo.ts), priced in ETH by the e2e setup's seed. */
const DEMO_AGENT = 1n;
const DAY = 86_400;

/** Opens an ETH agreement for `calls` calls from `client` (an address the node signs for). */
async function openAgreementAs(chain: PublicClient, rpcUrl: string, client: Address, calls: bigint, sessionKey: Address = privateKeyToAccount(generatePrivateKey()).address): Promise<{ id: bigint; price: bigint; expiresAt: bigint }> {
  const escrow = local.AgreementEscrow.address;
  const price = await chain.readContract({ address: escrow, abi: agreementEscrowAbi, functionName: "priceOf", args: [DEMO_AGENT, zeroAddress] });
  const expiresAt = (await chain.getBlock()).timestamp + 3600n;
  const hash = await createWalletClient({ account: client, transport: http(rpcUrl) }).writeContract({
    address: escrow,
    abi: agreementEscrowAbi,
    functionName: "open",
    args: [DEMO_AGENT, zeroAddress, calls * price, 1000, expiresAt, sessionKey],
    value: calls * price,
    chain: null,
  });
  const [opened] = parseEventLogs({ abi: agreementEscrowAbi, eventName: "AgreementOpened", logs: (await chain.waitForTransactionReceipt({ hash })).logs });
  return { id: opened!.args.agreementId, price, expiresAt };
}

/** Paid calls 1..count to the demo agent's worker, each with a voucher signed by the session key. */
async function paidCalls(chain: PublicClient, agreement: { id: bigint; price: bigint }, sessionKey: PrivateKeyAccount, count: number) {
  const approvals = await chain.getLogs({ address: local.WorkerRegistry.address, event: getAbiItem({ abi: workerRegistryAbi, name: "WorkerApprovalSet" }), args: { agentId: DEMO_AGENT }, fromBlock: 0n });
  const worker = await chain.readContract({ address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "getWorker", args: [approvals[0]!.args.worker!] });
  const mcp = await mcpClient(worker.endpoint);
  try {
    for (let n = 1n; n <= BigInt(count); n++) {
      const args = { csv: `call,n\npaid,${n}` };
      const voucher = await signVoucher(sessionKey, { chainId: 31337, escrow: local.AgreementEscrow.address }, {
        agreementId: agreement.id,
        calls: n,
        amount: n * agreement.price,
        requestHash: requestHash({ agentId: DEMO_AGENT, toolName: "csv_to_json", arguments: args }),
      });
      const result = await mcp.callTool({ name: "csv_to_json", arguments: args, _meta: { [VOUCHER_META_KEY]: encodeVoucher(voucher) } });
      expect(result.isError ?? false).toBe(false);
    }
  } finally {
    await mcp.close();
  }
}

async function timeTravel(chain: PublicClient, seconds: number) {
  await chain.request<{ Method: "evm_increaseTime"; Parameters: [string]; ReturnType: string }>({ method: "evm_increaseTime", params: [numberToHex(seconds)] });
  await chain.request<{ Method: "evm_mine"; Parameters: []; ReturnType: string }>({ method: "evm_mine", params: [] });
}

test("a client tops up an agreement and, after expiry and grace, closing returns the rest of the deposit", async ({ page, wallet, chain, rpcUrl }, testInfo) => {
  const agreement = await openAgreementAs(chain, rpcUrl, wallet.address, 5n);
  await page.goto("/agreements");
  await connectWallet(page);
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

test("after paid calls, the receipts verify against the on-chain anchor and closing refunds the unpaid rest", async ({ page, wallet, chain, rpcUrl }, testInfo) => {
  test.setTimeout(150_000);
  const sessionKey = privateKeyToAccount(generatePrivateKey());
  const agreement = await openAgreementAs(chain, rpcUrl, wallet.address, 6n, sessionKey.address);
  await paidCalls(chain, agreement, sessionKey, 3);

  // Near the end of the redeem window (expiry + one day) the worker redeems at once.
  await timeTravel(chain, 3600 + DAY - 600);
  const redeemed = getAbiItem({ abi: agreementEscrowAbi, name: "Redeemed" });
  await expect
    .poll(async () => (await chain.getLogs({ address: local.AgreementEscrow.address, event: redeemed, args: { agreementId: agreement.id }, fromBlock: 0n })).length, { timeout: 90_000, intervals: [1000] })
    .toBeGreaterThan(0);

  await page.goto("/agreements");
  await connectWallet(page);
  const card = page.getByTestId(`client-agreement-${agreement.id}`);
  await expect(card.getByTestId("redeemed-calls")).toHaveText("3 of 6 funded (limit 1000)");
  await card.getByRole("button", { name: "Verify receipts" }).click();
  await expect(card.getByTestId("receipts-verdict")).toHaveText("3 signed receipt(s); receipts 1..3 match the on-chain root.");
  await expect(card.getByTestId("unredeemed-calls")).toHaveText("Every served call is redeemed.");
  await page.screenshot({ path: testInfo.outputPath("agreements-receipts.png"), fullPage: true });

  await timeTravel(chain, 700);
  await page.reload();
  await card.getByRole("button", { name: `Close agreement #${agreement.id}` }).click();
  await expect(card.getByTestId("remaining")).toHaveText("refunded");
  const [closed] = await chain.getLogs({ address: local.AgreementEscrow.address, event: getAbiItem({ abi: agreementEscrowAbi, name: "AgreementClosed" }), args: { agreementId: agreement.id }, fromBlock: 0n });
  expect(closed?.args.refund).toBe(3n * agreement.price);
});
