/**
 * The worker's Streamable HTTP transport must answer exactly as the SDK's own transport does in
 * stateless JSON mode (differential test: the same SDK Server behind each, the same requests,
 * the same statuses and bodies), and the SDK's client must work through it.
 */
import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { StatelessJsonTransport } from "../../worker/src/mcp-transport.ts";

function mcpServer(): McpServer {
  const server = new McpServer({ name: "differential", version: "1.0.0" });
  server.registerTool("echo", { description: "echo", inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
  server.registerTool("fail", { description: "throws" }, () => {
    throw new Error("boom");
  });
  return server;
}

function serve(kind: "sdk" | "worker"): Promise<{ http: HttpServer; url: string }> {
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const server = mcpServer();
      if (kind === "sdk") {
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        res.on("close", () => void server.close());
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
      } else {
        const transport = new StatelessJsonTransport(res);
        res.on("close", () => void server.close());
        await server.connect(transport);
        transport.handle(req, body);
      }
    });
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve({ http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` })));
}

let sdk: { http: HttpServer; url: string };
let worker: { http: HttpServer; url: string };
before(async () => {
  [sdk, worker] = await Promise.all([serve("sdk"), serve("worker")]);
});
after(() => {
  sdk.http.close();
  worker.http.close();
});

const ACCEPT = "application/json, text/event-stream";
const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "t", version: "1" } } };
const call = (id: number, name: string, args: unknown = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

const cases: { name: string; body: unknown; headers?: Record<string, string> }[] = [
  { name: "initialize", body: initialize },
  { name: "tools/list", body: { jsonrpc: "2.0", id: 2, method: "tools/list" } },
  { name: "tools/call", body: call(3, "echo", { text: "héllo" }) },
  { name: "a tool that throws", body: call(4, "fail") },
  { name: "an unknown tool", body: call(5, "nope") },
  { name: "invalid arguments", body: call(6, "echo", { text: 7 }) },
  { name: "an unknown method", body: { jsonrpc: "2.0", id: 7, method: "nope/nope" } },
  { name: "a notification only (202)", body: { jsonrpc: "2.0", method: "notifications/initialized" } },
  { name: "a batch of two requests", body: [call(8, "echo", { text: "a" }), call(9, "echo", { text: "b" })] },
  { name: "a batch of one request", body: [call(10, "echo", { text: "c" })] },
  { name: "a batch mixing a notification and a request", body: [{ jsonrpc: "2.0", method: "notifications/initialized" }, call(11, "echo", { text: "d" })] },
  { name: "a batch over 100 messages", body: Array.from({ length: 101 }, (_, i) => call(100 + i, "echo", { text: "x" })) },
  { name: "initialize with another message", body: [initialize, call(12, "echo", { text: "e" })] },
  { name: "not JSON-RPC", body: { hello: "world" } },
  { name: "Accept without text/event-stream", body: call(13, "echo", { text: "f" }), headers: { accept: "application/json" } },
  { name: "a non-JSON content type", body: call(14, "echo", { text: "g" }), headers: { "content-type": "text/plain" } },
  { name: "an unsupported protocol version", body: call(15, "echo", { text: "h" }), headers: { "mcp-protocol-version": "1999-01-01" } },
  { name: "a supported older protocol version", body: call(16, "echo", { text: "i" }), headers: { "mcp-protocol-version": "2025-03-26" } },
];

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), body: text === "" ? null : (JSON.parse(text) as unknown) };
}

for (const c of cases) {
  test(`answers like the SDK's transport: ${c.name}`, async () => {
    const [expected, actual] = await Promise.all([post(sdk.url, c.body, c.headers), post(worker.url, c.body, c.headers)]);
    assert.deepEqual(actual, expected);
  });
}

test("the SDK's client initializes, lists and calls tools through it", async () => {
  const client = new Client({ name: "t", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(worker.url)));
  assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ["echo", "fail"]);
  assert.deepEqual((await client.callTool({ name: "echo", arguments: { text: "ok" } })).content, [{ type: "text", text: "ok" }]);
  await client.close();
});
