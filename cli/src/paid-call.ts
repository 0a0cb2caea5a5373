/**
 * One paid call through the broker: pick the call index, sign the voucher locally with the session
 * key, send it with `invokeThroughBroker` (which verifies the receipt), and record the receipt
 * before returning. Calls of one agreement run one at a time (StateStore.exclusive).
 */
import type { PrivateKeyAccount } from "viem/accounts";
import {
  BrokerError, invokeThroughBroker, isProtocolError, requestHash, signVoucher, type InvokeOutcome,
} from "@agentry/protocol";
import { readAgreement, unusableReason, type Chain, type OnChainAgreement } from "./chain.ts";
import { agentWorkers, type Directory } from "./directory.ts";
import { CliError, progress } from "./output.ts";
import { StateStore, type AgreementState } from "./state.ts";
import { collectWorkerReceipts } from "./worker-receipts.ts";

export interface PayerOptions {
  directory: Directory;
  brokerUrl: string;
  sessionKey: PrivateKeyAccount;
  agreementId: bigint;
  stateDir: string;
}

export interface PaidCall extends InvokeOutcome {
  calls: bigint;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

export class Payer {
  readonly agreement: OnChainAgreement;
  readonly store: StateStore;
  private readonly options: PayerOptions;
  private readonly chain: Chain;

  private constructor(options: PayerOptions, agreement: OnChainAgreement) {
    this.options = options;
    this.chain = options.directory.chain;
    this.agreement = agreement;
    this.store = new StateStore(options.stateDir, this.chain.ref, agreement.id, agreement.agentId);
  }

  /** Checks the agreement exists and that the key may sign its vouchers. */
  static async open(options: PayerOptions): Promise<Payer> {
    const agreement = await readAgreement(options.directory.chain, options.agreementId);
    const signer = options.sessionKey.address.toLowerCase();
    if (signer !== agreement.sessionKey.toLowerCase() && signer !== agreement.client.toLowerCase()) {
      throw new CliError(
        `the key ${options.sessionKey.address} may not sign for agreement ${agreement.id}: its session key is ${agreement.sessionKey} and its client ${agreement.client}`,
        "pass the session key file `agentry open --session-key-out` wrote for this agreement",
      );
    }
    return new Payer(options, agreement);
  }

  /** Pays for and makes one call of `tool`; the receipt is stored before this returns. */
  call(tool: string, args: Record<string, unknown>): Promise<PaidCall> {
    return this.store.exclusive(async () => {
      const state = await this.store.load();
      const onChain = await readAgreement(this.chain, this.agreement.id);
      const unusable = unusableReason(onChain, BigInt(Math.floor(Date.now() / 1000)));
      if (unusable) throw new CliError(unusable, "open a new agreement with `agentry open`");
      let next = max(state.lastCalls, onChain.redeemedCalls) + 1n;
      for (let attempt = 0; ; attempt++) {
        if (next > onChain.fundedCalls) {
          throw new CliError(`agreement ${onChain.id} is out of calls: it funds ${onChain.fundedCalls} and call ${next} would be next`, "top the agreement up (AgreementEscrow.topUp) or open a new one");
        }
        try {
          const outcome = await this.invoke(next, tool, args);
          state.calls.set(next, { calls: next, tool, receipt: outcome.receipt, source: "broker" });
          state.lastCalls = max(state.lastCalls, next);
          await this.store.save(state);
          return { ...outcome, calls: next };
        } catch (error) {
          if (error instanceof BrokerError && error.code === "WRONG_CALL_INDEX" && attempt === 0) {
            next = await this.resync(state, error);
            continue;
          }
          throw explain(error, this.options.brokerUrl);
        }
      }
    });
  }

  private async invoke(calls: bigint, tool: string, args: Record<string, unknown>): Promise<InvokeOutcome> {
    const { agreement, chain } = this;
    const voucher = await signVoucher(this.options.sessionKey, chain.ref, {
      agreementId: agreement.id,
      calls,
      amount: calls * agreement.price,
      requestHash: requestHash({ agentId: agreement.agentId, toolName: tool, arguments: args }),
    });
    return invokeThroughBroker(this.options.brokerUrl, chain.ref, { agentId: agreement.agentId, tool, arguments: args, voucher }, { signal: AbortSignal.timeout(120_000) });
  }

  /**
   * The broker says another index is next. A voucher for index n authorizes payment for calls
   * 1..n, so the index we sign is our liability; an index claimed by the other side is believed
   * only as far as it is proven:
   *   - at most max(local last call, on-chain redeemedCalls) + 1: signing it never commits us to
   *     more than calls we already owe plus this one, so it is accepted as is (a lower index
   *     happens when the serving worker has seen fewer calls, and costs us nothing);
   *   - higher: calls we have no receipt for would be paid. That is legitimate after a lost answer
   *     (the worker stored the call, the connection dropped), so the gap's receipts are fetched
   *     from the agent's workers. Each must be signed by a registered worker key and come with our
   *     own voucher for that index (we really authorized it); only when every call of the gap is
   *     proven is the index accepted, the receipts stored, and the call retried once.
   */
  private async resync(state: AgreementState, error: BrokerError): Promise<bigint> {
    const expectedText = String(error.details?.expectedCalls ?? "");
    if (!/^[1-9][0-9]{0,76}$/.test(expectedText)) {
      throw new CliError(`the broker refused the call index but did not say which is next (${error.message})`, "retry; if it persists, check the broker's logs");
    }
    const expected = BigInt(expectedText);
    const onChain = await readAgreement(this.chain, this.agreement.id);
    const known = max(state.lastCalls, onChain.redeemedCalls);
    if (expected <= known + 1n) {
      progress(`resync: the worker expects call ${expected} (this machine knew ${known}); retrying with ${expected}`);
      return expected;
    }
    const gapFrom = known + 1n;
    const gapTo = expected - 1n;
    progress(`resync: the worker expects call ${expected} but only ${known} are known here; fetching receipts ${gapFrom}..${gapTo} from the agent's workers`);
    const workers = await agentWorkers(this.options.directory, this.agreement.agentId);
    const found = await collectWorkerReceipts(this.chain, { id: this.agreement.id, agentId: this.agreement.agentId, signers: [this.agreement.client, this.agreement.sessionKey] }, workers, gapFrom, gapTo);
    const missing: bigint[] = [];
    for (let calls = gapFrom; calls <= gapTo; calls++) if (!found.calls.has(calls)) missing.push(calls);
    if (missing.length > 0) {
      throw new CliError(
        `the broker says call ${expected} is next, but calls ${missing.join(", ")} have no verifiable receipt (${found.problems.join("; ") || "no worker holds them"}); signing ${expected} would pay for calls without proof`,
        `nothing was signed. Run \`agentry receipts ${this.agreement.id}\` to see what the workers hold, and retry once the agent's workers are reachable`,
      );
    }
    for (const [calls, call] of found.calls) state.calls.set(calls, { calls, receipt: call.receipt, source: "worker" });
    state.lastCalls = gapTo;
    await this.store.save(state);
    progress(`resync: receipts ${gapFrom}..${gapTo} verified and stored; retrying with call ${expected}`);
    return expected;
  }
}

/** Turns what the broker or the receipt check threw into an error that says what to do. */
function explain(error: unknown, brokerUrl: string): Error {
  if (error instanceof CliError) return error;
  if (error instanceof BrokerError) return new CliError(`the broker refused the call: ${error.code}: ${error.message}`, error.hint);
  if (isProtocolError(error)) {
    return new CliError(
      `the broker's answer does not verify (${error.code}: ${error.message})`,
      "the call may have been served and charged: the next call resyncs from the agent's workers' receipts; report the broker if it persists",
    );
  }
  const message = (error as Error).message;
  return new CliError(`the broker at ${brokerUrl} did not answer (${message})`, "check --broker / AGENTRY_BROKER_URL and that the dApp server is running; if the call ran, the next call resyncs");
}
