/**
 * MCP's Streamable HTTP transport, stateless and in JSON response mode, directly on node:http: one
 * transport per POST, handing the body's JSON-RPC messages to the SDK's `Server` and answering
 * once every request in it has its response.
 *
 * Why not the SDK's StreamableHTTPServerTransport: in this mode it answers with the same bytes,
 * but it wraps Node's request and response in Web Request/Response objects (through a framework
 * adapter) and re-parses each message with a schema per check; on the paid-call path that was a
 * tenth of the worker's CPU. The rules are the SDK's (same statuses, codes and messages): POST
 * only, Accept must list application/json and text/event-stream, Content-Type must be JSON, at
 * most 100 messages in a batch, a known MCP-Protocol-Version header, 202 when the body holds no
 * request. Sessions and SSE streams are not offered: the worker is stateless by design.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonContentType } from "@modelcontextprotocol/sdk/shared/mediaType.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";

/** The SDK's limit (server/requestBody.js). */
const MAX_BATCH_SIZE = 100;

export function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } => "method" in m && "id" in m;
const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } => !("method" in m) && "id" in m;

export class StatelessJsonTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];

  private readonly res: ServerResponse;
  private readonly pending = new Map<RequestId, JSONRPCMessage | undefined>();
  private closed = false;

  constructor(res: ServerResponse) {
    this.res = res;
  }

  async start(): Promise<void> {}

  /** Checks the request, then delivers its messages; the answer is written by `send`. */
  handle(req: IncomingMessage, body: unknown): void {
    const accept = req.headers.accept ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      return jsonRpcError(this.res, 406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
    }
    if (!isJsonContentType(req.headers["content-type"] ?? null)) {
      return jsonRpcError(this.res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    }
    if (Array.isArray(body) && body.length > MAX_BATCH_SIZE) {
      return jsonRpcError(this.res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
    }
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(body) ? body : [body]).map((m) => JSONRPCMessageSchema.parse(m));
    } catch {
      return jsonRpcError(this.res, 400, -32700, "Parse error: Invalid JSON-RPC message");
    }
    const isInitialize = messages.some((m) => isRequest(m) && m.method === "initialize");
    if (isInitialize && messages.length > 1) {
      return jsonRpcError(this.res, 400, -32600, "Invalid Request: Only one initialization request is allowed");
    }
    const version = req.headers["mcp-protocol-version"];
    if (!isInitialize && typeof version === "string" && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return jsonRpcError(this.res, 400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
    }
    for (const m of messages) if (isRequest(m)) this.pending.set(m.id, undefined);
    const requestInfo = { headers: req.headers };
    if (this.pending.size === 0) {
      for (const m of messages) this.onmessage?.(m, { requestInfo });
      this.res.writeHead(202).end();
      return;
    }
    for (const m of messages) this.onmessage?.(m, { requestInfo });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    // Notifications and server-to-client requests need a stream, which a JSON answer does not
    // have (the SDK's transport drops them the same way in this mode).
    if (!isResponse(message) || !this.pending.has(message.id) || this.closed) return;
    this.pending.set(message.id, message);
    const responses = [...this.pending.values()];
    if (responses.some((r) => r === undefined)) return;
    // One response goes as an object even for a batch of one, as the SDK's transport answers.
    this.res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(responses.length === 1 ? responses[0] : responses));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
