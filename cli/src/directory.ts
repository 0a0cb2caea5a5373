/**
 * What the CLI needs to know about an agent beyond the chain: its tools and its workers. The
 * subgraph answers first; when it is not configured or cannot answer, the chain does (the workers
 * the agent approved, from WorkerRegistry logs) and the tools come from one of those workers'
 * `tools/list`, which MCP keeps free and open.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Address } from "viem";
import { isSubgraphError, type SubgraphClient } from "@agentry/protocol";
import { approvedWorkersFromLogs, type Chain } from "./chain.ts";
import { CliError, progress } from "./output.ts";

export interface AgentTool {
  name: string;
  description?: string;
  inputSchema: { type: "object"; [key: string]: unknown };
}

export interface WorkerEndpoint {
  address: Address;
  endpoint: string;
}

export interface Directory {
  chain: Chain;
  subgraph?: SubgraphClient;
}

function parseInputSchema(text: string | null, tool: string): AgentTool["inputSchema"] {
  if (!text) return { type: "object" };
  try {
    const schema = JSON.parse(text) as unknown;
    if (typeof schema === "object" && schema !== null && (schema as { type?: unknown }).type === "object") return schema as AgentTool["inputSchema"];
  } catch {
    // fall through: an unusable schema is replaced by the most permissive one
  }
  progress(`tool ${tool}: its inputSchema is not a JSON Schema object; accepting any arguments`);
  return { type: "object" };
}

/** Runs `read` against the subgraph; undefined (with a progress line) when it cannot answer. */
async function fromSubgraph<T>(directory: Directory, read: (s: SubgraphClient) => Promise<T>): Promise<T | undefined> {
  if (!directory.subgraph) return undefined;
  try {
    return await read(directory.subgraph);
  } catch (error) {
    if (!isSubgraphError(error)) throw error;
    progress(`subgraph ${error.kind}: ${error.message}; reading the chain instead`);
    return undefined;
  }
}

/** The agent's approved workers (eligible now or not: their receipts still count). */
export async function agentWorkers(directory: Directory, agentId: bigint): Promise<WorkerEndpoint[]> {
  const indexed = await fromSubgraph(directory, (s) => s.workersForAgent(agentId));
  if (indexed) return indexed.filter((w) => !w.retired).map((w) => ({ address: w.id, endpoint: w.endpoint }));
  return (await approvedWorkersFromLogs(directory.chain, agentId)).filter((w) => !w.retired);
}

/** The agent's tools, as its registration file lists them (or as its workers serve them). */
export async function agentTools(directory: Directory, agentId: bigint): Promise<AgentTool[]> {
  const agent = await fromSubgraph(directory, (s) => s.agent(agentId));
  if (agent && agent.tools.length > 0) {
    return agent.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: parseInputSchema(t.inputSchema, t.name) }));
  }
  const workers = await approvedWorkersFromLogs(directory.chain, agentId);
  for (const worker of workers.filter((w) => !w.retired)) {
    try {
      return await listWorkerTools(worker.endpoint);
    } catch (error) {
      progress(`worker ${worker.endpoint} did not list its tools (${(error as Error).message})`);
    }
  }
  throw new CliError(
    `no tools found for agent ${agentId}: the subgraph has no registration file for it and none of its ${workers.length} approved workers answered tools/list`,
    "check the agent id, --subgraph / AGENTRY_SUBGRAPH_URL, and that the agent has approved a running worker",
  );
}

async function listWorkerTools(endpoint: string): Promise<AgentTool[]> {
  const client = new Client({ name: "agentry-cli", version: "0.1.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
  try {
    const { tools } = await client.listTools(undefined, { timeout: 10_000 });
    return tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: t.inputSchema }));
  } finally {
    await client.close();
  }
}
