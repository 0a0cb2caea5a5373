/**
 * The broker's MCP client for workers: MCP Streamable HTTP, stateless, over node:http keep-alive
 * connections. It speaks the protocol as the SDK's client does: `initialize` once per worker
 * endpoint (the negotiated version must be one the SDK supports), `notifications/initialized`,
 * then each request as one POST that accepts JSON or an event stream, with the
 * MCP-Protocol-Version header (and the session id, should a worker issue one). An event-stream
 * answer is read to its end: the spec has the server close it once the response is sent (the
 * SDK's server does), and a worker that keeps it open runs into the call's timeout.
 *
 * Why not the SDK's Client (the previous design): a paid call is one small POST and one small JSON
 * answer, and the Client's machinery around it (an AbortController, timers and progress handling
 * per request, a Web Request/Response and Headers per call, a schema check of every message) cost
 * 1.0 ms of the broker's CPU per call against 0.47 ms for the same call here (result schema
 * included), more than the rest of the broker's work on it. The SDK's own server is tested against
 * this client in both of its answer modes (test/web/worker-rpc.test.ts).
 */
import http from "node:http";
import https from "node:https";
import { InitializeResultSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";

/** A JSON-RPC error the worker answered with: it heard the request and refused it. */
export class WorkerRpcError extends Error {
  override readonly name = "WorkerRpcError";
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/**
 * The worker did not answer the request (unreachable, an HTTP error, a timeout, a broken answer,
 * shutting down): the broker may try another worker with the same voucher.
 */
export class WorkerUnavailableError extends Error {
  override readonly name = "WorkerUnavailableError";
  readonly timedOut: boolean;
  constructor(message: string, timedOut = false) {
    super(message);
    this.timedOut = timedOut;
  }
}

/** Largest answer read from a worker (its own limit on tool output is far below). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

type Agents = Record<"http:" | "https:", http.Agent>;
interface Answer {
  status: number;
  contentType: string;
  sessionId: string | undefined;
  body: string;
}

/** One worker endpoint: its negotiated protocol version and, if it issued one, its session. */
class EndpointSession {
  readonly #url: URL;
  readonly #agents: Agents;
  #headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  #nextId = 1;

  constructor(url: URL, agents: Agents) {
    this.#url = url;
    this.#agents = agents;
  }

  /** The MCP handshake; rejects unless the worker speaks a supported protocol version. */
  async initialize(timeoutMs: number): Promise<void> {
    const params = { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "agentry-broker", version: "0.1.0" } };
    const { result, sessionId } = await this.#exchange("initialize", params, timeoutMs);
    const init = InitializeResultSchema.safeParse(result);
    if (!init.success) throw new WorkerUnavailableError("the worker's initialize result is malformed");
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(init.data.protocolVersion)) {
      throw new WorkerUnavailableError(`the worker speaks MCP ${init.data.protocolVersion}, which this broker does not support`);
    }
    this.#headers = { ...this.#headers, "mcp-protocol-version": init.data.protocolVersion, ...(sessionId ? { "mcp-session-id": sessionId } : {}) };
    const ack = await post(this.#agents, this.#url, this.#headers, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), timeoutMs);
    if (ack.status >= 300) throw new WorkerUnavailableError(`the worker answered HTTP ${ack.status} to notifications/initialized`);
  }

  /** The result of one request; throws WorkerRpcError for an error answer, WorkerUnavailableError for no answer. */
  async request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    return (await this.#exchange(method, params, timeoutMs)).result;
  }

  async #exchange(method: string, params: unknown, timeoutMs: number): Promise<{ result: unknown; sessionId: string | undefined }> {
    const id = this.#nextId++;
    const answer = await post(this.#agents, this.#url, this.#headers, JSON.stringify({ jsonrpc: "2.0", id, method, params }), timeoutMs);
    if (answer.status < 200 || answer.status >= 300) {
      throw new WorkerUnavailableError(`the worker answered HTTP ${answer.status}: ${rpcErrorMessage(answer.body) ?? answer.body.slice(0, 200)}`);
    }
    const message = responseFor(id, answer);
    if (message.error) {
      const { code, message: text, data } = message.error as { code?: unknown; message?: unknown; data?: unknown };
      if (typeof code !== "number" || typeof text !== "string") throw new WorkerUnavailableError("the worker answered with a malformed JSON-RPC error");
      throw new WorkerRpcError(code, text, data);
    }
    if (!("result" in message)) throw new WorkerUnavailableError("the worker's answer has neither a result nor an error");
    return { result: message.result, sessionId: answer.sessionId };
  }
}

/** The JSON-RPC response with `id` in a JSON body or an event stream. */
function responseFor(id: number, answer: Answer): Record<string, unknown> {
  const candidates: unknown[] = [];
  try {
    if (/^application\/json\b/i.test(answer.contentType)) {
      const parsed: unknown = JSON.parse(answer.body);
      candidates.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } else if (/^text\/event-stream\b/i.test(answer.contentType)) {
      for (const data of sseData(answer.body)) candidates.push(JSON.parse(data));
    } else {
      throw new WorkerUnavailableError(`the worker answered with content type "${answer.contentType}", not JSON or an event stream`);
    }
  } catch (error) {
    if (error instanceof WorkerUnavailableError) throw error;
    throw new WorkerUnavailableError("the worker's answer is not valid JSON");
  }
  const match = candidates.find((m): m is Record<string, unknown> => typeof m === "object" && m !== null && (m as { id?: unknown }).id === id);
  if (!match) throw new WorkerUnavailableError("the worker's answer holds no response to the request");
  return match;
}

/**
 * The `data` of each event in an event stream, as the SSE spec dispatches them: multi-line data
 * joined with newlines, events with empty data (a resumable server's priming event) skipped.
 */
export function sseData(stream: string): string[] {
  const out: string[] = [];
  for (const event of stream.split(/\r\n\r\n|\n\n|\r\r/)) {
    const data = event.split(/\r\n|\n|\r/).filter((l) => l.startsWith("data:")).map((l) => l.slice(l.startsWith("data: ") ? 6 : 5)).join("\n");
    if (data !== "") out.push(data);
  }
  return out;
}

function rpcErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === "string" ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}

/** One POST; resolves with the whole answer, rejects with WorkerUnavailableError. */
function post(agents: Agents, url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const agent = agents[url.protocol as keyof Agents];
    if (!agent) return reject(new WorkerUnavailableError(`unsupported protocol ${url.protocol}`));
    let settled = false;
    const fail = (error: WorkerUnavailableError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error);
    };
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      agent,
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
    });
    const timer = setTimeout(() => fail(new WorkerUnavailableError(`the worker did not answer in time: no answer within ${timeoutMs} ms`, true)), timeoutMs);
    request.once("error", (error) => fail(new WorkerUnavailableError(`the worker is unreachable: ${error.message}`)));
    request.once("response", (message) => {
      const chunks: Buffer[] = [];
      let size = 0;
      message.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) fail(new WorkerUnavailableError(`the worker's answer exceeds ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      message.once("error", () => fail(new WorkerUnavailableError("the worker closed the connection mid-answer")));
      message.once("close", () => {
        if (!message.complete) return fail(new WorkerUnavailableError("the worker closed the connection mid-answer"));
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const sessionId = message.headers["mcp-session-id"];
        resolve({
          status: message.statusCode ?? 502,
          contentType: message.headers["content-type"] ?? "",
          sessionId: typeof sessionId === "string" ? sessionId : undefined,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    request.end(body);
  });
}

/** MCP sessions with workers, one per endpoint, over this broker's keep-alive connections. */
export class WorkerRpc {
  readonly #agents: Agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  readonly #sessions = new Map<string, Promise<EndpointSession>>();

  /** Sends `method` to the worker at `endpoint`, initializing its session first if needed. */
  async request(endpoint: string, method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    let pending = this.#sessions.get(endpoint);
    if (!pending) {
      const session = new EndpointSession(new URL(endpoint), this.#agents);
      const created = session.initialize(timeoutMs).then(() => session);
      created.catch(() => this.#forget(endpoint, created));
      this.#sessions.set(endpoint, (pending = created));
    }
    try {
      return await (await pending).request(method, params, timeoutMs);
    } catch (error) {
      // A worker that did not answer starts over with a new handshake (it may have restarted).
      if (!(error instanceof WorkerRpcError)) this.#forget(endpoint, pending);
      throw error;
    }
  }

  #forget(endpoint: string, session: Promise<EndpointSession>): void {
    if (this.#sessions.get(endpoint) === session) this.#sessions.delete(endpoint);
  }

  /** Closes the keep-alive connections (the broker's shutdown). */
  close(): void {
    this.#sessions.clear();
    for (const agent of Object.values(this.#agents)) agent.destroy();
  }
}
