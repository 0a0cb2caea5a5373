/** HTTP surface: POST /mcp (MCP), GET /healthz, GET /metrics, GET /receipts/<agreementId>. */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createMcpServer, type McpDeps } from "./mcp.ts";
import { jsonRpcError as rpcError, StatelessJsonTransport } from "./mcp-transport.ts";

export interface HttpDeps extends McpDeps {
  maxBodyBytes: number;
  health(): Record<string, unknown>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** Reads the body up to `limit` bytes; null (and a 413 already sent) when it is larger. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      rpcError(res, 413, -32600, `request body is ${declared} bytes; this worker accepts at most ${limit}`);
      req.resume();
      return resolve(null);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        rpcError(res, 413, -32600, `request body is over this worker's ${limit}-byte limit`);
        req.destroy();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function createHttpServer(deps: HttpDeps): { server: HttpServer; inFlight(): number } {
  let inFlight = 0;
  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      deps.log.error("request failed", { error: (error as Error).message });
      if (!res.headersSent) rpcError(res, 500, -32603, "internal error");
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://worker");
    if (url.pathname === "/healthz") {
      const health = deps.health();
      return json(res, deps.isShuttingDown() ? 503 : 200, health);
    }
    if (url.pathname === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(deps.metrics.render());
      return;
    }
    const receipts = /^\/receipts\/(\d{1,78})$/.exec(url.pathname);
    if (receipts && req.method === "GET") return serveReceipts(res, BigInt(receipts[1]!), url);
    if (url.pathname !== "/mcp") return json(res, 404, { error: "not found", hint: "the MCP endpoint is /mcp" });
    if (req.method !== "POST") {
      return rpcError(res, 405, -32000, "this worker speaks stateless Streamable HTTP: send JSON-RPC with POST");
    }
    // In flight until the answer is written (or the client is gone): graceful shutdown waits for it.
    inFlight += 1;
    res.once("close", () => (inFlight -= 1));
    const text = await readBody(req, res, deps.maxBodyBytes);
    if (text === null) return;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return rpcError(res, 400, -32700, "the request body is not valid JSON");
    }
    const mcp = createMcpServer(deps);
    const transport = new StatelessJsonTransport(res);
    // Closing matters only when the client left before its answer: the transport then drops the
    // late response. After an answer there is nothing to release, and the SDK's close builds an
    // Error (with its stack trace) on every call for response handlers a server never has.
    res.once("close", () => {
      if (!res.writableEnded) void mcp.close();
    });
    await mcp.connect(transport);
    transport.handle(req, body);
  }

  function serveReceipts(res: ServerResponse, agreementId: bigint, url: URL): void {
    const last = Number(deps.meter.lastServed(agreementId));
    const bound = (name: "from" | "to", fallback: number): number | null => {
      const value = url.searchParams.get(name);
      return value === null ? fallback : /^\d{1,15}$/.test(value) ? Number(value) : null;
    };
    const [fromParam, toParam] = [bound("from", 1), bound("to", last)];
    if (fromParam === null || toParam === null) {
      return json(res, 400, { error: "from and to must be call indexes (whole numbers)", hint: "GET /receipts/<agreementId>?from=1&to=1000" });
    }
    const from = Math.max(1, fromParam);
    const to = Math.min(last, toParam, from + 999);
    json(res, 200, { agreementId: agreementId.toString(), lastCalls: last, receipts: deps.store.callsBetween(agreementId, from, to) });
  }

  return { server, inFlight: () => inFlight };
}
