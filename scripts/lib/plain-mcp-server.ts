/**
 * The benchmark's baselines: the worker's built-in tools served by a plain MCP server (official
 * SDK's McpServer, stateless, JSON answers, node:http, the worker's shared JSON Schema validator)
 * with no payment, no receipt, no store; tools run inline, as the worker runs its linear ones.
 * Two transports: `sdk`, the SDK's StreamableHTTPServerTransport, as its documentation sets up a
 * stateless server; `worker`, the worker's own transport (worker/src/mcp-transport.ts), so that
 * the only difference left with the worker is payment.
 * Prints its URL on stdout. Usage: plain-mcp-server.ts <port> <sdk|worker>
 */
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { ZodRawShape, ZodObject } from "zod";
import { StatelessJsonTransport } from "../../worker/src/mcp-transport.ts";
import { builtinTools, runBuiltinTool } from "../../worker/src/tools/index.ts";

// Shared across requests as the worker shares it (worker/src/mcp.ts): otherwise the SDK builds an
// Ajv instance per request, which would make this baseline slower than it needs to be.
const jsonSchemaValidator = new AjvJsonSchemaValidator();

function build(): McpServer {
  const server = new McpServer({ name: "plain", version: "1.0.0" }, { jsonSchemaValidator });
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
const transportKind = process.argv[3] ?? "worker";
if (transportKind !== "sdk" && transportKind !== "worker") throw new Error(`unknown transport ${transportKind}: use sdk or worker`);
const http = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"POST only"}}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const server = build();
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    res.on("close", () => void server.close());
    if (transportKind === "sdk") {
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } else {
      const transport = new StatelessJsonTransport(res);
      await server.connect(transport);
      transport.handle(req, body);
    }
  });
});
http.listen(port, "127.0.0.1", () => {
  const a = http.address();
  console.log(`listening http://127.0.0.1:${typeof a === "object" && a ? a.port : port}/mcp`);
});

// Exit cleanly on SIGTERM (the benchmark stops it so), so exit hooks such as --cpu-prof run.
process.on("SIGTERM", () => process.exit(0));
