import type { SubgraphTool } from "@agentry/protocol";

/** What the playground needs of a tool (plain JSON, passed from the server page to the client island). */
export interface PlaygroundTool {
  name: string;
  description: string | null;
  /** The parsed input JSON Schema; null when absent or not JSON. */
  schema: unknown;
}

export function toPlaygroundTools(tools: readonly SubgraphTool[]): PlaygroundTool[] {
  return tools.map((tool) => {
    let schema: unknown = null;
    try {
      schema = tool.inputSchema ? (JSON.parse(tool.inputSchema) as unknown) : null;
    } catch {
      schema = null;
    }
    return { name: tool.name, description: tool.description, schema };
  });
}
