/**
 * `agentry receipts`: every receipt of an agreement, from this machine's state and from the agent's
 * workers, each verified against the registered worker key, and the on-chain anchor checked: the
 * latest Redeemed event's receiptsRoot must be the Merkle root of receipts 1..calls.
 */
import type { Address } from "viem";
import { checkReceiptsAnchor, encodeReceipt, latestRedemption, receiptDigest, verifyReceipt, type SignedReceipt } from "@agentry/protocol";
import { readAgreement, registeredWorker, type RegisteredWorker } from "../chain.ts";
import { COMMON_HELP, parseCommand, positiveInteger } from "../config.ts";
import { openDirectory } from "../context.ts";
import { agentWorkers } from "../directory.ts";
import { printResult, progress, table } from "../output.ts";
import { StateStore } from "../state.ts";
import { collectWorkerReceipts } from "../worker-receipts.ts";

export const summary = "gather and verify an agreement's receipts and check them against the on-chain anchor";

export const help = `agentry receipts <agreementId>

Gathers the agreement's receipts from the state directory and from the agent's workers
(GET /receipts/<id>), verifies each (signed by a worker key registered in WorkerRegistry, for this
agreement and call), and checks the latest redemption's receiptsRoot against the Merkle root of
receipts 1..calls. Exits 1 when a receipt is missing or the root does not match.

${COMMON_HELP}`;

interface Row {
  calls: bigint;
  tool: string | null;
  worker: string;
  timestamp: bigint;
  sources: string[];
  verified: boolean;
  problem?: string;
  receipt: SignedReceipt;
}

export async function run(argv: string[]): Promise<void> {
  const { positionals, config } = parseCommand("receipts", argv, {});
  const agreementId = positiveInteger(positionals[0], "<agreementId>", "receipts");
  const directory = await openDirectory(config, "receipts are checked against the chain");
  const { chain } = directory;
  const agreement = await readAgreement(chain, agreementId);

  const rows = new Map<bigint, Row>();
  const registry = new Map<string, Promise<RegisteredWorker | undefined>>();
  const local = await new StateStore(config.stateDir, chain.ref, agreementId, agreement.agentId).load();
  for (const call of local.calls.values()) {
    const problem = await checkLocal(call.receipt, call.calls, (address: Address) => {
      if (!registry.has(address)) registry.set(address, registeredWorker(chain, agreement.agentId, address));
      return registry.get(address)!;
    }, chain.ref);
    rows.set(call.calls, { calls: call.calls, tool: call.tool ?? null, worker: call.receipt.worker, timestamp: call.receipt.timestamp, sources: ["local"], verified: !problem, ...(problem ? { problem } : {}), receipt: call.receipt });
  }

  const workers = await agentWorkers(directory, agreement.agentId);
  progress(`asking ${workers.length} worker(s) of agent ${agreement.agentId} for their receipts`);
  const fromWorkers = await collectWorkerReceipts(chain, { id: agreementId, agentId: agreement.agentId, signers: [agreement.client, agreement.sessionKey] }, workers, 1n);
  for (const problem of fromWorkers.problems) progress(problem);
  for (const [calls, call] of fromWorkers.calls) {
    const existing = rows.get(calls);
    if (existing?.verified) {
      // Two valid receipts for one call would mean a worker signed twice: worth saying.
      if (receiptDigest(chain.ref, call.receipt) === receiptDigest(chain.ref, existing.receipt)) existing.sources.push(call.from);
      else existing.problem = `${call.from} holds a different receipt for this call`;
      continue;
    }
    rows.set(calls, { calls, tool: existing?.tool ?? null, worker: call.receipt.worker, timestamp: call.receipt.timestamp, sources: [call.from], verified: true, receipt: call.receipt });
  }

  const ordered = [...rows.values()].sort((a, b) => (a.calls < b.calls ? -1 : 1));
  const anchor = await latestRedemption(chain.publicClient, chain.deployment.contracts.AgreementEscrow, agreementId);
  let anchorCheck: { calls: bigint; onChainRoot: string; computedRoot: string | null; matches: boolean; missing: bigint[]; blockNumber: bigint; transactionHash: string } | null = null;
  if (anchor) {
    const verified = new Map(ordered.filter((r) => r.verified).map((r) => [Number(r.calls), r.receipt]));
    const missing: bigint[] = [];
    for (let calls = 1n; calls <= BigInt(anchor.calls); calls++) if (!verified.has(Number(calls))) missing.push(calls);
    anchorCheck = {
      calls: BigInt(anchor.calls), onChainRoot: anchor.receiptsRoot, ...checkReceiptsAnchor(chain.ref, verified, anchor.calls, anchor.receiptsRoot),
      missing, blockNumber: anchor.blockNumber, transactionHash: anchor.transactionHash,
    };
  }
  const result = {
    agreementId, agentId: agreement.agentId, redeemedCalls: agreement.redeemedCalls,
    receipts: ordered.map(({ receipt, ...row }) => ({ ...row, receipt: encodeReceipt(receipt) })),
    anchor: anchorCheck,
  };
  printResult(config, result, () => {
    const lines = [
      ordered.length === 0
        ? `No receipts found for agreement ${agreementId}.`
        : table(
            ["CALL", "TOOL", "WORKER", "SIGNED AT", "FROM", "CHECK"],
            ordered.map((r) => [r.calls.toString(), r.tool ?? "-", r.worker, new Date(Number(r.timestamp) * 1000).toISOString(), r.sources.join(", "), r.verified ? (r.problem ?? "ok") : `FAILED: ${r.problem}`]),
          ),
      "",
    ];
    if (!anchorCheck) lines.push("Nothing redeemed on-chain yet: no anchor to check.");
    else if (anchorCheck.matches) lines.push(`On-chain anchor: receipts 1..${anchorCheck.calls} match receiptsRoot ${anchorCheck.onChainRoot} (block ${anchorCheck.blockNumber}).`);
    else if (anchorCheck.computedRoot === null) lines.push(`On-chain anchor covers calls 1..${anchorCheck.calls}, but the receipt of call ${anchorCheck.calls} (whose worker redeemed) is missing: the root cannot be checked.`);
    else lines.push(`MISMATCH: the receipts 1..${anchorCheck.calls} have root ${anchorCheck.computedRoot}, the chain anchors ${anchorCheck.onChainRoot}.`);
    return lines.join("\n");
  });
  // Receipts missing under a matching root were served by other workers and are not a failure.
  const failed = ordered.some((r) => !r.verified || r.problem) || (anchorCheck !== null && !anchorCheck.matches);
  if (failed) process.exitCode = 1;
}

async function checkLocal(
  receipt: SignedReceipt,
  calls: bigint,
  lookup: (address: Address) => Promise<RegisteredWorker | undefined>,
  ref: Parameters<typeof verifyReceipt>[0],
): Promise<string | undefined> {
  const worker = await lookup(receipt.worker);
  if (!worker) return `signed for ${receipt.worker}, which is not a registered worker key`;
  try {
    await verifyReceipt(ref, receipt, { worker: worker.address, agreementId: receipt.agreementId, calls, requestHash: receipt.requestHash });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
