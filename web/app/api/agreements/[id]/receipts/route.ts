/**
 * GET /api/agreements/<id>/receipts: the agreement's receipts from the agent's workers, verified,
 * with the on-chain anchor checked (web/lib/agreement-receipts.ts). Served by the dApp because
 * workers do not answer cross-origin requests from browsers.
 */
import { BrokerError } from "@agentry/protocol";
import { createPublicClient, http, type PublicClient } from "viem";
import { agreementReceipts } from "@/lib/agreement-receipts";
import { errorResponse, jsonResponse } from "@/lib/http-json";
import { log } from "@/lib/broker/instance";
import { serverConfig } from "@/lib/server-config";
import { enforceLimit, MemoryRateLimiter } from "@/lib/rate-limit";
import { routeClientAddress } from "@/lib/client-address";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every request fans out to the agent's workers: 10 at once per client address, then 1 a second. */
const requests = new MemoryRateLimiter({ ratePerSecond: 1, burst: 10 });

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const caller = routeClientAddress(request.headers);
    await enforceLimit(requests, caller, `receipt checks from this address (${caller})`);
    const { id } = await params;
    if (!/^\d{1,78}$/.test(id)) throw new BrokerError("MALFORMED_REQUEST", `"${id}" is not an agreement id`, "use the agreement's decimal id");
    const config = serverConfig();
    const client = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 1, timeout: 10_000 }) }) as PublicClient;
    const ref = { chainId: config.chainId, escrow: config.contracts.AgreementEscrow.address };
    const result = await agreementReceipts(client, ref, config.contracts.WorkerRegistry.address, config.contracts.AgreementEscrow.startBlock, BigInt(id));
    if (!result) throw new BrokerError("NOT_FOUND", `agreement ${id} does not exist on chain ${config.chainId}`, "check the id on My agreements");
    return jsonResponse(result);
  } catch (error) {
    return errorResponse(error, (msg, fields) => log("error", msg, fields));
  }
}
