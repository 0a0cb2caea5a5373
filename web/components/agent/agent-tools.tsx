import { formatEther, zeroAddress } from "viem";
import type { SubgraphTool } from "@agentry/protocol";

function prettySchema(text: string | null): string {
  if (!text) return "No input schema.";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The registration file's tools with their input JSON Schemas and advertised prices (server-rendered). */
export function AgentTools({ tools }: { tools: SubgraphTool[] }) {
  return (
    <section aria-labelledby="tools-heading" className="card">
      <h2 id="tools-heading">Tools</h2>
      {tools.length === 0 ? (
        <p className="muted">The registration file lists no tools.</p>
      ) : (
        <ul className="plain-list stack">
          {tools.map((tool) => (
            <li key={tool.id}>
              <h3 className="mono">{tool.name}</h3>
              {tool.description ? <p>{tool.description}</p> : null}
              <p className="muted">
                Advertised price:{" "}
                {tool.price === null
                  ? "not given"
                  : tool.token === null || tool.token === zeroAddress
                    ? `${formatEther(tool.price)} ETH`
                    : `${tool.price.toString()} (token ${tool.token})`}
                {tool.tags.length > 0 ? ` · tags: ${tool.tags.join(", ")}` : null}
              </p>
              <details>
                <summary>Input schema</summary>
                <pre className="code-block">
                  <code>{prettySchema(tool.inputSchema)}</code>
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
