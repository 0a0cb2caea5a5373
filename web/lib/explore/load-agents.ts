import { createSubgraphClient, type AgentDetail, type AgentSummary } from "@agentry/protocol";
import type { ExploreQuery } from "./explore-query.ts";

const PAGE_SIZE = 24;

export interface ExploreAgent {
  summary: AgentSummary;
  /** Null when the detail query failed for this one agent (the card still shows the summary). */
  detail: AgentDetail | null;
}

/**
 * The agents for Explore: the search runs in the subgraph (text, tag, price, order); the details
 * (workers, reputation) come per agent in parallel, since a search result carries neither. The trust
 * filter runs here: the protocol search has no trust criterion.
 * Throws SubgraphError when the search itself fails.
 */
export async function loadExploreAgents(subgraphUrl: string, query: ExploreQuery): Promise<ExploreAgent[]> {
  const client = createSubgraphClient(subgraphUrl, { timeoutMs: 5_000 });
  const summaries = await client.searchAgents({
    text: query.text,
    tag: query.tag || undefined,
    maxPrice: query.maxPriceWei,
    orderBy: query.order,
    first: PAGE_SIZE,
  });
  const matching = query.trust ? summaries.filter((agent) => agent.registrationFile?.supportedTrust.includes(query.trust)) : summaries;
  return Promise.all(
    matching.map(async (summary) => {
      try {
        return { summary, detail: await client.agent(summary.agentId) };
      } catch (error) {
        // One agent's trust data missing should not hide the list: its card says "Trust unknown".
        console.warn(`Explore: no detail for agent ${summary.agentId}: ${error instanceof Error ? error.message : String(error)}`);
        return { summary, detail: null };
      }
    }),
  );
}
