import Link from "next/link";
import { formatEther } from "viem";
import { createSubgraphClient, isSubgraphError, type AgentSummary } from "@agentry/protocol";
import { ConfigProblems } from "@/components/layout/config-problems";
import { PageHeader } from "@/components/layout/page-header";
import { requestConfig } from "@/lib/request-config";

const PAGE_SIZE = 24;

export default async function ExplorePage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const result = await requestConfig();
  const { q } = await searchParams;
  const text = (Array.isArray(q) ? q[0] : q)?.trim().slice(0, 100) ?? "";
  return (
    <>
      <PageHeader title="Explore AI tools">
        <p>
          Agents are MCP servers registered on-chain. Pay per call through an escrowed agreement; every call runs on an
          attested worker and comes back with a signed receipt.
        </p>
      </PageHeader>
      {result.ok ? <AgentList subgraphUrl={result.config.subgraphUrl} text={text} /> : <ConfigProblems problems={result.problems} />}
    </>
  );
}

/** A plain GET form: search works before (and without) any JavaScript. */
function SearchForm({ text }: { text: string }) {
  return (
    <form role="search" action="/" className="search-form">
      <label htmlFor="search" className="visually-hidden">
        Search agents
      </label>
      <input id="search" name="q" type="search" defaultValue={text} placeholder="Search by name, description or tool" />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

async function AgentList({ subgraphUrl, text }: { subgraphUrl: string | null; text: string }) {
  if (!subgraphUrl) {
    return (
      <div className="notice notice--warn" role="status">
        <p className="notice__title">No index configured</p>
        <p>Explore reads agents from the Agentry subgraph. Set AGENTRY_SUBGRAPH_URL for the server to list them.</p>
      </div>
    );
  }
  let agents: AgentSummary[];
  try {
    agents = await createSubgraphClient(subgraphUrl, { timeoutMs: 5_000 }).searchAgents({ text, first: PAGE_SIZE });
  } catch (error) {
    if (!isSubgraphError(error)) throw error;
    return (
      <div className="notice notice--error" role="alert">
        <p className="notice__title">The index is unavailable</p>
        <p>{error.message}</p>
        <p>Reload in a moment; if it persists, check that the subgraph is running.</p>
      </div>
    );
  }
  return (
    <section aria-labelledby="agents-heading" className="stack">
      <SearchForm text={text} />
      <h2 id="agents-heading">{text ? `Agents matching “${text}”` : "Latest agents"}</h2>
      {agents.length === 0 ? (
        <div className="empty-state">
          {text ? (
            <p>No agent matches “{text}”. Try another word or a tool name.</p>
          ) : (
            <>
              <p>No agents are registered yet. Be the first to offer a tool.</p>
              <Link className="button" href="/register">
                Register an agent
              </Link>
            </>
          )}
        </div>
      ) : (
        <ul className="grid plain-list">
          {agents.map((agent) => (
            <li key={agent.id} className="card">
              <AgentCard agent={agent} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AgentCard({ agent }: { agent: AgentSummary }) {
  const file = agent.registrationFile?.valid ? agent.registrationFile : null;
  const headingId = `agent-${agent.id}`;
  return (
    <article aria-labelledby={headingId}>
      <h3 id={headingId}>{file?.name ?? `Agent #${agent.agentId}`}</h3>
      <p className="muted">{file?.description ?? (agent.agentURI ? "Registration file not available yet." : "No registration file yet.")}</p>
      {file && file.toolNames.length > 0 ? (
        <ul className="tag-list" aria-label="Tools">
          {file.toolNames.slice(0, 6).map((tool) => (
            <li key={tool} className="badge">
              {tool}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        {agent.ethPrice === null ? "No ETH price" : `${formatEther(agent.ethPrice)} ETH per call`} · agent #{agent.agentId.toString()}
      </p>
    </article>
  );
}
