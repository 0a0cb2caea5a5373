/**
 * Reading JSON request bodies safely in route handlers: the media type is checked, the size is
 * capped while streaming (a lying or absent Content-Length changes nothing), and every failure is
 * a BrokerError with the honest status (413, 415, 400), never an exception that becomes a 500.
 */
import { BrokerError } from "@agentry/protocol";

export async function readBody(request: Request, maxBytes: number, mediaType: RegExp = /^application\/json\b/i): Promise<Uint8Array> {
  const type = request.headers.get("content-type") ?? "";
  if (!mediaType.test(type)) {
    throw new BrokerError("UNSUPPORTED_MEDIA_TYPE", `content type "${type || "none"}" is not accepted`, `send the body as ${mediaType.source.replace(/[\\^$b]/g, "").replace("\\/", "/")}`);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await discard(reader);
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await discard(reader);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBody(request, maxBytes);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new BrokerError("MALFORMED_REQUEST", `the body is not JSON: ${(error as Error).message}`, "send a UTF-8 JSON object");
  }
}

/**
 * Reads and drops the rest of an oversized body (up to DRAIN_LIMIT) so the client, still sending,
 * gets the 413 instead of a connection reset; a body past the limit is cut off.
 */
const DRAIN_LIMIT = 32 * 1024 * 1024;
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let drained = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
      if (drained > DRAIN_LIMIT) break;
    }
  } catch {
    return;
  }
  await reader.cancel().catch(() => undefined);
}

function tooLarge(maxBytes: number): BrokerError {
  return new BrokerError("BODY_TOO_LARGE", `the body is over ${maxBytes} bytes`, `send at most ${maxBytes} bytes`);
}

/** The JSON response for an error; unexpected errors are logged and reported without internals. */
export function errorResponse(error: unknown, log: (message: string, fields: Record<string, unknown>) => void): Response {
  if (error instanceof BrokerError) {
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    const retryAfter = error.details?.retryAfterMs;
    if (typeof retryAfter === "number") headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfter / 1000)));
    return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers });
  }
  log("unexpected error", { error: error instanceof Error ? error.message : String(error) });
  const unavailable = new BrokerError("CHAIN_UNAVAILABLE", "the broker could not read the chain or its index", "nothing was forwarded or charged; retry shortly");
  return errorResponse(unavailable, log);
}

export function jsonResponse(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
}
