/**
 * GET /ipfs/<cid>: content from the store, checked against its CID before it is sent (a corrupted
 * block is a 502, never served). Content never changes under a CID, so it is cached forever.
 */
import { BrokerError, isProtocolError, parseCid } from "@agentry/protocol";
import { contentStore } from "@/lib/content-store";
import { errorResponse } from "@/lib/http-json";
import { log } from "@/lib/broker/instance";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(_request: Request, context: { params: Promise<{ cid: string }> }): Promise<Response> {
  const { cid } = await context.params;
  try {
    try {
      parseCid(cid);
    } catch (error) {
      throw new BrokerError("MALFORMED_REQUEST", (error as Error).message, "use a CID such as bafkrei… (from POST /api/ipfs or an ipfs:// URI)");
    }
    const bytes = await (await contentStore()).get(cid);
    if (!bytes) {
      throw new BrokerError("NOT_FOUND", `no content under ${cid} in this store`, "upload it with POST /api/ipfs, or check the CID");
    }
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "content-type": looksLikeJson(bytes) ? "application/json" : "application/octet-stream",
        "cache-control": "public, max-age=31536000, immutable",
        etag: `"${cid}"`,
        "x-content-type-options": "nosniff",
      },
    });
  } catch (error) {
    // A CID this store knows but will not serve: a directory, or a file over the size limit (a Kubo node may hold either).
    if (isProtocolError(error, "INVALID_CID")) {
      return errorResponse(new BrokerError("MALFORMED_REQUEST", error.message, "use the CID of a single file (a registration file or evidence)"), () => undefined);
    }
    if (isProtocolError(error, "CONTENT_TOO_LARGE")) {
      return errorResponse(new BrokerError("NOT_FOUND", `${cid} is larger than this server serves: ${error.message}`, "fetch it from an IPFS gateway"), () => undefined);
    }
    if (isProtocolError(error, "CONTENT_MISMATCH")) {
      log("error", "stored content does not match its CID", { cid });
      return errorResponse(new BrokerError("CONTENT_CORRUPTED", `the stored content of ${cid} is corrupted`, "re-upload the original bytes"), () => undefined);
    }
    return errorResponse(error, (msg, fields) => log("error", msg, fields));
  }
}

function looksLikeJson(bytes: Uint8Array): boolean {
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return first === 0x7b || first === 0x5b;
}
