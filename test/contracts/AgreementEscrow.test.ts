/**
 * AgreementEscrow: every flow and every revert path, in ETH and in an ERC-20.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { getAddress, hashTypedData, maxUint256, recoverTypedDataAddress, zeroAddress, type Address, type Hex } from "viem";
import {
  deployAgentry,
  networkHelpers,
  registerAgent,
  requestHashOf,
  signVoucher,
  viem,
} from "../support/fixture.ts";
import { agentWalletSetTypes, escrowDomain, identityRegistryDomain, invocationTypes, receiptTypes } from "../../protocol/src/eip712.ts";
import { jsonHash, requestHash } from "../../protocol/src/request.ts";

const ETH_PRICE = 1_000n;
const TOKEN_PRICE = 250_000n; // 0.25 TUSD
const HOUR = 3_600n;
const DAY = 86_400n;
const MAX_DURATION = 365n * DAY;
const UINT96_MAX = 2n ** 96n - 1n;
const ROOT = requestHashOf("receipts-root");

/** Agentry with an agent priced in ETH and in TUSD; client and stranger hold and approved TUSD. */
async function pricedAgentry() {
  const a = await deployAgentry();
  const agentId = await registerAgent(a);
  await a.escrow.write.setPrice([agentId, zeroAddress, ETH_PRICE], { account: a.provider.account });
  await a.escrow.write.setPrice([agentId, a.token.address, TOKEN_PRICE], { account: a.provider.account });
  for (const w of [a.client, a.stranger]) {
    await a.token.write.mint([w.account.address, 1_000_000_000_000n]);
    await a.token.write.approve([a.escrow.address, maxUint256], { account: w.account });
  }
  return { ...a, agentId };
}

type F = Awaited<ReturnType<typeof pricedAgentry>>;
type Wallet = F["client"];

async function now(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

/** Opens an agreement and returns its id and expiry. */
async function openAgreement(
  f: F,
  opts: {
    token?: "eth" | "erc20";
    calls?: bigint;
    maxCalls?: number;
    duration?: bigint;
    sessionKey?: Address;
    from?: Wallet;
  } = {},
) {
  const erc20 = opts.token === "erc20";
  const price = erc20 ? TOKEN_PRICE : ETH_PRICE;
  const calls = opts.calls ?? 10n;
  const expiresAt = (await now()) + (opts.duration ?? DAY);
  const from = opts.from ?? f.client;
  const id = await f.escrow.read.nextAgreementId();
  await f.escrow.write.open(
    [f.agentId, erc20 ? f.token.address : zeroAddress, calls * price, opts.maxCalls ?? 100, expiresAt, opts.sessionKey ?? zeroAddress],
    { account: from.account, value: erc20 ? 0n : calls * price },
  );
  return { id, expiresAt, price };
}

async function voucher(f: F, signer: Wallet, agreementId: bigint, calls: bigint, price: bigint = ETH_PRICE, label = "req") {
  const requestHash = requestHashOf(`${label}-${calls}`);
  const amount = calls * price;
  const signature = await signVoucher(signer, { chainId: f.chainId, escrow: f.escrow.address, agreementId, calls, amount, requestHash });
  return { calls, amount, requestHash, signature };
}

async function redeemWith(f: F, signer: Wallet, agreementId: bigint, calls: bigint, price: bigint = ETH_PRICE, submitter?: Wallet) {
  const v = await voucher(f, signer, agreementId, calls, price);
  return f.escrow.write.redeem([agreementId, v.calls, v.amount, v.requestHash, v.signature, ROOT], {
    account: (submitter ?? f.provider).account,
  });
}

/** Sets `wallet` as the agent's payment wallet with its EIP-712 consent. */
async function setAgentWallet(f: F, wallet: Wallet) {
  const deadline = (await now()) + 60n;
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain: identityRegistryDomain(f.chainId, f.agentRegistry.address),
    types: agentWalletSetTypes,
    primaryType: "AgentWalletSet",
    message: { agentId: f.agentId, newWallet: wallet.account.address, owner: f.provider.account.address, deadline },
  });
  await f.agentRegistry.write.setAgentWallet([f.agentId, wallet.account.address, deadline, signature], {
    account: f.provider.account,
  });
}

function other(f: F, i: number): Wallet {
  const w = f.others[i];
  if (!w) throw new Error(`need account others[${i}]`);
  return w;
}

describe("AgreementEscrow", () => {
  describe("setPrice / priceOf / getTerms", () => {
    it("publishes immutable terms with increasing ids and emits PriceSet", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      // pricedAgentry wrote terms 1 (ETH) and 2 (TUSD)
      assert.deepEqual(await f.escrow.read.getTerms([1n]), { token: zeroAddress, price: ETH_PRICE, agentId: f.agentId });
      assert.deepEqual(await f.escrow.read.getTerms([2n]), { token: getAddress(f.token.address), price: TOKEN_PRICE, agentId: f.agentId });
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), ETH_PRICE);
      assert.equal(await f.escrow.read.priceOf([f.agentId, f.token.address]), TOKEN_PRICE);
      await viem.assertions.emitWithArgs(
        f.escrow.write.setPrice([f.agentId, zeroAddress, 2_000n], { account: f.provider.account }),
        f.escrow,
        "PriceSet",
        [f.agentId, zeroAddress, 2_000n, 3n],
      );
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), 2_000n);
      // the old entry is untouched
      assert.equal((await f.escrow.read.getTerms([1n])).price, ETH_PRICE);
      assert.deepEqual(await f.escrow.read.getTerms([0n]), { token: zeroAddress, price: 0n, agentId: 0n });
    });

    it("accepts the agent's operator and approved address, refuses anyone else", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const operator = other(f, 0);
      const approved = other(f, 1);
      await f.agentRegistry.write.setApprovalForAll([operator.account.address, true], { account: f.provider.account });
      await f.agentRegistry.write.approve([approved.account.address, f.agentId], { account: f.provider.account });
      await f.escrow.write.setPrice([f.agentId, zeroAddress, 7n], { account: operator.account });
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), 7n);
      await f.escrow.write.setPrice([f.agentId, zeroAddress, 8n], { account: approved.account });
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), 8n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.setPrice([f.agentId, zeroAddress, 9n], { account: f.stranger.account }),
        f.escrow,
        "NotAgentOperator",
        [f.agentId, getAddress(f.stranger.account.address)],
      );
      // the client of the agent is not an operator either
      await viem.assertions.revertWithCustomError(
        f.escrow.write.setPrice([f.agentId, zeroAddress, 9n], { account: f.client.account }),
        f.escrow,
        "NotAgentOperator",
      );
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), 8n);
    });

    it("reverts for an unknown agent", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.setPrice([99n, zeroAddress, 1n], { account: f.provider.account }),
        f.agentRegistry,
        "ERC721NonexistentToken",
        [99n],
      );
    });

    it("refuses a token address without code (NotAToken)", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const eoa = f.stranger.account.address;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.setPrice([f.agentId, eoa, 1n], { account: f.provider.account }),
        f.escrow,
        "NotAToken",
        [getAddress(eoa)],
      );
    });

    it("refuses a price above 2^96 - 1 and accepts exactly 2^96 - 1", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.setPrice([f.agentId, zeroAddress, UINT96_MAX + 1n], { account: f.provider.account }),
        f.escrow,
        "PriceTooHigh",
        [UINT96_MAX + 1n, UINT96_MAX],
      );
      await f.escrow.write.setPrice([f.agentId, zeroAddress, UINT96_MAX], { account: f.provider.account });
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), UINT96_MAX);
    });

    it("price 0 withdraws the offer: termsId 0, priceOf 0, open reverts NoPrice", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      await viem.assertions.emitWithArgs(
        f.escrow.write.setPrice([f.agentId, zeroAddress, 0n], { account: f.provider.account }),
        f.escrow,
        "PriceSet",
        [f.agentId, zeroAddress, 0n, 0n],
      );
      assert.equal(await f.escrow.read.priceOf([f.agentId, zeroAddress]), 0n);
      const exp = (await now()) + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.open([f.agentId, zeroAddress, ETH_PRICE, 10, exp, zeroAddress], { account: f.client.account, value: ETH_PRICE }),
        f.escrow,
        "NoPrice",
        [f.agentId, zeroAddress],
      );
      // the TUSD offer is unaffected
      await f.escrow.write.open([f.agentId, f.token.address, TOKEN_PRICE, 10, exp, zeroAddress], { account: f.client.account });
    });

    it("open reverts NoPrice for a token the agent never priced and for an unknown agent", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const other20 = await viem.deployContract("MockERC20", ["Other", "OTH", 18]);
      const exp = (await now()) + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.open([f.agentId, other20.address, 1n, 10, exp, zeroAddress], { account: f.client.account }),
        f.escrow,
        "NoPrice",
        [f.agentId, getAddress(other20.address)],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.open([42n, zeroAddress, 1n, 10, exp, zeroAddress], { account: f.client.account, value: 1n }),
        f.escrow,
        "NoPrice",
        [42n, zeroAddress],
      );
    });

    it("a new price does not change agreements already open", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n });
      await f.escrow.write.setPrice([f.agentId, zeroAddress, 5_000n], { account: f.provider.account });
      const ag = await f.escrow.read.getAgreement([id]);
      assert.equal(ag.price, ETH_PRICE);
      assert.equal(ag.deposit, 10n * ETH_PRICE);
      // top-ups and vouchers keep the locked price
      await f.escrow.write.topUp([id, 2n * ETH_PRICE], { account: f.client.account, value: 2n * ETH_PRICE });
      assert.equal((await f.escrow.read.getAgreement([id])).fundedCalls, 12);
      await viem.assertions.balancesHaveChanged(redeemWith(f, f.client, id, 3n, ETH_PRICE), [
        { address: f.provider.account.address, amount: 3n * ETH_PRICE },
        { address: f.escrow.address, amount: -3n * ETH_PRICE },
      ]);
      // a voucher at the new price is refused
      const v = await voucher(f, f.client, id, 4n, 5_000n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, 4n, 4n * 5_000n, v.requestHash, v.signature, ROOT]),
        f.escrow,
        "WrongAmount",
        [4n * ETH_PRICE, 4n * 5_000n],
      );
      // a new agreement takes the new price
      const second = await f.escrow.read.nextAgreementId();
      await f.escrow.write.open([f.agentId, zeroAddress, 5_000n, 10, (await now()) + DAY, zeroAddress], { account: f.client.account, value: 5_000n });
      assert.equal((await f.escrow.read.getAgreement([second])).price, 5_000n);
    });
  });

  describe("open", () => {
    it("opens an ETH agreement: event, state, balances, id", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const session = other(f, 0).account.address;
      const expiresAt = (await now()) + DAY;
      assert.equal(await f.escrow.read.nextAgreementId(), 1n);
      const { result } = await f.escrow.simulate.open([f.agentId, zeroAddress, 10n * ETH_PRICE, 50, expiresAt, session], {
        account: f.client.account.address,
        value: 10n * ETH_PRICE,
      });
      assert.equal(result, 1n);
      const hash = await f.escrow.write.open([f.agentId, zeroAddress, 10n * ETH_PRICE, 50, expiresAt, session], {
        account: f.client.account,
        value: 10n * ETH_PRICE,
      });
      await viem.assertions.emitWithArgs(hash, f.escrow, "AgreementOpened", [
        1n, f.agentId, f.client.account.address, zeroAddress, ETH_PRICE, 10n * ETH_PRICE, 50, expiresAt, session,
      ]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: f.client.account.address, amount: -10n * ETH_PRICE },
        { address: f.escrow.address, amount: 10n * ETH_PRICE },
      ]);
      assert.deepEqual(await f.escrow.read.getAgreement([1n]), {
        agentId: f.agentId,
        client: getAddress(f.client.account.address),
        token: zeroAddress,
        price: ETH_PRICE,
        sessionKey: getAddress(session),
        maxCalls: 50,
        fundedCalls: 10,
        redeemedCalls: 0,
        expiresAt,
        closed: false,
        deposit: 10n * ETH_PRICE,
        redeemedAmount: 0n,
      });
      assert.equal(await f.escrow.read.nextAgreementId(), 2n);
      assert.equal(await f.escrow.read.replacedKeyValidUntil([1n, f.client.account.address]), 0n);
    });

    it("opens an ERC-20 agreement: event and token balances", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const expiresAt = (await now()) + DAY;
      const before = await f.token.read.balanceOf([f.client.account.address]);
      await viem.assertions.emitWithArgs(
        f.escrow.write.open([f.agentId, f.token.address, 4n * TOKEN_PRICE, 4, expiresAt, zeroAddress], { account: f.client.account }),
        f.escrow,
        "AgreementOpened",
        [1n, f.agentId, f.client.account.address, f.token.address, TOKEN_PRICE, 4n * TOKEN_PRICE, 4, expiresAt, zeroAddress],
      );
      assert.equal(await f.token.read.balanceOf([f.client.account.address]), before - 4n * TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.escrow.address]), 4n * TOKEN_PRICE);
      const ag = await f.escrow.read.getAgreement([1n]);
      assert.equal(ag.token, getAddress(f.token.address));
      assert.equal(ag.fundedCalls, 4);
      assert.equal(ag.maxCalls, 4);
    });

    it("refuses maxCalls = 0 (InvalidMaxCalls)", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const exp = (await now()) + DAY;
      await viem.assertions.revertWithCustomError(
        f.escrow.write.open([f.agentId, zeroAddress, ETH_PRICE, 0, exp, zeroAddress], { account: f.client.account, value: ETH_PRICE }),
        f.escrow,
        "InvalidMaxCalls",
      );
      await viem.assertions.revertWithCustomError(
        f.escrow.write.open([f.agentId, f.token.address, TOKEN_PRICE, 0, exp, zeroAddress], { account: f.client.account }),
        f.escrow,
        "InvalidMaxCalls",
      );
    });

    for (const kind of ["eth", "erc20"] as const) {
      it(`refuses an expiry now, in the past or beyond MAX_DURATION, accepts exactly MAX_DURATION (${kind})`, async () => {
        const f = await networkHelpers.loadFixture(pricedAgentry);
        const token = kind === "eth" ? zeroAddress : f.token.address;
        const price = kind === "eth" ? ETH_PRICE : TOKEN_PRICE;
        const value = kind === "eth" ? price : 0n;
        const t = (await now()) + 100n;
        for (const expiresAt of [t, t - 1n, 1n, t + MAX_DURATION + 1n]) {
          await networkHelpers.time.setNextBlockTimestamp(t);
          await viem.assertions.revertWithCustomErrorWithArgs(
            f.escrow.write.open([f.agentId, token, price, 10, expiresAt, zeroAddress], { account: f.client.account, value }),
            f.escrow,
            "InvalidExpiry",
            [expiresAt, t + 1n, t + MAX_DURATION],
          );
        }
        await networkHelpers.time.setNextBlockTimestamp(t + 10n);
        await f.escrow.write.open([f.agentId, token, price, 10, t + 10n + MAX_DURATION, zeroAddress], { account: f.client.account, value });
        await networkHelpers.time.setNextBlockTimestamp(t + 20n);
        await f.escrow.write.open([f.agentId, token, price, 10, t + 21n, zeroAddress], { account: f.client.account, value });
        assert.equal(await f.escrow.read.nextAgreementId(), 3n);
      });

      it(`refuses a zero deposit, a deposit that is not a whole number of calls, and more calls than maxCalls (${kind})`, async () => {
        const f = await networkHelpers.loadFixture(pricedAgentry);
        const token = kind === "eth" ? zeroAddress : f.token.address;
        const price = kind === "eth" ? ETH_PRICE : TOKEN_PRICE;
        const exp = (await now()) + DAY;
        for (const deposit of [0n, price - 1n, price + 1n, 3n * price + price / 2n]) {
          await viem.assertions.revertWithCustomErrorWithArgs(
            f.escrow.write.open([f.agentId, token, deposit, 100, exp, zeroAddress], {
              account: f.client.account,
              value: kind === "eth" ? deposit : 0n,
            }),
            f.escrow,
            "InvalidDeposit",
            [deposit, price],
          );
        }
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.open([f.agentId, token, 11n * price, 10, exp, zeroAddress], {
            account: f.client.account,
            value: kind === "eth" ? 11n * price : 0n,
          }),
          f.escrow,
          "DepositExceedsMaxCalls",
          [11n, 10n],
        );
        assert.equal(await f.escrow.read.nextAgreementId(), 1n);
      });
    }

    it("ETH: refuses a value below or above the deposit (WrongValue)", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const exp = (await now()) + DAY;
      for (const value of [0n, 2n * ETH_PRICE - 1n, 2n * ETH_PRICE + 1n, 3n * ETH_PRICE]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.open([f.agentId, zeroAddress, 2n * ETH_PRICE, 10, exp, zeroAddress], { account: f.client.account, value }),
          f.escrow,
          "WrongValue",
          [2n * ETH_PRICE, value],
        );
      }
    });

    it("ERC-20: refuses any ETH value (WrongValue(0, value)) and a missing allowance", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const exp = (await now()) + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.open([f.agentId, f.token.address, TOKEN_PRICE, 10, exp, zeroAddress], { account: f.client.account, value: 1n }),
        f.escrow,
        "WrongValue",
        [0n, 1n],
      );
      const poor = other(f, 0);
      await viem.assertions.revertWithCustomError(
        f.escrow.write.open([f.agentId, f.token.address, TOKEN_PRICE, 10, exp, zeroAddress], { account: poor.account }),
        f.token,
        "ERC20InsufficientAllowance",
      );
      assert.equal(await f.token.read.balanceOf([f.escrow.address]), 0n);
    });
  });

  describe("topUp", () => {
    it("ETH top-up by the client: event, funded calls, balances", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 5n, maxCalls: 20 });
      const hash = await f.escrow.write.topUp([id, 3n * ETH_PRICE], { account: f.client.account, value: 3n * ETH_PRICE });
      await viem.assertions.emitWithArgs(hash, f.escrow, "ToppedUp", [id, f.client.account.address, 3n * ETH_PRICE, 8]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: f.client.account.address, amount: -3n * ETH_PRICE },
        { address: f.escrow.address, amount: 3n * ETH_PRICE },
      ]);
      const ag = await f.escrow.read.getAgreement([id]);
      assert.equal(ag.fundedCalls, 8);
      assert.equal(ag.deposit, 8n * ETH_PRICE);
    });

    it("ERC-20 top-up by a third party; the refund still goes to the client", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { token: "erc20", calls: 2n, maxCalls: 10 });
      const strangerBefore = await f.token.read.balanceOf([f.stranger.account.address]);
      await viem.assertions.emitWithArgs(
        f.escrow.write.topUp([id, 4n * TOKEN_PRICE], { account: f.stranger.account }),
        f.escrow,
        "ToppedUp",
        [id, f.stranger.account.address, 4n * TOKEN_PRICE, 6],
      );
      assert.equal(await f.token.read.balanceOf([f.stranger.account.address]), strangerBefore - 4n * TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.escrow.address]), 6n * TOKEN_PRICE);
      const clientBefore = await f.token.read.balanceOf([f.client.account.address]);
      await f.escrow.write.close([id], { account: f.provider.account });
      assert.equal(await f.token.read.balanceOf([f.client.account.address]), clientBefore + 6n * TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.stranger.account.address]), strangerBefore - 4n * TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.escrow.address]), 0n);
    });

    it("ETH top-up by a third party", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 1n });
      await viem.assertions.balancesHaveChanged(
        f.escrow.write.topUp([id, ETH_PRICE], { account: f.stranger.account, value: ETH_PRICE }),
        [
          { address: f.stranger.account.address, amount: -ETH_PRICE },
          { address: f.escrow.address, amount: ETH_PRICE },
        ],
      );
      assert.equal((await f.escrow.read.getAgreement([id])).fundedCalls, 2);
    });

    it("reverts from the expiry on (AgreementExpired), works one second before", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id, expiresAt } = await openAgreement(f, { calls: 1n, duration: HOUR });
      await networkHelpers.time.setNextBlockTimestamp(expiresAt - 1n);
      await f.escrow.write.topUp([id, ETH_PRICE], { account: f.client.account, value: ETH_PRICE });
      await networkHelpers.time.setNextBlockTimestamp(expiresAt);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([id, ETH_PRICE], { account: f.client.account, value: ETH_PRICE }),
        f.escrow,
        "AgreementExpired",
        [id, expiresAt],
      );
      const e = await openAgreement(f, { token: "erc20", calls: 1n, duration: HOUR });
      await networkHelpers.time.increaseTo(e.expiresAt + 100n);
      await viem.assertions.revertWithCustomError(
        f.escrow.write.topUp([e.id, TOKEN_PRICE], { account: f.client.account }),
        f.escrow,
        "AgreementExpired",
      );
      assert.equal((await f.escrow.read.getAgreement([id])).fundedCalls, 2);
    });

    it("refuses funding beyond maxCalls, accepts exactly maxCalls", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 5n, maxCalls: 8 });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([id, 4n * ETH_PRICE], { account: f.client.account, value: 4n * ETH_PRICE }),
        f.escrow,
        "DepositExceedsMaxCalls",
        [9n, 8n],
      );
      await f.escrow.write.topUp([id, 3n * ETH_PRICE], { account: f.client.account, value: 3n * ETH_PRICE });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([id, ETH_PRICE], { account: f.client.account, value: ETH_PRICE }),
        f.escrow,
        "DepositExceedsMaxCalls",
        [9n, 8n],
      );
      const t = await openAgreement(f, { token: "erc20", calls: 1n, maxCalls: 1 });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([t.id, TOKEN_PRICE], { account: f.client.account }),
        f.escrow,
        "DepositExceedsMaxCalls",
        [2n, 1n],
      );
    });

    it("refuses a zero or fractional amount and a wrong value", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 1n });
      const t = await openAgreement(f, { token: "erc20", calls: 1n });
      for (const amount of [0n, ETH_PRICE / 2n, ETH_PRICE + 1n]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.topUp([id, amount], { account: f.client.account, value: amount }),
          f.escrow,
          "InvalidDeposit",
          [amount, ETH_PRICE],
        );
      }
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([t.id, TOKEN_PRICE - 1n], { account: f.client.account }),
        f.escrow,
        "InvalidDeposit",
        [TOKEN_PRICE - 1n, TOKEN_PRICE],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([id, ETH_PRICE], { account: f.client.account, value: ETH_PRICE - 1n }),
        f.escrow,
        "WrongValue",
        [ETH_PRICE, ETH_PRICE - 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([t.id, TOKEN_PRICE], { account: f.client.account, value: 5n }),
        f.escrow,
        "WrongValue",
        [0n, 5n],
      );
    });

    it("reverts on a closed (AgreementIsClosed) or unknown (UnknownAgreement) agreement", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 1n });
      await f.escrow.write.close([id], { account: f.provider.account });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([id, ETH_PRICE], { account: f.client.account, value: ETH_PRICE }),
        f.escrow,
        "AgreementIsClosed",
        [id],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.topUp([77n, ETH_PRICE], { account: f.client.account, value: ETH_PRICE }),
        f.escrow,
        "UnknownAgreement",
        [77n],
      );
    });
  });

  describe("setSessionKey", () => {
    it("client only (NotClient); unknown and closed agreements revert", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f);
      for (const w of [f.stranger, f.provider]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.setSessionKey([id, w.account.address], { account: w.account }),
          f.escrow,
          "NotClient",
          [id, getAddress(w.account.address)],
        );
      }
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.setSessionKey([9n, zeroAddress], { account: f.client.account }),
        f.escrow,
        "UnknownAgreement",
        [9n],
      );
      await f.escrow.write.close([id], { account: f.provider.account });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.setSessionKey([id, zeroAddress], { account: f.client.account }),
        f.escrow,
        "AgreementIsClosed",
        [id],
      );
    });

    it("setting a key when none was set records no rotation", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f);
      const key = other(f, 0);
      await viem.assertions.emitWithArgs(
        f.escrow.write.setSessionKey([id, key.account.address], { account: f.client.account }),
        f.escrow,
        "SessionKeySet",
        [id, key.account.address, zeroAddress, 0n],
      );
      assert.equal((await f.escrow.read.getAgreement([id])).sessionKey, getAddress(key.account.address));
      assert.equal(await f.escrow.read.replacedKeyValidUntil([id, key.account.address]), 0n);
      await viem.assertions.emit(redeemWith(f, key, id, 1n), f.escrow, "Redeemed");
    });

    it("rotation: the replaced key stays valid until validUntil (1 hour), then not", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const oldKey = other(f, 0);
      const newKey = other(f, 1);
      const { id } = await openAgreement(f, { calls: 10n, sessionKey: oldKey.account.address, duration: 10n * DAY });
      const t = (await now()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await viem.assertions.emitWithArgs(
        f.escrow.write.setSessionKey([id, newKey.account.address], { account: f.client.account }),
        f.escrow,
        "SessionKeySet",
        [id, newKey.account.address, oldKey.account.address, t + HOUR],
      );
      assert.equal(await f.escrow.read.replacedKeyValidUntil([id, oldKey.account.address]), t + HOUR);
      assert.equal(await f.escrow.read.replacedKeyValidUntil([id, newKey.account.address]), 0n);
      assert.equal((await f.escrow.read.getAgreement([id])).sessionKey, getAddress(newKey.account.address));
      // the new key works at once
      await redeemWith(f, newKey, id, 1n);
      // the old key works up to and including validUntil
      await networkHelpers.time.setNextBlockTimestamp(t + HOUR);
      await redeemWith(f, oldKey, id, 2n);
      await networkHelpers.time.setNextBlockTimestamp(t + HOUR + 1n);
      const late = await voucher(f, oldKey, id, 3n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, late.calls, late.amount, late.requestHash, late.signature, ROOT]),
        f.escrow,
        "InvalidVoucherSignature",
        [id],
      );
      await redeemWith(f, newKey, id, 3n);
      await redeemWith(f, f.client, id, 4n);
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 4);
    });

    it("setting the key to zero: no session key any more, the old one only within its grace", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const key = other(f, 0);
      const { id } = await openAgreement(f, { calls: 10n, sessionKey: key.account.address });
      await f.escrow.write.setSessionKey([id, zeroAddress], { account: f.client.account });
      const ag = await f.escrow.read.getAgreement([id]);
      assert.equal(ag.sessionKey, zeroAddress);
      const graceEnd = await f.escrow.read.replacedKeyValidUntil([id, key.account.address]);
      assert.ok(graceEnd > 0n);
      await redeemWith(f, key, id, 1n);
      await networkHelpers.time.increase(Number(HOUR) + 1);
      const v = await voucher(f, key, id, 2n);
      await viem.assertions.revertWithCustomError(
        f.escrow.write.redeem([id, v.calls, v.amount, v.requestHash, v.signature, ROOT]),
        f.escrow,
        "InvalidVoucherSignature",
      );
      await redeemWith(f, f.client, id, 2n);
      // setting a key again from zero leaves the (expired) grace record of the old key alone
      await f.escrow.write.setSessionKey([id, other(f, 1).account.address], { account: f.client.account });
      assert.equal(await f.escrow.read.replacedKeyValidUntil([id, key.account.address]), graceEnd);
    });
  });

  describe("redeem", () => {
    it("client voucher: Redeemed event with receiptsRoot, payout to the agent (owner since mint), state", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n });
      const v = await voucher(f, f.client, id, 4n);
      const hash = await f.escrow.write.redeem([id, 4n, 4n * ETH_PRICE, v.requestHash, v.signature, ROOT], { account: f.stranger.account });
      await viem.assertions.emitWithArgs(hash, f.escrow, "Redeemed", [id, f.agentId, 4, 4n * ETH_PRICE, f.provider.account.address, ROOT]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: f.provider.account.address, amount: 4n * ETH_PRICE },
        { address: f.escrow.address, amount: -4n * ETH_PRICE },
        { address: f.client.account.address, amount: 0n },
        { address: f.stranger.account.address, amount: 0n },
      ]);
      const ag = await f.escrow.read.getAgreement([id]);
      assert.equal(ag.redeemedCalls, 4);
      assert.equal(ag.redeemedAmount, 4n * ETH_PRICE);
      assert.equal(ag.closed, false);
    });

    it("session key voucher, ERC-20", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const key = other(f, 0);
      const { id } = await openAgreement(f, { token: "erc20", calls: 10n, sessionKey: key.account.address });
      const before = await f.token.read.balanceOf([f.provider.account.address]);
      await redeemWith(f, key, id, 7n, TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.provider.account.address]), before + 7n * TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.escrow.address]), 3n * TOKEN_PRICE);
    });

    it("partial then higher pays only the difference; 1 call; exactly maxCalls", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 6n, maxCalls: 6 });
      await viem.assertions.balancesHaveChanged(redeemWith(f, f.client, id, 1n), [
        { address: f.provider.account.address, amount: ETH_PRICE },
      ]);
      const hash = await redeemWith(f, f.client, id, 4n);
      await viem.assertions.emitWithArgs(hash, f.escrow, "Redeemed", [id, f.agentId, 4, 3n * ETH_PRICE, f.provider.account.address, ROOT]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: f.provider.account.address, amount: 3n * ETH_PRICE },
        { address: f.escrow.address, amount: -3n * ETH_PRICE },
      ]);
      await viem.assertions.balancesHaveChanged(redeemWith(f, f.client, id, 6n), [
        { address: f.provider.account.address, amount: 2n * ETH_PRICE },
      ]);
      const ag = await f.escrow.read.getAgreement([id]);
      assert.equal(ag.redeemedCalls, 6);
      assert.equal(ag.redeemedCalls, ag.maxCalls);
      assert.equal(await viem.getPublicClient().then((p) => p.getBalance({ address: f.escrow.address })), 0n);
    });

    it("refuses an amount other than calls * price (WrongAmount)", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n });
      for (const amount of [0n, 3n * ETH_PRICE - 1n, 3n * ETH_PRICE + 1n, 2n * ETH_PRICE]) {
        const requestHash = requestHashOf("wrong");
        const signature = await signVoucher(f.client, { chainId: f.chainId, escrow: f.escrow.address, agreementId: id, calls: 3n, amount, requestHash });
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.redeem([id, 3n, amount, requestHash, signature, ROOT]),
          f.escrow,
          "WrongAmount",
          [3n * ETH_PRICE, amount],
        );
      }
    });

    it("refuses calls at or below what was redeemed (AlreadyRedeemed), including 0", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n });
      const zero = await voucher(f, f.client, id, 0n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, 0n, 0n, zero.requestHash, zero.signature, ROOT]),
        f.escrow,
        "AlreadyRedeemed",
        [0n, 0n],
      );
      await redeemWith(f, f.client, id, 5n);
      for (const calls of [5n, 4n, 1n]) {
        const v = await voucher(f, f.client, id, calls, ETH_PRICE, "again");
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.redeem([id, calls, v.amount, v.requestHash, v.signature, ROOT]),
          f.escrow,
          "AlreadyRedeemed",
          [calls, 5n],
        );
      }
    });

    it("refuses calls beyond maxCalls (ExceedsMaxCalls) and beyond the deposit (ExceedsDeposit)", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 3n, maxCalls: 5 });
      const over = await voucher(f, f.client, id, 6n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, 6n, over.amount, over.requestHash, over.signature, ROOT]),
        f.escrow,
        "ExceedsMaxCalls",
        [6n, 5n],
      );
      const unfunded = await voucher(f, f.client, id, 4n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, 4n, unfunded.amount, unfunded.requestHash, unfunded.signature, ROOT]),
        f.escrow,
        "ExceedsDeposit",
        [4n, 3n],
      );
      // once topped up, the same voucher redeems
      await f.escrow.write.topUp([id, ETH_PRICE], { account: f.client.account, value: ETH_PRICE });
      await f.escrow.write.redeem([id, 4n, unfunded.amount, unfunded.requestHash, unfunded.signature, ROOT]);
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 4);
    });

    it("refuses a signature by anyone else, a garbage signature, or for other fields", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n, sessionKey: other(f, 0).account.address });
      for (const signer of [f.stranger, f.provider, other(f, 1)]) {
        const v = await voucher(f, signer, id, 2n);
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.escrow.write.redeem([id, 2n, v.amount, v.requestHash, v.signature, ROOT]),
          f.escrow,
          "InvalidVoucherSignature",
          [id],
        );
      }
      const good = await voucher(f, f.client, id, 2n);
      for (const sig of ["0x" as Hex, "0x1234" as Hex, `0x${"00".repeat(65)}` as Hex]) {
        await viem.assertions.revertWithCustomError(
          f.escrow.write.redeem([id, 2n, good.amount, good.requestHash, sig, ROOT]),
          f.escrow,
          "InvalidVoucherSignature",
        );
      }
      // the client's signature does not cover another requestHash
      await viem.assertions.revertWithCustomError(
        f.escrow.write.redeem([id, 2n, good.amount, requestHashOf("other"), good.signature, ROOT]),
        f.escrow,
        "InvalidVoucherSignature",
      );
      // the receiptsRoot is not signed: any root is accepted with a valid voucher
      await f.escrow.write.redeem([id, 2n, good.amount, good.requestHash, good.signature, requestHashOf("any")]);
    });

    it("after close: AgreementIsClosed; unknown agreement: UnknownAgreement", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n });
      const v = await voucher(f, f.client, id, 3n);
      await f.escrow.write.close([id], { account: f.provider.account });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, 3n, v.amount, v.requestHash, v.signature, ROOT]),
        f.escrow,
        "AgreementIsClosed",
        [id],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([55n, 3n, v.amount, v.requestHash, v.signature, ROOT]),
        f.escrow,
        "UnknownAgreement",
        [55n],
      );
    });

    it("works after expiry up to expiresAt + CLOSE_GRACE_PERIOD, then RedeemWindowOver", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id, expiresAt } = await openAgreement(f, { calls: 10n, duration: HOUR });
      const deadline = expiresAt + DAY;
      await networkHelpers.time.setNextBlockTimestamp(expiresAt + 1n);
      await redeemWith(f, f.client, id, 1n);
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await redeemWith(f, f.client, id, 2n);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      const v = await voucher(f, f.client, id, 3n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.redeem([id, 3n, v.amount, v.requestHash, v.signature, ROOT]),
        f.escrow,
        "RedeemWindowOver",
        [id, deadline],
      );
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 2);
    });

    it("pays a verified agent wallet, and the new owner after a transfer cleared it", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const wallet = other(f, 0);
      const newOwner = other(f, 1);
      await setAgentWallet(f, wallet);
      assert.equal(await f.agentRegistry.read.getAgentWallet([f.agentId]), getAddress(wallet.account.address));
      const { id } = await openAgreement(f, { calls: 10n });
      const hash = await redeemWith(f, f.client, id, 2n);
      await viem.assertions.emitWithArgs(hash, f.escrow, "Redeemed", [id, f.agentId, 2, 2n * ETH_PRICE, wallet.account.address, ROOT]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: wallet.account.address, amount: 2n * ETH_PRICE },
        { address: f.provider.account.address, amount: 0n },
      ]);
      await f.agentRegistry.write.transferFrom([f.provider.account.address, newOwner.account.address, f.agentId], {
        account: f.provider.account,
      });
      assert.equal(await f.agentRegistry.read.getAgentWallet([f.agentId]), zeroAddress);
      const hash2 = await redeemWith(f, f.client, id, 5n);
      await viem.assertions.emitWithArgs(hash2, f.escrow, "Redeemed", [id, f.agentId, 5, 3n * ETH_PRICE, newOwner.account.address, ROOT]);
      await viem.assertions.balancesHaveChanged(hash2, [
        { address: newOwner.account.address, amount: 3n * ETH_PRICE },
        { address: wallet.account.address, amount: 0n },
        { address: f.provider.account.address, amount: 0n },
      ]);
    });
  });

  describe("close", () => {
    it("the agent owner closes at once; the client gets the unspent deposit back", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 10n });
      await redeemWith(f, f.client, id, 3n);
      const hash = await f.escrow.write.close([id], { account: f.provider.account });
      await viem.assertions.emitWithArgs(hash, f.escrow, "AgreementClosed", [id, f.provider.account.address, 3, 7n * ETH_PRICE]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: f.client.account.address, amount: 7n * ETH_PRICE },
        { address: f.escrow.address, amount: -7n * ETH_PRICE },
        { address: f.provider.account.address, amount: 0n },
      ]);
      const ag = await f.escrow.read.getAgreement([id]);
      assert.equal(ag.closed, true);
      assert.equal(ag.redeemedCalls, 3);
    });

    it("an operator and the agent wallet may close; refunds in ERC-20", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const operator = other(f, 0);
      const wallet = other(f, 1);
      await f.agentRegistry.write.setApprovalForAll([operator.account.address, true], { account: f.provider.account });
      await setAgentWallet(f, wallet);
      const a1 = await openAgreement(f, { token: "erc20", calls: 4n });
      const a2 = await openAgreement(f, { token: "erc20", calls: 5n });
      await redeemWith(f, f.client, a2.id, 2n, TOKEN_PRICE);
      const before = await f.token.read.balanceOf([f.client.account.address]);
      await viem.assertions.emitWithArgs(
        f.escrow.write.close([a1.id], { account: operator.account }),
        f.escrow,
        "AgreementClosed",
        [a1.id, operator.account.address, 0, 4n * TOKEN_PRICE],
      );
      await viem.assertions.emitWithArgs(
        f.escrow.write.close([a2.id], { account: wallet.account }),
        f.escrow,
        "AgreementClosed",
        [a2.id, wallet.account.address, 2, 3n * TOKEN_PRICE],
      );
      assert.equal(await f.token.read.balanceOf([f.client.account.address]), before + 7n * TOKEN_PRICE);
      assert.equal(await f.token.read.balanceOf([f.escrow.address]), 0n);
      assert.equal(await f.token.read.balanceOf([wallet.account.address]), 2n * TOKEN_PRICE);
    });

    it("the client may close only after expiresAt + CLOSE_GRACE_PERIOD (CloseNotAllowedYet)", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id, expiresAt } = await openAgreement(f, { calls: 10n, duration: HOUR });
      const deadline = expiresAt + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.close([id], { account: f.client.account }),
        f.escrow,
        "CloseNotAllowedYet",
        [id, deadline + 1n],
      );
      await networkHelpers.time.setNextBlockTimestamp(expiresAt + 1n);
      await viem.assertions.revertWithCustomError(f.escrow.write.close([id], { account: f.client.account }), f.escrow, "CloseNotAllowedYet");
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.close([id], { account: f.client.account }),
        f.escrow,
        "CloseNotAllowedYet",
        [id, deadline + 1n],
      );
      // the reverted call mined no block: this redemption lands exactly at the deadline, still allowed
      await redeemWith(f, f.client, id, 4n);
      assert.equal((await f.escrow.read.getAgreement([id])).redeemedCalls, 4);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      const hash = await f.escrow.write.close([id], { account: f.client.account });
      await viem.assertions.emitWithArgs(hash, f.escrow, "AgreementClosed", [id, f.client.account.address, 4, 6n * ETH_PRICE]);
      await viem.assertions.balancesHaveChanged(hash, [
        { address: f.client.account.address, amount: 6n * ETH_PRICE },
        { address: f.escrow.address, amount: -6n * ETH_PRICE },
      ]);
    });

    it("anyone else: NotAllowedToClose, before and after the grace period", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id, expiresAt } = await openAgreement(f, { calls: 1n, duration: HOUR });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.close([id], { account: f.stranger.account }),
        f.escrow,
        "NotAllowedToClose",
        [id, getAddress(f.stranger.account.address)],
      );
      await networkHelpers.time.increaseTo(expiresAt + 2n * DAY);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.close([id], { account: f.stranger.account }),
        f.escrow,
        "NotAllowedToClose",
        [id, getAddress(f.stranger.account.address)],
      );
      assert.equal((await f.escrow.read.getAgreement([id])).closed, false);
    });

    it("a fully redeemed agreement closes with no refund transfer", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { token: "erc20", calls: 2n });
      await redeemWith(f, f.client, id, 2n, TOKEN_PRICE);
      const before = await f.token.read.balanceOf([f.client.account.address]);
      const hash = await f.escrow.write.close([id], { account: f.provider.account });
      await viem.assertions.emitWithArgs(hash, f.escrow, "AgreementClosed", [id, f.provider.account.address, 2, 0n]);
      const receipt = await (await viem.getPublicClient()).getTransactionReceipt({ hash });
      // only the AgreementClosed log: no Transfer from the token
      assert.equal(receipt.logs.length, 1);
      assert.equal(await f.token.read.balanceOf([f.client.account.address]), before);
    });

    it("double close: AgreementIsClosed; unknown id: UnknownAgreement", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const { id } = await openAgreement(f, { calls: 2n });
      await f.escrow.write.close([id], { account: f.provider.account });
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.close([id], { account: f.provider.account }),
        f.escrow,
        "AgreementIsClosed",
        [id],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.close([0n], { account: f.provider.account }), f.escrow, "UnknownAgreement", [0n]);
      await viem.assertions.revertWithCustomErrorWithArgs(f.escrow.write.close([2n], { account: f.provider.account }), f.escrow, "UnknownAgreement", [2n]);
    });
  });

  describe("views and the shared EIP-712 vector", () => {
    it("getAgreement of an unknown id is all zero; constants", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const ag = await f.escrow.read.getAgreement([123n]);
      assert.equal(ag.client, zeroAddress);
      assert.equal(ag.deposit, 0n);
      assert.equal(ag.agentId, 0n);
      assert.equal(await f.escrow.read.CLOSE_GRACE_PERIOD(), DAY);
      assert.equal(await f.escrow.read.KEY_ROTATION_GRACE(), HOUR);
      assert.equal(await f.escrow.read.MAX_DURATION(), MAX_DURATION);
      assert.equal(getAddress(await f.escrow.read.agentRegistry()), getAddress(f.agentRegistry.address));
    });

    it("hashInvocation equals viem's hashTypedData with the protocol's escrowDomain and invocationTypes", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const vectors = [
        { agreementId: 1n, calls: 1n, amount: 1_000n, requestHash: requestHashOf("a") },
        { agreementId: 42n, calls: 123_456n, amount: 123_456n * 250_000n, requestHash: requestHashOf("b") },
        { agreementId: 2n ** 200n, calls: 0n, amount: 0n, requestHash: `0x${"00".repeat(32)}` as Hex },
      ];
      for (const m of vectors) {
        const offChain = hashTypedData({ domain: escrowDomain(f.chainId, f.escrow.address), types: invocationTypes, primaryType: "Invocation", message: m });
        assert.equal(await f.escrow.read.hashInvocation([m.agreementId, m.calls, m.amount, m.requestHash]), offChain);
        const sig = await signVoucher(f.client, { chainId: f.chainId, escrow: f.escrow.address, ...m });
        const signer = await recoverTypedDataAddress({
          domain: escrowDomain(f.chainId, f.escrow.address),
          types: invocationTypes,
          primaryType: "Invocation",
          message: m,
          signature: sig,
        });
        assert.equal(signer, getAddress(f.client.account.address));
      }
      // the domain binds chain and contract
      const m = vectors[0]!;
      const onChain = await f.escrow.read.hashInvocation([m.agreementId, m.calls, m.amount, m.requestHash]);
      assert.notEqual(hashTypedData({ domain: escrowDomain(f.chainId + 1, f.escrow.address), types: invocationTypes, primaryType: "Invocation", message: m }), onChain);
      assert.notEqual(hashTypedData({ domain: escrowDomain(f.chainId, f.token.address), types: invocationTypes, primaryType: "Invocation", message: m }), onChain);
    });

    it("hashReceipt equals hashTypedData with receiptTypes; hashRequest equals the protocol's requestHash", async () => {
      const f = await networkHelpers.loadFixture(pricedAgentry);
      const receipt = {
        agreementId: 7n,
        calls: 3n,
        requestHash: requestHashOf("request"),
        resultHash: requestHashOf("result"),
        worker: getAddress(f.validator.account.address),
        timestamp: 1_700_000_000n,
      };
      const offChain = hashTypedData({ domain: escrowDomain(f.chainId, f.escrow.address), types: receiptTypes, primaryType: "Receipt", message: receipt });
      assert.equal(
        await f.escrow.read.hashReceipt([receipt.agreementId, receipt.calls, receipt.requestHash, receipt.resultHash, receipt.worker, receipt.timestamp]),
        offChain,
      );
      const request = { agentId: f.agentId, toolName: "search_web", arguments: { query: "agentry", limit: 5 } };
      assert.equal(await f.escrow.read.hashRequest([request.agentId, request.toolName, jsonHash(request.arguments)]), requestHash(request));
      assert.notEqual(await f.escrow.read.hashRequest([request.agentId + 1n, request.toolName, jsonHash(request.arguments)]), requestHash(request));
    });
  });
});
