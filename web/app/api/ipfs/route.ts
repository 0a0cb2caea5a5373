/**
 * POST /api/ipfs: stores a registration file (application/json, validated: the error names each
 * wrong field) or attestation evidence (application/octet-stream, must decode as evidence), and
 * answers { cid, uri, size }. The CID is what `ipfs add --cid-version=1` gives for the same bytes.
 */
import { BrokerError, decodeEvidence, ipfsUri, isProtocolError, MAX_CONTENT_BYTES, parseRegistrationFile } from "@agentry/protocol";
import { contentStore } from "@/lib/content-store";
import { errorResponse, jsonResponse, readBody } from "@/lib/http-json";
import { log } from "@/lib/broker/instance";
import { enforceLimit, MemoryRateLimiter } from "@/lib/rate-limit";
import { routeClientAddress } from "@/lib/client-address";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Bytes each client address may upload: 16 MiB at once, then 16 KiB/s (about 1.3 GiB a day), each
 * upload counting at least 4 KiB. Registering agents and workers (files of a few KiB) never meets
 * it; filling the store's disk from one address does. Counted before validation: refused uploads
 * cost the server work too.
 */
const UPLOAD_MIN_COST = 4 * 1024;
const uploads = new MemoryRateLimiter({ ratePerSecond: 16 * 1024, burst: 16 * 1024 * 1024 });

export async function POST(request: Request): Promise<Response> {
  try {
    const type = request.headers.get("content-type") ?? "";
    const bytes = await readBody(request, MAX_CONTENT_BYTES, /^application\/(json|octet-stream)\b/i);
    const caller = routeClientAddress(request.headers);
    await enforceLimit(uploads, caller, `bytes uploaded from this address (${caller})`, Math.max(bytes.byteLength, UPLOAD_MIN_COST));
    try {
      if (/^application\/json/i.test(type)) parseRegistrationFile(bytes);
      else decodeEvidence(bytes);
    } catch (error) {
      const what = /json/i.test(type) ? "registration file" : "attestation evidence";
      throw new BrokerError("MALFORMED_REQUEST", error instanceof Error ? error.message : String(error), `fix the ${what} and upload it again (docs/PROTOCOL.md describes the format)`);
    }
    const cid = await (await contentStore()).put(bytes);
    return jsonResponse({ cid, uri: ipfsUri(cid), size: bytes.byteLength }, 201);
  } catch (error) {
    if (isProtocolError(error, "CONTENT_TOO_LARGE")) return errorResponse(new BrokerError("BODY_TOO_LARGE", error.message, `send at most ${MAX_CONTENT_BYTES} bytes`), () => undefined);
    return errorResponse(error, (msg, fields) => log("error", msg, fields));
  }
}
