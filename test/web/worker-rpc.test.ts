/**
 * The broker's MCP client for workers (web/lib/broker/worker-rpc.ts) against the official SDK's
 * server in each of its answer modes (JSON, event stream, a stateful session), and against a
 * server that misbehaves: HTTP errors, a timeout, a worker that dies mid-answer or is not there,
 * answers that are not MCP. Sequential calls share one keep-alive connection and one handshake.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { json } from "node:stream/consumers";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { sseData, WorkerRpc, WorkerRpcError, WorkerUnavailableError } from "../../web/lib/broker/worker-rpc.ts";

/** A worker-like server on the SDK's low-level Server: refusals are JSON-RPC errors, as the worker's are. */
function mcpServer(): Server {
  const server = new Server({ name: "test-worker", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const { name, arguments: args } = request.params;
    if (name === "echo") return { content: [{ type: "text" as const, text: String(args?.text) }] };
    if (name === "refuse") throw new McpError(-32042, "voucher refused", { reason: "TEST" });
    throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}`);
  });
  return server;
}

const seen: { methods: string[]; sockets: Set<number>; versions: Set<string | undefined>; sessions: Set<string | undefined> } = {
  methods: [], sockets: new Set(), versions: new Set(), sessions: new Set(),
};
let statefulTransport: StreamableHTTPServerTransport;

/** Routes: /json and /sse (stateless SDK server per request), /session (one stateful SDK transport), then misbehaving ones. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  seen.sockets.add(req.socket.remotePort!);
  const body = await json(req);
  const method = (body as { method?: string }).method ?? "?";
  seen.methods.push(`${req.url} ${method}`);
  if (method === "tools/call") {
    seen.versions.add(req.headers["mcp-protocol-version"] as string | undefined);
    seen.sessions.add(req.headers["mcp-session-id"] as string | undefined);
  }
  if (req.url === "/json" || req.url === "/sse") {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: req.url === "/json" });
    res.on("close", () => void server.close());
    await server.connect(transport);
    return transport.handleRequest(req, res, body);
  }
  if (req.url === "/session") return statefulTransport.handleRequest(req, res, body);
  // Misbehaving workers: they complete the handshake, then fail the call their way.
  const id = (body as { id?: number }).id;
  if (method === "initialize") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result: { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "x", version: "1" } } }));
    return;
  }
  if (method === "notifications/initialized") return void res.writeHead(202).end();
  switch (req.url) {
    case "/500":
      res.writeHead(500, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"database on fire"}}');
      return;
    case "/slow":
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 2_000);
      return;
    case "/dies":
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    case "/html":
      res.writeHead(200, { "content-type": "text/html" }).end("<h1>hello</h1>");
      return;
    case "/other-id":
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: 999, result: {} }));
      return;
    case "/old-version":
      res.writeHead(404).end();
      return;
    default:
      res.writeHead(404).end();
  }
}

let http: HttpServer;
let base: string;
const rpc = new WorkerRpc();

before(async () => {
  const stateful = mcpServer();
  statefulTransport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), enableJsonResponse: true });
  await stateful.connect(statefulTransport);
  http = createServer((req, res) => void handle(req, res).catch((e: Error) => res.writeHead(500).end(e.message)));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

after(() => {
  rpc.close();
  http.close();
});

const call = (path: string, name: string, args: Record<string, unknown> = {}, timeoutMs = 5_000) =>
  rpc.request(`${base}${path}`, "tools/call", { name, arguments: args }, timeoutMs);

for (const path of ["/json", "/sse", "/session"]) {
  test(`the SDK's server (${path.slice(1)} answers): one handshake, then calls with the negotiated version on one connection`, async () => {
    seen.methods.length = 0;
    seen.sockets.clear();
    seen.versions.clear();
    seen.sessions.clear();
    for (const text of ["one", "two", "three"]) assert.deepEqual(await call(path, "echo", { text }), { content: [{ type: "text", text }] });
    assert.deepEqual(seen.methods, [`${path} initialize`, `${path} notifications/initialized`, `${path} tools/call`, `${path} tools/call`, `${path} tools/call`]);
    assert.equal(seen.sockets.size, 1, "one keep-alive connection for sequential calls");
    assert.deepEqual([...seen.versions], ["2025-11-25"]);
    if (path === "/session") assert.deepEqual([...seen.sessions], [statefulTransport.sessionId], "the session id the worker issued goes with every call");
    else assert.deepEqual([...seen.sessions], [undefined]);

    const refused = await call(path, "refuse").catch((e: unknown) => e);
    assert.ok(refused instanceof WorkerRpcError, String(refused));
    assert.equal(refused.code, -32042);
    assert.match(refused.message, /voucher refused/);
    assert.deepEqual(refused.data, { reason: "TEST" });
    const unknown = await call(path, "nope").catch((e: unknown) => e);
    assert.ok(unknown instanceof WorkerRpcError && unknown.code === ErrorCode.InvalidParams, String(unknown));
  });
}

test("a worker that does not answer the call: HTTP errors, timeouts, a broken or foreign answer, no worker at all", async () => {
  const transport = async (path: string, timeoutMs?: number) => {
    const error = await call(path, "echo", { text: "x" }, timeoutMs).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerUnavailableError, `${path}: ${String(error)}`);
    return error;
  };
  assert.match((await transport("/500")).message, /answered HTTP 500: database on fire/);
  const slow = await transport("/slow", 100);
  assert.equal(slow.timedOut, true);
  assert.match(slow.message, /did not answer in time/);
  assert.match((await transport("/dies")).message, /closed the connection mid-answer/);
  assert.match((await transport("/html")).message, /content type "text\/html"/);
  assert.match((await transport("/other-id")).message, /no response to the request/);

  const unused = createServer();
  await new Promise<void>((resolve) => unused.listen(0, "127.0.0.1", resolve));
  const port = (unused.address() as AddressInfo).port;
  await new Promise((resolve) => unused.close(resolve));
  const refused = await rpc.request(`http://127.0.0.1:${port}/mcp`, "tools/call", {}, 1_000).catch((e: unknown) => e);
  assert.ok(refused instanceof WorkerUnavailableError && /unreachable: .*ECONNREFUSED/.test(refused.message), String(refused));
});

test("after a failure the next call starts with a new handshake (the worker may have restarted)", async () => {
  seen.methods.length = 0;
  await assert.rejects(call("/500", "echo", { text: "x" }), WorkerUnavailableError);
  await assert.rejects(call("/500", "echo", { text: "x" }), WorkerUnavailableError);
  assert.deepEqual(seen.methods.filter((m) => m.endsWith("initialize")), ["/500 initialize", "/500 initialize"]);
});

test("event-stream data: events split on blank lines, multi-line data joined, CRLF, comments and empty events handled", () => {
  assert.deepEqual(sseData('event: message\ndata: {"a":1}\n\n: keep-alive\n\ndata: line one\r\ndata: line two\r\n\r\n'), ['{"a":1}', "line one\nline two"]);
  assert.deepEqual(sseData("id: 1\ndata:\n\nid: 2\ndata: {}\n\n"), ["{}"], "an event with empty data (a priming event) is not dispatched");
  assert.deepEqual(sseData(""), []);
});
