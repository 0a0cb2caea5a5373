/**
 * Fronted MCP servers: existing servers (stdio command or Streamable HTTP URL) whose tools the
 * worker serves as its own, adding metering, verification and receipts. A server that dies is
 * reconnected on the next call that needs it.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { AgentryRpcError } from "@agentry/protocol/core";
import type { Logger } from "./log.ts";
import { ToolRunError, type ToolResult } from "./tool-runner.ts";

export type UpstreamSpec = { kind: "stdio"; command: string } | { kind: "http"; url: string };

/** Splits a command line into words, honouring single and double quotes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) words.push(m[1]?.replace(/\\(.)/g, "$1") ?? m[2] ?? m[3]!);
  return words;
}

class Upstream {
  private client: Client | null = null;
  tools: Tool[] = [];
  readonly spec: UpstreamSpec;
  private readonly log: Logger;

  constructor(spec: UpstreamSpec, log: Logger) {
    this.spec = spec;
    this.log = log;
  }

  get label(): string {
    return this.spec.kind === "stdio" ? `stdio:${this.spec.command}` : this.spec.url;
  }

  async connect(): Promise<Client> {
    if (this.client) return this.client;
    // The MCP client (and its transports' dependencies) loads only on a worker that fronts a
    // server: a worker with built-in tools alone does not carry its code (a few megabytes).
    const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }] = await Promise.all([
      import("@modelcontextprotocol/sdk/client/index.js"),
      import("@modelcontextprotocol/sdk/client/stdio.js"),
      import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    ]);
    const client = new Client({ name: "agentry-worker", version: "0.1.0" });
    const transport =
      this.spec.kind === "stdio"
        ? (() => {
            const [command, ...args] = splitCommand(this.spec.command);
            if (!command) throw new Error("empty upstream command");
            return new StdioClientTransport({ command, args, stderr: "pipe" });
          })()
        : new StreamableHTTPClientTransport(new URL(this.spec.url));
    client.onclose = () => {
      if (this.client === client) this.client = null;
      this.log.warn("fronted MCP server disconnected", { upstream: this.label });
    };
    await client.connect(transport);
    this.client = client;
    this.tools = (await client.listTools()).tools;
    return client;
  }

  async call(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<ToolResult> {
    let client: Client;
    try {
      client = await this.connect();
    } catch (error) {
      throw new ToolRunError(AgentryRpcError.UPSTREAM_FAILED, `the fronted MCP server ${this.label} is unreachable: ${(error as Error).message}`);
    }
    try {
      return (await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs })) as ToolResult;
    } catch (error) {
      const message = (error as Error).message;
      if (/timed out|timeout/i.test(message)) {
        throw new ToolRunError(AgentryRpcError.TOOL_TIMEOUT, `tool ${name} exceeded the ${timeoutMs} ms time limit`);
      }
      throw new ToolRunError(AgentryRpcError.UPSTREAM_FAILED, `the fronted MCP server ${this.label} failed: ${message}`);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.close().catch(() => undefined);
  }
}

export class UpstreamSet {
  private readonly upstreams: Upstream[];
  private readonly byTool = new Map<string, Upstream>();
  private readonly log: Logger;

  constructor(specs: UpstreamSpec[], log: Logger) {
    this.log = log;
    this.upstreams = specs.map((s) => new Upstream(s, log));
  }

  /** Connects to every server and learns its tools; names already taken are skipped with a warning. */
  async start(taken: ReadonlySet<string>): Promise<void> {
    for (const u of this.upstreams) {
      await u.connect();
      for (const tool of u.tools) {
        if (taken.has(tool.name) || this.byTool.has(tool.name)) {
          this.log.warn("tool name already served; skipping the fronted one", { tool: tool.name, upstream: u.label });
          continue;
        }
        this.byTool.set(tool.name, u);
      }
      this.log.info("fronting MCP server", { upstream: u.label, tools: u.tools.map((t) => t.name) });
    }
  }

  tools(): Tool[] {
    return [...this.byTool.entries()].map(([name, u]) => u.tools.find((t) => t.name === name)!);
  }

  has(name: string): boolean {
    return this.byTool.has(name);
  }

  call(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<ToolResult> {
    return this.byTool.get(name)!.call(name, args, timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.upstreams.map((u) => u.close()));
  }
}
