/**
 * Redeems the latest voucher of each agreement on-chain, in batches: on a schedule, as soon as an
 * agreement has `threshold` unredeemed calls, when its redeem window is about to close, and on
 * shutdown. One redeem settles every call up to the voucher's index and anchors the Merkle root of
 * their receipts. Transactions go out one at a time; before each, the chain is read fresh, so a
 * voucher is never submitted when the chain already has it (the contract would refuse it anyway).
 */
import type { Account, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { agreementEscrowAbi, MerkleAccumulator, parseVoucher, receiptLeaves } from "@agentry/protocol/core";
import { keccakNative } from "@agentry/protocol/native-crypto";
import type { ChainView } from "./chain.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { CallStore } from "./store.ts";

export interface RedeemerOptions {
  intervalMs: number;
  threshold: number;
  marginS: number;
  /** Seconds the escrow allows after expiry (AgreementEscrow.CLOSE_GRACE_PERIOD). */
  graceS: number;
}

interface Tracked {
  served: number;
  redeemed: number;
  deadline?: bigint;
  /** The receipts tree so far (leaves 1..count), grown at each redemption by the new calls only. */
  tree?: MerkleAccumulator;
}

export class Redeemer {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private chainTail: Promise<unknown> = Promise.resolve();
  private readonly store: CallStore;
  private readonly chain: ChainView;
  private readonly publicClient: PublicClient;
  private readonly wallet: WalletClient<Transport, Chain | undefined, Account>;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly options: RedeemerOptions;

  constructor(
    store: CallStore,
    chain: ChainView,
    publicClient: PublicClient,
    wallet: WalletClient<Transport, Chain | undefined, Account>,
    log: Logger,
    metrics: Metrics,
    options: RedeemerOptions,
  ) {
    this.store = store;
    this.chain = chain;
    this.publicClient = publicClient;
    this.wallet = wallet;
    this.log = log;
    this.metrics = metrics;
    this.options = options;
    metrics.gauge("agentry_worker_vouchers_awaiting_redemption", "served calls not yet redeemed on-chain", () => this.awaiting());
  }

  /** Calls served but not yet redeemed, over all agreements. */
  awaiting(): number {
    let n = 0;
    for (const t of this.tracked.values()) n += Math.max(0, t.served - t.redeemed);
    return n;
  }

  /** Startup: settle transactions left pending by a crash, then learn what is unredeemed. */
  async recover(served: Map<string, number>): Promise<void> {
    for (const r of this.store.redemptions()) {
      if (r.pendingTx) {
        const receipt = await this.publicClient.getTransactionReceipt({ hash: r.pendingTx as Hex }).catch(() => null);
        if (receipt?.status === "success") this.store.recordRedeemed(BigInt(r.agreementId), r.pendingCalls!);
      }
    }
    const stored = new Map(this.store.redemptions().map((r) => [r.agreementId, r.redeemedCalls]));
    for (const [id, calls] of served) {
      const onChain = await this.chain.agreement(BigInt(id), { fresh: true }).catch(() => null);
      const redeemed = Math.max(stored.get(id) ?? 0, Number(onChain?.redeemedCalls ?? 0));
      this.tracked.set(id, { served: calls, redeemed, deadline: onChain ? onChain.expiresAt + BigInt(this.options.graceS) : undefined });
    }
    this.log.info("redemption state recovered", { agreements: this.tracked.size, awaiting: this.awaiting() });
  }

  start(): void {
    this.timer = setInterval(() => void this.redeemAll("schedule"), this.options.intervalMs);
    this.timer.unref();
  }

  /** Called after each persisted paid call. */
  noteCall(agreementId: bigint, calls: bigint, expiresAt: bigint): void {
    const id = agreementId.toString();
    const t = this.tracked.get(id) ?? { served: 0, redeemed: 0 };
    t.served = Number(calls);
    t.deadline = expiresAt + BigInt(this.options.graceS);
    this.tracked.set(id, t);
    const closing = t.deadline - BigInt(Math.floor(Date.now() / 1000)) <= BigInt(this.options.marginS);
    if (t.served - t.redeemed >= this.options.threshold || closing) void this.redeem(agreementId, closing ? "deadline" : "threshold");
  }

  /** Redeems every agreement with unredeemed calls whose window is open. */
  async redeemAll(trigger: string): Promise<void> {
    const ids = [...this.tracked.entries()].filter(([, t]) => t.served > t.redeemed).map(([id]) => BigInt(id));
    for (const id of ids) await this.redeem(id, trigger);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redeemAll("shutdown");
    await this.chainTail.catch(() => undefined);
  }

  /** Queues one agreement's redemption behind any transaction already in flight. */
  redeem(agreementId: bigint, trigger: string): Promise<void> {
    const run = this.chainTail.then(() => this.redeemNow(agreementId, trigger));
    this.chainTail = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      this.metrics.inc("agentry_worker_redemptions_total", { result: "failed" });
      this.log.error("redemption failed", { agreementId, trigger, error: (error as Error).message });
    });
  }

  /**
   * Root of the receipts of calls 1..`calls` (docs/PROTOCOL.md): the tree kept for the agreement
   * takes the calls since its last redemption (receiptLeaves: a call served by another worker of
   * the agent has the foreign digest). Leaves never change once added: this worker only ever
   * serves calls past the ones it has served.
   */
  private receiptsRoot(agreementId: bigint, t: Tracked, calls: number): Hex {
    // Redemptions only move forward; a tree past `calls` (never expected) is rebuilt, not trusted.
    if (!t.tree || t.tree.count > calls) t.tree = new MerkleAccumulator(keccakNative);
    const tree = t.tree;
    const held = this.store.receiptDigests(agreementId, tree.count, calls);
    for (const digest of receiptLeaves(held, calls, tree.count)) tree.append(digest);
    return tree.root();
  }

  private async redeemNow(agreementId: bigint, trigger: string): Promise<void> {
    const id = agreementId.toString();
    const t = this.tracked.get(id);
    if (!t || t.served <= t.redeemed) return;
    const onChain = await this.chain.agreement(agreementId, { fresh: true });
    if (!onChain) return;
    if (Number(onChain.redeemedCalls) >= t.served) {
      t.redeemed = Number(onChain.redeemedCalls);
      this.store.recordRedeemed(agreementId, t.redeemed);
      return;
    }
    if (onChain.closed) {
      this.log.warn("agreement closed with unredeemed calls", { agreementId, served: t.served, redeemed: Number(onChain.redeemedCalls) });
      t.redeemed = t.served;
      return;
    }
    const calls = t.served;
    const row = this.store.call(agreementId, calls);
    if (!row) throw new Error(`no stored voucher for call ${calls}`);
    const voucher = parseVoucher(row.voucher);
    const root = this.receiptsRoot(agreementId, t, calls);
    const hash = await this.wallet.writeContract({
      address: this.chain.escrow,
      abi: agreementEscrowAbi,
      functionName: "redeem",
      args: [agreementId, voucher.calls, voucher.amount, voucher.requestHash, voucher.signature, root],
      chain: this.wallet.chain,
    });
    this.store.recordPending(agreementId, calls, hash);
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`redeem transaction ${hash} reverted`);
    this.store.recordRedeemed(agreementId, calls);
    t.redeemed = Math.max(t.redeemed, calls);
    this.chain.forget(agreementId);
    this.metrics.inc("agentry_worker_redemptions_total", { result: "success" });
    this.log.info("redeemed", { agreementId, calls, receiptsRoot: root, tx: hash, trigger });
  }
}
