/**
 * The `fetch` the broker's MCP clients use to reach workers (the SDK's Streamable HTTP transport
 * accepts one): node:http(s) over keep-alive connections instead of the global fetch. A paid call
 * is one small POST and one small JSON answer, and the global fetch's machinery (a Request, a
 * body stream and a Response per call, its connection pool) costs as much CPU as the rest of the
 * broker's work on it. JSON answers are read whole; any other answer (an SSE stream) is passed on
 * as a stream. Redirects are returned, not followed: the SDK follows those within the origin itself.
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

/** Statuses whose Response may not carry a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

function requestHeaders(init: RequestInit | undefined, body: string | Uint8Array | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => (out[name] = value));
  if (body !== undefined) out["content-length"] = String(Buffer.byteLength(body));
  return out;
}

function responseHeaders(message: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < message.rawHeaders.length; i += 2) headers.append(message.rawHeaders[i]!, message.rawHeaders[i + 1]!);
  return headers;
}

function requestBody(init: RequestInit | undefined): string | Uint8Array | undefined {
  const body = init?.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  throw new TypeError("worker fetch sends string or byte bodies only");
}

export interface WorkerFetch {
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
  /** Closes the keep-alive connections (the broker's shutdown). */
  close(): void;
}

/** A fetch with its own keep-alive connections, one per broker. */
export function createWorkerFetch(): WorkerFetch {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  return {
    fetch: (input, init) => send(agents, input, init),
    close: () => Object.values(agents).forEach((agent) => agent.destroy()),
  };
}

function send(agents: Record<"http:" | "https:", http.Agent>, input: string | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof URL ? input : new URL(input);
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  const body = requestBody(init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Response>((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(url, { method: init?.method ?? "GET", headers: requestHeaders(init, body), agent });
    const onAbort = () => request.destroy(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason)));
    signal?.addEventListener("abort", onAbort, { once: true });
    request.once("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    request.once("response", (message) => {
      const status = message.statusCode ?? 502;
      const headers = responseHeaders(message);
      const done = () => signal?.removeEventListener("abort", onAbort);
      if (NO_BODY.has(status)) {
        message.resume();
        done();
        resolve(new Response(null, { status, statusText: message.statusMessage, headers }));
        return;
      }
      if (!/^application\/json\b/i.test(headers.get("content-type") ?? "")) {
        message.once("end", done);
        resolve(new Response(Readable.toWeb(message) as ReadableStream<Uint8Array>, { status, statusText: message.statusMessage, headers }));
        return;
      }
      const chunks: Buffer[] = [];
      message.on("data", (chunk: Buffer) => chunks.push(chunk));
      message.once("error", (error) => {
        done();
        reject(error);
      });
      message.once("close", () => {
        done();
        if (message.complete) resolve(new Response(Buffer.concat(chunks), { status, statusText: message.statusMessage, headers }));
        else reject(new Error("the connection closed before the whole answer arrived"));
      });
    });
    request.end(body);
  });
}
