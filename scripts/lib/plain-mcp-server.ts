/**
 * The benchmark's baseline: the worker's built-in tools served by a plain MCP server (official SDK,
 * same stateless Streamable HTTP JSON mode, same node:http), with no payment, no receipt, no store,
 * and tools run inline. Prints its URL on stdout. Usage: plain-mcp-server.ts <port>
 */
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { ZodRawShape, ZodObject } from "zod";
import { builtinTools, runBuiltinTool } from "../../worker/src/tools/index.ts";

function build(): McpServer {
  const server = new McpServer({ name: "plain", version: "1.0.0" });
  for (const tool of builtinTools) {
    const shape = (tool.inputSchema as unknown as ZodObject<ZodRawShape>).shape;
    server.registerTool(tool.name, { description: tool.description, inputSchema: shape }, (args: Record<string, unknown>) => {
      const out = runBuiltinTool(tool, args);
      return { content: [{ type: "text" as const, text: out.text }], ...(out.structured ? { structuredContent: out.structured } : {}) };
    });
  }
  return server;
}

const port = Number(process.argv[2] ?? 0);
const http = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"POST only"}}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
  });
});
http.listen(port, "127.0.0.1", () => {
  const a = http.address();
  console.log(`listening http://127.0.0.1:${typeof a === "object" && a ? a.port : port}/mcp`);
});
