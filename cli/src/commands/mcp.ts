/**
 * `agentry mcp`: a stdio MCP server for one agreement. MCP clients (Claude Desktop, the MCP
 * Inspector…) see the agent's tools; each tools/call is paid with a voucher signed here with the
 * session key and forwarded through the broker, and the result comes back with the worker's
 * receipt in `_meta["agentry/receipt"]`. stdout carries only MCP; progress goes to stderr.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, CallToolResultSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { encodeReceipt, RECEIPT_META_KEY } from "@agentry/protocol";
import { COMMON_HELP, parseCommand } from "../config.ts";
import { openPayer } from "../context.ts";
import { agentTools } from "../directory.ts";
import { CliError, progress } from "../output.ts";

export const summary = "serve an agreement's tools to any MCP client over stdio, paying per call";

export const help = `agentry mcp --agreement <id> --key <session key file>

A stdio MCP server exposing the tools of the agreement's agent. Every tools/call signs the next
voucher with the session key and goes through the broker; results carry the worker's receipt in
_meta["agentry/receipt"], and receipts are kept in the state directory.

In an MCP client's configuration (e.g. Claude Desktop's claude_desktop_config.json):
  { "mcpServers": { "agentry": {
      "command": "<repository>/node_modules/.bin/node",
      "args": ["<repository>/cli/src/main.ts", "mcp", "--agreement", "7", "--key", "/home/me/.agentry/keys/session.key"],
      "env": { "AGENTRY_RPC_URL": "…", "AGENTRY_BROKER_URL": "…", "AGENTRY_SUBGRAPH_URL": "…" } } } }

${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values, config } = parseCommand("mcp", argv, { agreement: { type: "string" }, key: { type: "string" } });
  const { payer, directory } = await openPayer("mcp", values, config);
  const agreementId = payer.agreement.id;
  const agentId = payer.agreement.agentId;
  const tools = await agentTools(directory, agentId);
  progress(`agreement ${agreementId} with agent ${agentId}: ${tools.length} tool(s); serving MCP on stdio`);

  const server = new Server({ name: `agentry-agent-${agentId}`, version: "0.1.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const name = request.params.name;
    if (!tools.some((t) => t.name === name)) throw new McpError(ErrorCode.InvalidParams, `agent ${agentId} has no tool named ${name}`);
    try {
      const outcome = await payer.call(name, request.params.arguments ?? {});
      progress(`call ${outcome.calls}: ${name} served by ${outcome.worker.address}`);
      // The result is passed on as the worker produced it (the receipt's resultHash covers it), once
      // it is checked to be a CallToolResult an MCP client can read.
      return CallToolResultSchema.parse({ ...outcome.result, _meta: { [RECEIPT_META_KEY]: encodeReceipt(outcome.receipt) } });
    } catch (error) {
      // A refused or failed call is a tool error the model can read, with what to do about it.
      const hint = error instanceof CliError ? ` (${error.hint})` : "";
      progress(`call of ${name} failed: ${(error as Error).message}${hint}`);
      return { isError: true, content: [{ type: "text", text: `Agentry: ${(error as Error).message}${hint}` }] };
    }
  });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
}
