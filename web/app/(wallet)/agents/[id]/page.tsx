import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { createSubgraphClient, isSubgraphError, type AgentDetail } from "@agentry/protocol";
import { AgentOverview } from "@/components/agent/agent-overview";
import { AgentTools } from "@/components/agent/agent-tools";
import { AgentWorkers } from "@/components/agent/agent-workers";
import { AgentClientPanel } from "@/components/agent/agent-client-panel";
import { ConfigProblems } from "@/components/layout/config-problems";
import { PageHeader } from "@/components/layout/page-header";
import { NoSubgraphNotice, SubgraphUnavailableNotice } from "@/components/layout/subgraph-notices";
import { requestConfig } from "@/lib/request-config";
import { toPlaygroundTools } from "@/lib/agent/playground-tools";

type Params = Promise<{ id: string }>;

/** Agent ids are uint256 in decimal; anything else is not an agent. */
function parseAgentId(text: string): bigint | null {
  return /^\d{1,78}$/.test(text) ? BigInt(text) : null;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Agent #${id}` };
}

/**
 * An agent's page: everything the subgraph knows, rendered on the server; the client islands
 * (attestation checked in the browser, opening an agreement, the playground) load with the
 * wallet stack of the (wallet) route group.
 */
export default async function AgentPage({ params }: { params: Params }) {
  const { id } = await params;
  const agentId = parseAgentId(id);
  if (agentId === null) notFound();
  const result = await requestConfig();
  if (!result.ok) return <ConfigProblems problems={result.problems} />;
  const { subgraphUrl } = result.config;
  if (!subgraphUrl) {
    return <NoSubgraphNotice reader="Agent pages read agents" />;
  }
  let agent: AgentDetail | null;
  try {
    agent = await createSubgraphClient(subgraphUrl, { timeoutMs: 5_000 }).agent(agentId);
  } catch (error) {
    if (!isSubgraphError(error)) throw error;
    return <SubgraphUnavailableNotice error={error} />;
  }
  if (!agent) notFound();
  const file = agent.registrationFile?.valid ? agent.registrationFile : null;
  return (
    <>
      <PageHeader title={file?.name ?? `Agent #${agent.agentId}`}>
        <p>{file?.description ?? "This agent has no valid registration file yet."}</p>
      </PageHeader>
      <div className="stack">
        <AgentOverview agent={agent} />
        <AgentTools tools={agent.tools} />
        <AgentWorkers workers={agent.workers} />
        <AgentClientPanel
          agentId={agent.agentId}
          ethPrice={agent.ethPrice}
          tools={toPlaygroundTools(agent.tools)}
          workers={agent.workers.filter((w) => w.eligible).map((w) => w.id)}
        />
      </div>
    </>
  );
}
