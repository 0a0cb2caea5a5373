/**
 * Attacks on AgreementEscrow. Every test here FAILS IF THE ATTACK WORKS: it asserts the attack is
 * refused and that no funds moved that should not have.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeErrorResult, encodeFunctionData, getAddress, maxUint256, zeroAddress, type Address, type Hex } from "viem";
import { deployAgentry, networkHelpers, registerAgent, requestHashOf, signVoucher, viem } from "../support/fixture.ts";

const ETH_PRICE = 1_000n;
const TOKEN_PRICE = 250_000n;
const DAY = 86_400n;
const ROOT = requestHashOf("root");

async function attackFixture() {
  const a = await deployAgentry();
  const agentId = await registerAgent(a);
  await a.escrow.write.setPrice([agentId, zeroAddress, ETH_PRICE], { account: a.provider.account });
  await a.escrow.write.setPrice([agentId, a.token.address, TOKEN_PRICE], { account: a.provider.account });
  await a.token.write.mint([a.client.account.address, 1_000_000_000_000n]);
  await a.token.write.approve([a.escrow.address, maxUint256], { account: a.client.account });
  const publicClient = await viem.getPublicClient();
  return { ...a, agentId, publicClient };
}

type F = Awaited<ReturnType<typeof attackFixture>>;
type Wallet = F["client"];

function other(f: F, i: number): Wallet {
  const w = f.others[i];
  if (!w) throw new Error(`need account others[${i}]`);
  return w;
}

async function now(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

async function openEth(f: F, calls = 10n, maxCalls = 100, sessionKey: Address = zeroAddress, escrow = f.escrow) {
  const id = await escrow.read.nextAgreementId();
  const expiresAt = (await now()) + DAY;
  await escrow.write.open([f.agentId, zeroAddress, calls * ETH_PRICE, maxCalls, expiresAt, sessionKey], {
    account: f.client.account,
    value: calls * ETH_PRICE,
  });
  return id;
}

async function voucher(f: F, signer: Wallet, agreementId: bigint, calls: bigint, opts: { price?: bigint; chainId?: number; escrow?: Address } = {}) {
  const requestHash = requestHashOf(`req-${agreementId}-${calls}`);
  const amount = calls * (opts.price ?? ETH_PRICE);
  const signature = await signVoucher(signer, {
    chainId: opts.chainId ?? f.chainId,
    escrow: opts.escrow ?? f.escrow.address,
    agreementId,
    calls,
    amount,
    requestHash,
  });
  return { calls, amount, requestHash, signature };
}

type Voucher = Awaited<ReturnType<typeof voucher>>;

function redeemArgs(id: bigint, v: Voucher) {
  return [id, v.calls, v.amount, v.requestHash, v.signature, ROOT] as const;
}

async function ethBalance(f: F, address: Address) {
  return f.publicClient.getBalance({ address });
}

/** Decodes revert data returned to an attacker contract with the escrow's ABI. */
function escrowErrorName(f: F, data: Hex): string {
  return decodeErrorResult({ abi: f.escrow.abi, data }).errorName;
}

describe("Attacks on AgreementEscrow", () => {
  describe("voucher replay and forgery", () => {
    it("a voucher cannot be replayed on another agreement of the same client", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const a = await openEth(f);
      const b = await openEth(f);
      const v = await voucher(f, f.client, a, 3n);
      await f.escrow.write.redeem(redeemArgs(a, v));
      const before = await ethBalance(f, f.escrow.address);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(b, v)), f.escrow, "InvalidVoucherSignature", [b]);
      assert.equal((await f.escrow.read.getAgreement([b])).redeemedCalls, 0);
      assert.equal(await ethBalance(f, f.escrow.address), before);
    });

    it("a voucher signed for another chain is refused", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const id = await openEth(f);
      const v = await voucher(f, f.client, id, 3n, { chainId: f.chainId + 1 });
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, v)), f.escrow, "InvalidVoucherSignature", [id]);
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 0);
    });

    it("a voucher signed for another escrow deployment is refused (same agreement id on both)", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const escrow2 = await viem.deployContract("AgreementEscrow", [f.agentRegistry.address]);
      await escrow2.write.setPrice([f.agentId, zeroAddress, ETH_PRICE], { account: f.provider.account });
      const id1 = await openEth(f);
      const id2 = await openEth(f, 10n, 100, zeroAddress, escrow2);
      assert.equal(id1, id2);
      const forEscrow1 = await voucher(f, f.client, id1, 5n);
      await viem.assertions.revertWithCustomErrorWithArgs(escrow2.write.redeem(redeemArgs(id2, forEscrow1)), escrow2, "InvalidVoucherSignature", [id2]);
      const forEscrow2 = await voucher(f, f.client, id2, 5n, { escrow: escrow2.address });
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id1, forEscrow2)), f.escrow, "InvalidVoucherSignature", [id1]);
      // each works where it belongs
      await escrow2.write.redeem(redeemArgs(id2, forEscrow2));
      await f.escrow.write.redeem(redeemArgs(id1, forEscrow1));
      assert.equal(await ethBalance(f, escrow2.address), 5n * ETH_PRICE);
      assert.equal(await ethBalance(f, f.escrow.address), 5n * ETH_PRICE);
    });

    it("a voucher signed by a stranger (or the agent itself) is refused", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const id = await openEth(f);
      for (const signer of [f.stranger, f.provider]) {
        const v = await voucher(f, signer, id, 10n);
        await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, v), { account: signer.account }), f.escrow, "InvalidVoucherSignature", [id]);
      }
      assert.equal(await ethBalance(f, f.escrow.address), 10n * ETH_PRICE);
    });

    it("the session key of agreement A cannot sign for agreement B", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const keyA = other(f, 0);
      const keyB = other(f, 1);
      const a = await openEth(f, 10n, 100, keyA.account.address);
      const b = await openEth(f, 10n, 100, keyB.account.address);
      const forB = await voucher(f, keyA, b, 4n);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(b, forB)), f.escrow, "InvalidVoucherSignature", [b]);
      // and A's valid voucher is useless on B
      const forA = await voucher(f, keyA, a, 4n);
      await viem.assertions.revertWithCustomError(f.escrow.write.redeem(redeemArgs(b, forA)), f.escrow, "InvalidVoucherSignature");
      // a key rotated out of A is not accepted on B either
      await f.escrow.write.setSessionKey([a, zeroAddress], { account: f.client.account });
      await viem.assertions.revertWithCustomError(f.escrow.write.redeem(redeemArgs(b, forB)), f.escrow, "InvalidVoucherSignature");
      assert.equal((await f.escrow.read.getAgreement([b])).redeemedCalls, 0);
      await f.escrow.write.redeem(redeemArgs(b, await voucher(f, keyB, b, 4n)));
    });

    it("a client cannot cut short a replaced session key's grace by rotating twice", async () => {
      // Calls served under key A must stay redeemable for KEY_ROTATION_GRACE after A is replaced.
      const f = await networkHelpers.loadFixture(attackFixture);
      const keyA = other(f, 0);
      const id = await openEth(f, 10n, 100, keyA.account.address);
      const servedUnderA = await voucher(f, keyA, id, 6n);
      await f.escrow.write.setSessionKey([id, other(f, 1).account.address], { account: f.client.account });
      await f.escrow.write.setSessionKey([id, other(f, 2).account.address], { account: f.client.account });
      // still well within A's grace hour
      await f.escrow.write.redeem(redeemArgs(id, servedUnderA));
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 6);
    });
  });

  describe("redeeming more than was agreed", () => {
    it("past maxCalls, past the deposit, or after close: refused, nothing paid", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const id = await openEth(f, 4n, 5);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, await voucher(f, f.client, id, 6n)), { account: f.stranger.account }), f.escrow, "ExceedsMaxCalls", [6n, 5n]);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, await voucher(f, f.client, id, 5n)), { account: f.stranger.account }), f.escrow, "ExceedsDeposit", [5n, 4n]);
      assert.equal(await ethBalance(f, f.escrow.address), 4n * ETH_PRICE);
      const signedBeforeClose = await voucher(f, f.client, id, 4n);
      await viem.assertions.balancesHaveChanged(f.escrow.write.close([id], { account: f.provider.account }), [
        { address: f.client.account.address, amount: 4n * ETH_PRICE },
        { address: f.provider.account.address, amount: 0n },
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, signedBeforeClose), { account: f.stranger.account }), f.escrow, "AgreementIsClosed", [id]);
      assert.equal(await ethBalance(f, f.escrow.address), 0n);
    });

    it("a lower calls after a higher one, and the same voucher twice, pay nothing", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const id = await openEth(f, 10n);
      const low = await voucher(f, f.client, id, 3n);
      const high = await voucher(f, f.client, id, 7n);
      await f.escrow.write.redeem(redeemArgs(id, high), { account: f.stranger.account });
      const escrowBefore = await ethBalance(f, f.escrow.address);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, low), { account: f.stranger.account }), f.escrow, "AlreadyRedeemed", [3n, 7n]);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.redeem(redeemArgs(id, high), { account: f.stranger.account }), f.escrow, "AlreadyRedeemed", [7n, 7n]);
      assert.equal(await ethBalance(f, f.escrow.address), escrowBefore);
      assert.equal(escrowBefore, 3n * ETH_PRICE);
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 7);
    });
  });

  describe("reentrancy through a malicious ERC-20", () => {
    /** Agreement T in the reentrant token, agreement E in ETH, and the token as an agent operator. */
    async function reentrantSetup() {
      const f = await attackFixture();
      const evil = await viem.deployContract("ReentrantToken");
      await f.escrow.write.setPrice([f.agentId, evil.address, TOKEN_PRICE], { account: f.provider.account });
      await evil.write.mint([f.client.account.address, 1_000n * TOKEN_PRICE]);
      await evil.write.approve([f.escrow.address, maxUint256], { account: f.client.account });
      // the token is made an agent operator so that a reentrant close() would be authorized
      await f.agentRegistry.write.setApprovalForAll([evil.address, true], { account: f.provider.account });
      // and holds ETH to pay for a reentrant open()/topUp()
      await f.client.sendTransaction({ to: evil.address, value: 10n * ETH_PRICE });
      const eId = await openEth(f, 10n);
      const tId = await f.escrow.read.nextAgreementId();
      await f.escrow.write.open([f.agentId, evil.address, 10n * TOKEN_PRICE, 100, (await now()) + DAY, zeroAddress], { account: f.client.account });
      const eVoucher = await voucher(f, f.client, eId, 4n);
      return { ...f, evil, eId, tId, eVoucher };
    }
    type R = Awaited<ReturnType<typeof reentrantSetup>>;

    const payloads: Array<[string, (r: R) => Promise<{ data: Hex; value: bigint }>]> = [
      ["open", async (r) => ({ data: encodeFunctionData({ abi: r.escrow.abi, functionName: "open", args: [r.agentId, zeroAddress, ETH_PRICE, 10, (await now()) + DAY, zeroAddress] }), value: ETH_PRICE })],
      ["topUp", async (r) => ({ data: encodeFunctionData({ abi: r.escrow.abi, functionName: "topUp", args: [r.eId, ETH_PRICE] }), value: ETH_PRICE })],
      ["redeem", async (r) => ({ data: encodeFunctionData({ abi: r.escrow.abi, functionName: "redeem", args: redeemArgs(r.eId, r.eVoucher) }), value: 0n })],
      ["close", async (r) => ({ data: encodeFunctionData({ abi: r.escrow.abi, functionName: "close", args: [r.eId] }), value: 0n })],
    ];

    const outer: Array<[string, number, (r: R) => Promise<unknown>, bigint]> = [
      // [name, hook, outer call, expected change of the escrow's token balance]
      ["open (transferFrom)", 2, async (r) => r.escrow.write.open([r.agentId, r.evil.address, 2n * TOKEN_PRICE, 100, (await now()) + DAY, zeroAddress], { account: r.client.account }), 2n * TOKEN_PRICE],
      ["topUp (transferFrom)", 2, async (r) => r.escrow.write.topUp([r.tId, TOKEN_PRICE], { account: r.client.account }), TOKEN_PRICE],
      ["redeem (transfer)", 1, async (r) => r.escrow.write.redeem(redeemArgs(r.tId, await voucher(r, r.client, r.tId, 3n, { price: TOKEN_PRICE }))), -3n * TOKEN_PRICE],
      ["close (transfer)", 1, async (r) => r.escrow.write.close([r.tId], { account: r.provider.account }), -10n * TOKEN_PRICE],
    ];

    for (const [outerName, hook, outerCall, tokenDelta] of outer) {
      it(`${outerName}: reentrant open/topUp/redeem/close are blocked and move nothing`, async () => {
        for (const [payloadName, makePayload] of payloads) {
          const r = await networkHelpers.loadFixture(reentrantSetup);
          const { data, value } = await makePayload(r);
          await r.evil.write.arm([hook, r.escrow.address, data, value]);
          const ethBefore = await ethBalance(r, r.escrow.address);
          const tokBefore = await r.evil.read.balanceOf([r.escrow.address]);
          const eBefore = await r.escrow.read.getAgreement([r.eId]);
          const nextBefore = await r.escrow.read.nextAgreementId();
          await outerCall(r);
          const label = `${outerName} -> ${payloadName}`;
          assert.equal(await r.evil.read.attempted(), true, `${label}: the hook did not fire`);
          assert.equal(await r.evil.read.reentrySucceeded(), false, `${label}: reentrant call succeeded`);
          assert.equal(escrowErrorName(r, await r.evil.read.reentryReturnData()), "ReentrancyGuardReentrantCall", label);
          // no ETH moved, the token moved only what the outer call should move, E is untouched
          assert.equal(await ethBalance(r, r.escrow.address), ethBefore, label);
          assert.equal(await r.evil.read.balanceOf([r.escrow.address]), tokBefore + tokenDelta, label);
          assert.deepEqual(await r.escrow.read.getAgreement([r.eId]), eBefore, label);
          const expectedNext = outerName.startsWith("open") ? nextBefore + 1n : nextBefore;
          assert.equal(await r.escrow.read.nextAgreementId(), expectedNext, label);
          // the very same call, made outside the guard, is valid: only the guard stopped it
          await r.evil.write.arm([0, zeroAddress, "0x", 0n]);
          await r.evil.write.execute([r.escrow.address, data, value]);
        }
      });
    }
  });

  describe("reentrancy through a malicious agent wallet", () => {
    async function walletSetup() {
      const f = await attackFixture();
      const wallet = await viem.deployContract("MaliciousAgentWallet");
      const id = await openEth(f, 10n);
      return { ...f, wallet, id };
    }

    async function useAsAgentWallet(r: Awaited<ReturnType<typeof walletSetup>>) {
      // ERC-1271 consent: the wallet contract approves any AgentWalletSet digest
      await r.agentRegistry.write.setAgentWallet([r.agentId, r.wallet.address, (await now()) + 60n, "0x"], { account: r.provider.account });
      assert.equal(await r.agentRegistry.read.getAgentWallet([r.agentId]), getAddress(r.wallet.address));
    }

    it("receive() re-entering redeem with a second valid voucher is blocked", async () => {
      const r = await networkHelpers.loadFixture(walletSetup);
      await useAsAgentWallet(r);
      const second = await voucher(r, r.client, r.id, 9n);
      await r.wallet.write.arm([r.escrow.address, encodeFunctionData({ abi: r.escrow.abi, functionName: "redeem", args: redeemArgs(r.id, second) })]);
      await viem.assertions.balancesHaveChanged(r.escrow.write.redeem(redeemArgs(r.id, await voucher(r, r.client, r.id, 2n)), { account: r.stranger.account }), [
        { address: r.wallet.address, amount: 2n * ETH_PRICE },
        { address: r.escrow.address, amount: -2n * ETH_PRICE },
      ]);
      assert.equal(await r.wallet.read.attempted(), true);
      assert.equal(await r.wallet.read.reentrySucceeded(), false);
      assert.equal(escrowErrorName(r, await r.wallet.read.reentryReturnData()), "ReentrancyGuardReentrantCall");
      assert.equal((await r.escrow.read.getAgreement([r.id])).redeemedCalls, 2);
      // the second voucher was valid: redeemed normally it pays exactly the remaining 7 calls
      await r.wallet.write.setMode([0]);
      await r.escrow.write.redeem(redeemArgs(r.id, second));
      assert.equal(await ethBalance(r, r.wallet.address), 9n * ETH_PRICE);
      assert.equal(await ethBalance(r, r.escrow.address), 1n * ETH_PRICE);
    });

    it("receive() re-entering close (the wallet is agent side) is blocked", async () => {
      const r = await networkHelpers.loadFixture(walletSetup);
      await useAsAgentWallet(r);
      const closeData = encodeFunctionData({ abi: r.escrow.abi, functionName: "close", args: [r.id] });
      await r.wallet.write.arm([r.escrow.address, closeData]);
      const clientBefore = await ethBalance(r, r.client.account.address);
      await r.escrow.write.redeem(redeemArgs(r.id, await voucher(r, r.client, r.id, 3n)), { account: r.stranger.account });
      assert.equal(await r.wallet.read.attempted(), true);
      assert.equal(await r.wallet.read.reentrySucceeded(), false);
      assert.equal(escrowErrorName(r, await r.wallet.read.reentryReturnData()), "ReentrancyGuardReentrantCall");
      const ag = await r.escrow.read.getAgreement([r.id]);
      assert.equal(ag.closed, false);
      assert.equal(ag.redeemedCalls, 3);
      assert.equal(await ethBalance(r, r.client.account.address), clientBefore);
      assert.equal(await ethBalance(r, r.escrow.address), 7n * ETH_PRICE);
      // outside the guard the wallet may close, and the refund goes to the client, not to it
      await r.wallet.write.execute([r.escrow.address, closeData]);
      assert.equal(await ethBalance(r, r.client.account.address), clientBefore + 7n * ETH_PRICE);
      assert.equal(await ethBalance(r, r.wallet.address), 3n * ETH_PRICE);
    });

    it("an attacker owning the agent NFT (payouts to the owner) cannot re-enter either", async () => {
      const r = await networkHelpers.loadFixture(walletSetup);
      await r.agentRegistry.write.transferFrom([r.provider.account.address, r.wallet.address, r.agentId], { account: r.provider.account });
      assert.equal(await r.agentRegistry.read.getAgentWallet([r.agentId]), zeroAddress);
      const second = await voucher(r, r.client, r.id, 10n);
      await r.wallet.write.arm([r.escrow.address, encodeFunctionData({ abi: r.escrow.abi, functionName: "redeem", args: redeemArgs(r.id, second) })]);
      await viem.assertions.balancesHaveChanged(r.escrow.write.redeem(redeemArgs(r.id, await voucher(r, r.client, r.id, 1n))), [
        { address: r.wallet.address, amount: ETH_PRICE },
        { address: r.escrow.address, amount: -ETH_PRICE },
      ]);
      assert.equal(await r.wallet.read.reentrySucceeded(), false);
      assert.equal(escrowErrorName(r, await r.wallet.read.reentryReturnData()), "ReentrancyGuardReentrantCall");
      // now re-enter close as the owner
      await r.wallet.write.arm([r.escrow.address, encodeFunctionData({ abi: r.escrow.abi, functionName: "close", args: [r.id] })]);
      await r.escrow.write.redeem(redeemArgs(r.id, await voucher(r, r.client, r.id, 2n)));
      assert.equal(await r.wallet.read.reentrySucceeded(), false);
      assert.equal((await r.escrow.read.getAgreement([r.id])).closed, false);
      assert.equal(await ethBalance(r, r.wallet.address), 2n * ETH_PRICE);
      assert.equal(await ethBalance(r, r.escrow.address), 8n * ETH_PRICE);
    });

    it("an agent wallet that reverts on receive cannot block the client's refund; redeem is blocked until the agent fixes its wallet", async () => {
      const r = await networkHelpers.loadFixture(walletSetup);
      await useAsAgentWallet(r);
      await r.wallet.write.setMode([1]);
      const v = await voucher(r, r.client, r.id, 4n);
      // redeem pays the wallet, whose revert bubbles up: the agent side hurts only itself
      await viem.assertions.revertWithCustomError(r.escrow.write.redeem(redeemArgs(r.id, v)), r.wallet, "NoThanks");
      assert.equal((await r.escrow.read.getAgreement([r.id])).redeemedCalls, 0);
      // the agent can fix it: clearing the wallet sends payouts to the owner
      const snapshot = await networkHelpers.takeSnapshot();
      await r.agentRegistry.write.unsetAgentWallet([r.agentId], { account: r.provider.account });
      await viem.assertions.balancesHaveChanged(r.escrow.write.redeem(redeemArgs(r.id, v), { account: r.stranger.account }), [
        { address: r.provider.account.address, amount: 4n * ETH_PRICE },
      ]);
      await snapshot.restore();
      // the agent side closing sends the refund to the client, untouched by the wallet
      await viem.assertions.balancesHaveChanged(r.escrow.write.close([r.id], { account: r.provider.account }), [
        { address: r.client.account.address, amount: 10n * ETH_PRICE },
        { address: r.escrow.address, amount: -10n * ETH_PRICE },
        { address: r.wallet.address, amount: 0n },
      ]);
    });

    it("the client closes after the grace period despite a reverting agent wallet", async () => {
      const r = await networkHelpers.loadFixture(walletSetup);
      await useAsAgentWallet(r);
      await r.wallet.write.setMode([1]);
      await networkHelpers.time.increase(Number(2n * DAY + 10n));
      await viem.assertions.balancesHaveChanged(r.escrow.write.close([r.id], { account: r.client.account }), [
        { address: r.client.account.address, amount: 10n * ETH_PRICE },
        { address: r.escrow.address, amount: -10n * ETH_PRICE },
      ]);
    });
  });

  describe("odd tokens", () => {
    it("a fee-on-transfer token is refused at open and at topUp", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const fot = await viem.deployContract("FeeOnTransferToken");
      await f.escrow.write.setPrice([f.agentId, fot.address, TOKEN_PRICE], { account: f.provider.account });
      await fot.write.mint([f.client.account.address, 1_000n * TOKEN_PRICE]);
      await fot.write.approve([f.escrow.address, maxUint256], { account: f.client.account });
      await fot.write.setFeeBps([100n]); // 1%
      const exp = (await now()) + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.open([f.agentId, fot.address, 4n * TOKEN_PRICE, 10, exp, zeroAddress], { account: f.client.account }),
        f.escrow,
        "FeeOnTransferToken",
        [getAddress(fot.address), 4n * TOKEN_PRICE, (4n * TOKEN_PRICE * 99n) / 100n],
      );
      // fee switched off: the agreement opens; switched on again: top-ups are refused
      await fot.write.setFeeBps([0n]);
      const id = await f.escrow.read.nextAgreementId();
      await f.escrow.write.open([f.agentId, fot.address, 4n * TOKEN_PRICE, 10, exp, zeroAddress], { account: f.client.account });
      await fot.write.setFeeBps([100n]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([id, 2n * TOKEN_PRICE], { account: f.client.account }),
        f.escrow,
        "FeeOnTransferToken",
        [getAddress(fot.address), 2n * TOKEN_PRICE, (2n * TOKEN_PRICE * 99n) / 100n],
      );
      assert.equal(await fot.read.balanceOf([f.escrow.address]), 4n * TOKEN_PRICE);
      assert.equal((await f.escrow.read.getAgreement([id])).fundedCalls, 4);
    });

    it("a token that returns false instead of reverting cannot fake a deposit or a payout", async () => {
      const f = await networkHelpers.loadFixture(attackFixture);
      const bad = await viem.deployContract("FalseReturnToken");
      await f.escrow.write.setPrice([f.agentId, bad.address, TOKEN_PRICE], { account: f.provider.account });
      await bad.write.mint([f.client.account.address, 100n * TOKEN_PRICE]);
      const exp = (await now()) + DAY;
      // no allowance: transferFrom returns false -> refused, no agreement
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.open([f.agentId, bad.address, 4n * TOKEN_PRICE, 10, exp, zeroAddress], { account: f.client.account }),
        f.escrow,
        "SafeERC20FailedOperation",
        [getAddress(bad.address)],
      );
      assert.equal(await f.escrow.read.nextAgreementId(), 1n);
      await bad.write.approve([f.escrow.address, maxUint256], { account: f.client.account });
      await f.escrow.write.open([f.agentId, bad.address, 4n * TOKEN_PRICE, 1_000, exp, zeroAddress], { account: f.client.account });
      // more than the client holds (96 calls' worth): refused
      await viem.assertions.revertWithCustomError(f.escrow.write.topUp([1n, 200n * TOKEN_PRICE], { account: f.client.account }), f.escrow, "SafeERC20FailedOperation");
      // a failing payout or refund reverts the whole call: no state moves without the tokens
      await bad.write.setFailAll([true]);
      const v = await voucher(f, f.client, 1n, 2n, { price: TOKEN_PRICE });
      await viem.assertions.revertWithCustomError(f.escrow.write.redeem(redeemArgs(1n, v)), f.escrow, "SafeERC20FailedOperation");
      await viem.assertions.revertWithCustomError(f.escrow.write.close([1n], { account: f.provider.account }), f.escrow, "SafeERC20FailedOperation");
      const ag = await f.escrow.read.getAgreement([1n]);
      assert.equal(ag.redeemedCalls, 0);
      assert.equal(ag.closed, false);
      await bad.write.setFailAll([false]);
      await f.escrow.write.redeem(redeemArgs(1n, v));
      assert.equal(await bad.read.balanceOf([f.provider.account.address]), 2n * TOKEN_PRICE);
      assert.equal(await bad.read.balanceOf([f.escrow.address]), 2n * TOKEN_PRICE);
    });
  });

  describe("ERC-1271 contract clients", () => {
    async function contractClientSetup() {
      const f = await attackFixture();
      const wallet = await viem.deployContract("ContractClient", [f.client.account.address]);
      const id = await f.escrow.read.nextAgreementId();
      const data = encodeFunctionData({ abi: f.escrow.abi, functionName: "open", args: [f.agentId, zeroAddress, 10n * ETH_PRICE, 100, (await now()) + DAY, zeroAddress] });
      await wallet.write.execute([f.escrow.address, data, 10n * ETH_PRICE], { account: f.client.account, value: 10n * ETH_PRICE });
      assert.equal((await f.escrow.read.getAgreement([id])).client, getAddress(wallet.address));
      return { ...f, wallet, id };
    }

    it("a contract client whose isValidSignature accepts: its owner's vouchers redeem", async () => {
      const r = await networkHelpers.loadFixture(contractClientSetup);
      const v = await voucher(r, r.client, r.id, 3n); // signed by the owner key, checked via ERC-1271
      await viem.assertions.balancesHaveChanged(r.escrow.write.redeem(redeemArgs(r.id, v), { account: r.stranger.account }), [
        { address: r.provider.account.address, amount: 3n * ETH_PRICE },
      ]);
      // the wallet only vouches for its owner: a stranger's signature is still refused
      await viem.assertions.revertWithCustomError(r.escrow.write.redeem(redeemArgs(r.id, await voucher(r, r.stranger, r.id, 5n))), r.escrow, "InvalidVoucherSignature");
      // refund at close goes to the contract client
      await viem.assertions.balancesHaveChanged(r.escrow.write.close([r.id], { account: r.provider.account }), [
        { address: r.wallet.address, amount: 7n * ETH_PRICE },
        { address: r.client.account.address, amount: 0n },
      ]);
    });

    it("a contract client whose isValidSignature rejects: nothing redeems", async () => {
      const r = await networkHelpers.loadFixture(contractClientSetup);
      await r.wallet.write.setAccepting([false], { account: r.client.account });
      const v = await voucher(r, r.client, r.id, 3n);
      await viem.assertions.revertWithCustomErrorWithArgs(r.escrow.write.redeem(redeemArgs(r.id, v)), r.escrow, "InvalidVoucherSignature", [r.id]);
      assert.equal(await ethBalance(r, r.escrow.address), 10n * ETH_PRICE);
      assert.equal((await r.escrow.read.getAgreement([r.id])).redeemedCalls, 0);
    });
  });
});
