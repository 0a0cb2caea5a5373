/**
 * The meter: decides whether a voucher pays for the call it comes with, before the tool runs.
 * Rules, in order (docs/PROTOCOL.md): the agreement exists, is open, unexpired and for an agent
 * this worker serves; the voucher is for this request; `calls` is past every call served or redeemed; within
 * maxCalls and the deposit; `amount = calls × price`; signed (canonically) by the client or the
 * current session key. State that may have moved on (top-ups, key changes) is re-read from the
 * chain before a rejection.
 */
import type { Address } from "viem";
import { AgentryRpcError, isProtocolError, type SignedVoucher } from "@agentry/protocol/core";
import type { AgreementState, ChainView } from "./chain.ts";
import { recoverSigner, requestHashNative, type Eip712Hasher } from "@agentry/protocol/native-crypto";
import { KeyedLock } from "./lock.ts";

export class PaymentError extends Error {
  readonly code: number;
  readonly data: Record<string, unknown>;
  constructor(code: number, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.data = data;
    this.name = "PaymentError";
  }
}

const unusable = (message: string, data: Record<string, unknown> = {}) =>
  new PaymentError(AgentryRpcError.AGREEMENT_UNUSABLE, message, { reason: "AGREEMENT_UNUSABLE", ...data });

export interface Authorization {
  agreement: AgreementState;
  voucher: SignedVoucher;
  /** Marks the call as served (after it is persisted) and releases the agreement. */
  commit(): void;
  /** Releases the agreement without consuming the index (the call did not run or is not charged). */
  abandon(): void;
}

export class PaymentMeter {
  private readonly lock = new KeyedLock();
  /** Highest served (persisted) call index per agreement. */
  private readonly served: Map<string, bigint>;
  private readonly chain: ChainView;
  private readonly hasher: Eip712Hasher;
  private readonly agents: ReadonlySet<bigint> | undefined;

  constructor(chain: ChainView, hasher: Eip712Hasher, agents: ReadonlySet<bigint> | undefined, served: Map<string, number>) {
    this.chain = chain;
    this.hasher = hasher;
    this.agents = agents;
    this.served = new Map([...served].map(([k, v]) => [k, BigInt(v)]));
  }

  lastServed(agreementId: bigint): bigint {
    return this.served.get(agreementId.toString()) ?? 0n;
  }

  async authorize(voucher: SignedVoucher, call: { toolName: string; arguments: Record<string, unknown> }): Promise<Authorization> {
    const id = voucher.agreementId;
    let agreement = await this.usableAgreement(id);
    const expectedRequest = requestHashNative({ agentId: agreement.agentId, toolName: call.toolName, arguments: call.arguments });
    if (expectedRequest !== voucher.requestHash.toLowerCase()) {
      throw new PaymentError(AgentryRpcError.WRONG_REQUEST, `the voucher's requestHash does not match tool "${call.toolName}" with these arguments for agent ${agreement.agentId}`, {
        reason: "WRONG_REQUEST",
        expectedRequestHash: expectedRequest,
      });
    }

    const release = await this.lock.acquire(id.toString());
    try {
      const served = this.lastServed(id);
      const next = (served > agreement.redeemedCalls ? served : agreement.redeemedCalls) + 1n;
      // `calls` may be past `next`: the calls between were served by another worker of the agent
      // (the broker fails over with the same voucher). Vouchers are cumulative, so accepting a
      // higher index never charges a call twice; a lower one would replay a served call.
      const calls = voucher.calls;
      if (calls < next) {
        throw new PaymentError(AgentryRpcError.WRONG_CALL_INDEX, `voucher is for call ${calls}, but agreement ${id} is past it: the next call is ${next}`, {
          reason: "WRONG_CALL_INDEX",
          expectedCalls: next.toString(),
        });
      }
      if (calls > agreement.maxCalls) throw unusable(`agreement ${id} allows ${agreement.maxCalls} calls; this voucher is for call ${calls}`);
      if (calls > agreement.fundedCalls) {
        agreement = await this.usableAgreement(id, true);
        if (calls > agreement.fundedCalls) {
          throw unusable(`the deposit of agreement ${id} covers ${agreement.fundedCalls} calls; top it up to make call ${calls}`, {
            fundedCalls: agreement.fundedCalls.toString(),
          });
        }
      }
      const due = calls * agreement.price;
      if (voucher.amount !== due) {
        throw new PaymentError(AgentryRpcError.WRONG_AMOUNT, `voucher amount is ${voucher.amount}; call ${calls} at ${agreement.price} per call requires ${due}`, {
          reason: "WRONG_AMOUNT",
          expectedAmount: due.toString(),
        });
      }
      await this.checkSigner(voucher, agreement);
      return {
        agreement,
        voucher,
        commit: () => {
          this.served.set(id.toString(), voucher.calls);
          release();
        },
        abandon: release,
      };
    } catch (error) {
      release();
      throw error;
    }
  }

  private async usableAgreement(id: bigint, fresh = false): Promise<AgreementState> {
    const agreement = await this.chain.agreement(id, { fresh });
    if (!agreement) throw unusable(`agreement ${id} does not exist on this chain`);
    if (this.agents && !this.agents.has(agreement.agentId)) {
      throw unusable(`this worker does not serve agent ${agreement.agentId}`);
    }
    if (agreement.closed) throw unusable(`agreement ${id} is closed`);
    if ((await this.chain.now()) >= agreement.expiresAt) {
      throw unusable(`agreement ${id} expired at ${new Date(Number(agreement.expiresAt) * 1000).toISOString()}`);
    }
    return agreement;
  }

  private async checkSigner(voucher: SignedVoucher, agreement: AgreementState): Promise<void> {
    let signer: Address;
    try {
      signer = recoverSigner(this.hasher.voucher(voucher), voucher.signature);
    } catch (error) {
      throw new PaymentError(AgentryRpcError.VOUCHER_SIGNATURE, isProtocolError(error) ? error.message : "invalid voucher signature", { reason: "VOUCHER_SIGNATURE" });
    }
    const allowed = (a: AgreementState) => [a.client, a.sessionKey].some((k) => k.toLowerCase() === signer.toLowerCase());
    if (allowed(agreement)) return;
    // The session key may have changed since the cached read.
    const fresh = await this.usableAgreement(voucher.agreementId, true);
    if (!allowed(fresh)) {
      throw new PaymentError(AgentryRpcError.VOUCHER_SIGNATURE, `the voucher is signed by ${signer}, which is neither the client nor the current session key of agreement ${voucher.agreementId}`, {
        reason: "VOUCHER_SIGNATURE",
        signer,
      });
    }
  }
}
