/**
 * Reading JSON request bodies safely (route handlers and the production server's fast path): the media type is checked, the size is
 * capped while streaming (a lying or absent Content-Length changes nothing), and every failure is
 * a BrokerError with the honest status (413, 415, 400), never an exception that becomes a 500.
 */
import { BrokerError } from "@agentry/protocol";

/**
 * A request body as either server hands it over: a Web Request's body stream (route handlers) or
 * Node's IncomingMessage (web/server.ts's fast path); both are async iterables of bytes.
 */
export interface BodySource {
  contentType: string | null | undefined;
  contentLength: string | null | undefined;
  chunks: AsyncIterable<Uint8Array> | null;
}

export function bodyOf(request: Request): BodySource {
  return { contentType: request.headers.get("content-type"), contentLength: request.headers.get("content-length"), chunks: request.body && chunksOf(request.body) };
}

/** A Web stream's chunks; stopping early cancels the stream. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

export async function readBody(request: Request | BodySource, maxBytes: number, mediaType: RegExp = /^application\/json\b/i): Promise<Uint8Array> {
  const source = request instanceof Request ? bodyOf(request) : request;
  const type = source.contentType ?? "";
  if (!mediaType.test(type)) {
    throw new BrokerError("UNSUPPORTED_MEDIA_TYPE", `content type "${type || "none"}" is not accepted`, `send the body as ${mediaType.source.replace(/[\\^$b]/g, "").replace("\\/", "/")}`);
  }
  if (!source.chunks) return new Uint8Array(0);
  const reader = source.chunks[Symbol.asyncIterator]();
  if (Number(source.contentLength ?? "0") > maxBytes) {
    await discard(reader);
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.next();
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

export async function readJson(request: Request | BodySource, maxBytes: number): Promise<unknown> {
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
async function discard(reader: AsyncIterator<Uint8Array>): Promise<void> {
  let drained = 0;
  try {
    for (;;) {
      const { done, value } = await reader.next();
      if (done) return;
      drained += value.byteLength;
      if (drained > DRAIN_LIMIT) break;
    }
  } catch {
    return;
  }
  await reader.return?.().catch(() => undefined);
}

function tooLarge(maxBytes: number): BrokerError {
  return new BrokerError("BODY_TOO_LARGE", `the body is over ${maxBytes} bytes`, `send at most ${maxBytes} bytes`);
}

/** A JSON answer before it becomes a Web Response (route handlers) or is written to Node's response. */
export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" } as const;

export function jsonAnswer(value: unknown, status = 200): JsonAnswer {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(value) };
}

/** The JSON answer for an error; unexpected errors are logged and reported without internals. */
export function errorAnswer(error: unknown, log: (message: string, fields: Record<string, unknown>) => void): JsonAnswer {
  if (error instanceof BrokerError) {
    const answer = jsonAnswer(error.toJSON(), error.status);
    const retryAfter = error.details?.retryAfterMs;
    if (typeof retryAfter === "number") answer.headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfter / 1000)));
    return answer;
  }
  log("unexpected error", { error: error instanceof Error ? error.message : String(error) });
  const unavailable = new BrokerError("CHAIN_UNAVAILABLE", "the broker could not read the chain or its index", "nothing was forwarded or charged; retry shortly");
  return errorAnswer(unavailable, log);
}

export function toResponse(answer: JsonAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export function errorResponse(error: unknown, log: (message: string, fields: Record<string, unknown>) => void): Response {
  return toResponse(errorAnswer(error, log));
}

export function jsonResponse(value: unknown, status = 200): Response {
  return toResponse(jsonAnswer(value, status));
}
