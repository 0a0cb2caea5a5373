import Link from "next/link";
import { Suspense } from "react";
import { isSubgraphError } from "@agentry/protocol";
import { AgentCard } from "@/components/explore/agent-card";
import { ExploreFilters } from "@/components/explore/explore-filters";
import { ConfigProblems } from "@/components/layout/config-problems";
import { PageHeader } from "@/components/layout/page-header";
import { NoSubgraphNotice, SubgraphUnavailableNotice } from "@/components/layout/subgraph-notices";
import { isFiltered, parseExploreQuery, type ExploreQuery } from "@/lib/explore/explore-query";
import { loadExploreAgents, type ExploreAgent } from "@/lib/explore/load-agents";
import { requestConfig } from "@/lib/request-config";

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ExplorePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const result = await requestConfig();
  const query = parseExploreQuery(await searchParams);
  return (
    <>
      <PageHeader title="Explore AI tools">
        <p>
          Agents are MCP servers registered on-chain. Pay per call through an escrowed agreement; every call runs on an
          attested worker and comes back with a signed receipt.
        </p>
      </PageHeader>
      {result.ok ? (
        <section aria-labelledby="agents-heading" className="stack">
          <ExploreFilters query={query} />
          {query.problems.length > 0 ? (
            <div className="notice notice--warn" role="status">
              {query.problems.map((problem) => (
                <p key={problem}>{problem}</p>
              ))}
            </div>
          ) : null}
          <h2 id="agents-heading">{isFiltered(query) ? "Matching agents" : "Agents"}</h2>
          {/* Keyed by the query so a new search shows the loading state instead of stale cards. */}
          <Suspense key={JSON.stringify({ ...query, maxPriceWei: query.maxPriceEth })} fallback={<LoadingAgents />}>
            <AgentList subgraphUrl={result.config.subgraphUrl} query={query} />
          </Suspense>
        </section>
      ) : (
        <ConfigProblems problems={result.problems} />
      )}
    </>
  );
}

function LoadingAgents() {
  return (
    <div role="status" className="muted">
      <span className="spinner" aria-hidden="true" /> Loading agents…
    </div>
  );
}

async function AgentList({ subgraphUrl, query }: { subgraphUrl: string | null; query: ExploreQuery }) {
  if (!subgraphUrl) {
    return <NoSubgraphNotice reader="Explore reads agents" />;
  }
  let agents: ExploreAgent[];
  try {
    agents = await loadExploreAgents(subgraphUrl, query);
  } catch (error) {
    if (!isSubgraphError(error)) throw error;
    return <SubgraphUnavailableNotice error={error} />;
  }
  if (agents.length === 0) {
    return (
      <div className="empty-state">
        {isFiltered(query) ? (
          <>
            <p>No agent matches these filters. Try another word, a wider price or another trust level.</p>
            <Link className="button button--secondary" href="/">
              Show all agents
            </Link>
          </>
        ) : (
          <>
            <p>No agents are registered yet. Be the first to offer a tool.</p>
            <Link className="button" href="/register">
              Register an agent
            </Link>
          </>
        )}
      </div>
    );
  }
  return (
    <ul className="grid plain-list" aria-labelledby="agents-heading">
      {agents.map((agent) => (
        <li key={agent.summary.id} className="card">
          <AgentCard agent={agent} />
        </li>
      ))}
    </ul>
  );
}
