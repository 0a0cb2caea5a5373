import Link from "next/link";
import { formatEther } from "viem";
import { ATTESTATION_LABELS, attestationStatus, formatReputation } from "@/lib/explore/agent-trust";
import type { ExploreAgent } from "@/lib/explore/load-agents";

export function AgentCard({ agent: { summary: agent, detail } }: { agent: ExploreAgent }) {
  const file = agent.registrationFile?.valid ? agent.registrationFile : null;
  const headingId = `agent-${agent.id}`;
  const badge = detail ? ATTESTATION_LABELS[attestationStatus(detail.workers)] : null;
  const reputation = detail ? formatReputation(detail.reputation) : null;
  return (
    <article aria-labelledby={headingId} className="agent-card">
      <h3 id={headingId}>
        <Link href={`/agents/${agent.agentId.toString()}`}>{file?.name ?? `Agent #${agent.agentId}`}</Link>
      </h3>
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
      <p className="agent-card__facts">
        <strong>{agent.ethPrice === null ? "No ETH price" : `${formatEther(agent.ethPrice)} ETH per call`}</strong>
        {badge ? (
          <span className={badge.className} title={badge.title}>
            {badge.text}
          </span>
        ) : (
          <span className="badge">Trust unknown</span>
        )}
      </p>
      <p className="muted">
        {reputation ?? "No reviews yet"} · agent #{agent.agentId.toString()}
      </p>
    </article>
  );
}
