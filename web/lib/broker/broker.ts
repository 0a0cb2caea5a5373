/**
 * The broker: `POST /api/invoke` without the HTTP framing. Order of work is cheapest first, so bad
 * input costs nothing: parse (zod), check the voucher is for this request, rate limits, the
 * agreement (one cached chain read), the agent's eligible workers (cached), then the call, tried
 * on each eligible worker in rendezvous order until one answers, with its receipt verified
 * against the worker's registered key before anything is returned.
 *
 * Charging: the worker consumes a voucher only when it answers with a receipt. A worker that fails
 * before answering has charged nothing, so the same voucher goes to the next worker; vouchers are
 * cumulative (`calls`, `amount = calls × price`), so even a worker that ran the call and then died
 * cannot make the client pay twice.
 */
import type { PublicClient } from "viem";
import {
  agentRegistryAbi, BrokerError, readAgreement, type AgreementState, encodeReceipt, getDeployment, invokeRequestSchema, parseReceipt,
  RECEIPT_META_KEY, isProtocolError, type EscrowRef, type InvokeResponse,
} from "@agentry/protocol";
import { Eip712Hasher, requestHashNative, verifyReceiptNative } from "@agentry/protocol/native-crypto";
import { WorkerClients, WorkerUnavailableError } from "./forward.ts";
import { enforceLimit, MemoryRateLimiter, type RateLimiter } from "../rate-limit.ts";
import { rankWorkers, WorkerHealth } from "./routing.ts";
import type { WorkerDirectory } from "./workers.ts";

export interface BrokerOptions {
  publicClient: PublicClient;
  chainId: number;
  directory: WorkerDirectory;
  /** Per-call limit on a worker's answer. */
  callTimeoutMs: number;
  /** How long agreement state read from the chain is reused. */
  agreementCacheMs: number;
  limits: { perAgreement: RateLimiter; perClient: RateLimiter; perIp: RateLimiter };
  health: WorkerHealth;
  log: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
}

export interface Broker {
  invoke(body: unknown, caller: { ip: string }): Promise<InvokeResponse>;
  close(): Promise<void>;
}

export function createBroker(options: BrokerOptions): Broker {
  const deployment = getDeployment(options.chainId);
  const ref: EscrowRef = { chainId: options.chainId, escrow: deployment.contracts.AgreementEscrow.address };
  const clients = new WorkerClients();
  const hasher = new Eip712Hasher(ref);
  const now = options.now ?? Date.now;
  const agreements = new Map<string, { value: Promise<AgreementState | null>; until: number }>();
  const agents = new Map<string, Promise<boolean>>();

  function cachedAgreement(id: bigint): Promise<AgreementState | null> {
    const key = id.toString();
    const hit = agreements.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value = readAgreement(options.publicClient, ref.escrow, id);
    agreements.set(key, { value, until: now() + options.agreementCacheMs });
    value.catch(() => agreements.delete(key));
    if (agreements.size > 50_000) agreements.delete(agreements.keys().next().value!);
    return value;
  }

  /** Agents exist forever once minted (burning is not offered), so a positive answer is kept. */
  function agentExists(agentId: bigint): Promise<boolean> {
    const key = agentId.toString();
    let known = agents.get(key);
    if (!known) {
      known = options.publicClient
        .readContract({ address: deployment.contracts.AgentRegistry.address, abi: agentRegistryAbi, functionName: "ownerOf", args: [agentId] })
        .then(() => true, () => false);
      agents.set(key, known);
      void known.then((exists) => exists || agents.delete(key));
    }
    return known;
  }

  async function invoke(body: unknown, caller: { ip: string }): Promise<InvokeResponse> {
    await enforceLimit(options.limits.perIp, caller.ip, `calls for this address (${caller.ip})`);
    const parsed = invokeRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
      throw new BrokerError("MALFORMED_REQUEST", `malformed invoke request (${issues})`, 'send {"agentId", "tool", "arguments", "voucher"} as in docs/PROTOCOL.md');
    }
    const { agentId, tool, arguments: args, voucher } = parsed.data;
    const expectedRequest = requestHashNative({ agentId, toolName: tool, arguments: args });
    if (expectedRequest !== voucher.requestHash.toLowerCase()) {
      throw new BrokerError("WRONG_REQUEST", `the voucher's requestHash is not that of tool "${tool}" with these arguments for agent ${agentId}`, "sign the voucher over this agent, tool name and these exact arguments", { expectedRequestHash: expectedRequest });
    }
    await enforceLimit(options.limits.perAgreement, voucher.agreementId.toString(), `calls for agreement ${voucher.agreementId}`);

    const [agreement, exists] = await Promise.all([cachedAgreement(voucher.agreementId), agentExists(agentId)]);
    if (!exists) throw new BrokerError("UNKNOWN_AGENT", `agent ${agentId} does not exist`, "check the agent id on the Explore page or with `agentry agents`");
    if (!agreement) throw new BrokerError("VOUCHER_DOES_NOT_PAY", `agreement ${voucher.agreementId} does not exist`, "open an agreement with the agent first");
    if (agreement.agentId !== agentId) {
      throw new BrokerError("NOT_ALLOWED", `agreement ${voucher.agreementId} is with agent ${agreement.agentId}, not agent ${agentId}`, "use an agreement opened with this agent");
    }
    if (agreement.closed) throw new BrokerError("VOUCHER_DOES_NOT_PAY", `agreement ${voucher.agreementId} is closed`, "open a new agreement");
    await enforceLimit(options.limits.perClient, agreement.client, `calls for client ${agreement.client}`);

    const workers = await options.directory.eligible(agentId);
    if (workers.length === 0) {
      throw new BrokerError("NO_WORKER", `no eligible worker serves agent ${agentId} (none is approved, validated, unexpired and running a pinned measurement)`, "nothing was charged; the agent's provider must approve a validated worker");
    }

    const failures: string[] = [];
    let timedOut = false;
    for (const worker of rankWorkers(voucher.agreementId, workers, options.health)) {
      const end = options.health.begin(worker.address);
      let result;
      try {
        result = await clients.call(worker.endpoint, tool, args, voucher, options.callTimeoutMs);
      } catch (error) {
        if (!(error instanceof WorkerUnavailableError)) throw error;
        options.health.failed(worker.address);
        timedOut ||= error.timedOut;
        failures.push(`${worker.address}: ${error.message}`);
        options.log("warn", "worker failed before answering; trying the next one", { worker: worker.address, agreementId: voucher.agreementId.toString(), error: error.message });
        continue;
      } finally {
        end();
      }
      const { _meta, ...plain } = result;
      try {
        const receipt = parseReceipt(_meta?.[RECEIPT_META_KEY]);
        verifyReceiptNative(hasher, receipt, { worker: worker.address, requestHash: expectedRequest, calls: voucher.calls, agreementId: voucher.agreementId, result: plain });
        options.health.succeeded(worker.address);
        return { result: plain as InvokeResponse["result"], receipt: encodeReceipt(receipt), worker: { address: worker.address, endpoint: worker.endpoint } };
      } catch (error) {
        const reason = isProtocolError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
        // A registered worker that signs a bad receipt is misbehaving: report it and stop using it for a while.
        options.health.failed(worker.address);
        options.directory.invalidate(agentId);
        failures.push(`${worker.address}: bad receipt (${reason})`);
        options.log("warn", "worker returned a receipt that does not verify; refused", { worker: worker.address, agreementId: voucher.agreementId.toString(), calls: voucher.calls.toString(), reason });
      }
    }
    if (timedOut && failures.every((f) => /did not answer in time/.test(f))) {
      throw new BrokerError("TIMEOUT", `no worker answered within ${options.callTimeoutMs} ms`, "nothing was charged; retry with the same voucher", { failures });
    }
    const badReceipts = failures.filter((f) => f.includes("bad receipt")).length;
    throw new BrokerError(
      badReceipts === failures.length ? "BAD_RECEIPT" : "NO_WORKER",
      `no eligible worker could run the call (${failures.length} tried)`,
      "retry with the same voucher: a call without a valid receipt is not charged twice",
      { failures },
    );
  }

  return { invoke, close: () => clients.close() };
}

/** Default limits: generous for interactive and agent use, tight enough to stop floods. */
export function defaultLimits(): BrokerOptions["limits"] {
  return {
    perAgreement: new MemoryRateLimiter({ ratePerSecond: 200, burst: 400 }),
    perClient: new MemoryRateLimiter({ ratePerSecond: 500, burst: 1_000 }),
    perIp: new MemoryRateLimiter({ ratePerSecond: 1_000, burst: 2_000 }),
  };
}
