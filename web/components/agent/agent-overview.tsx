import { formatEther, formatUnits, zeroAddress } from "viem";
import type { AgentDetail } from "@agentry/protocol";
import { formatReputation } from "@/lib/explore/agent-trust";

/** Registration file fields, on-chain prices and reputation (server-rendered). */
export function AgentOverview({ agent }: { agent: AgentDetail }) {
  const file = agent.registrationFile;
  const reputation = formatReputation(agent.reputation);
  return (
    <section aria-labelledby="overview-heading" className="card">
      <h2 id="overview-heading">Overview</h2>
      <dl className="definition-list">
        <dt>Agent id</dt>
        <dd>#{agent.agentId.toString()}</dd>
        <dt>Price per call</dt>
        <dd>
          {agent.prices.length === 0
            ? "No price set: agreements cannot be opened yet."
            : agent.prices.map((p) => (
                <span key={p.token} className="block">
                  {p.token === zeroAddress ? `${formatEther(p.price)} ETH` : `${formatUnits(p.price, 0)} units of token `}
                  {p.token === zeroAddress ? null : <code className="address">{p.token}</code>}
                </span>
              ))}
        </dd>
        <dt>Reputation</dt>
        <dd>{reputation ?? "No feedback yet"}</dd>
        <dt>Owner</dt>
        <dd>
          <code className="address">{agent.owner.id}</code>
        </dd>
        {agent.wallet ? (
          <>
            <dt>Payment wallet</dt>
            <dd>
              <code className="address">{agent.wallet}</code>
            </dd>
          </>
        ) : null}
        <dt>Registration file</dt>
        <dd>
          <code className="address">{agent.agentURI || "none"}</code>
          {file && !file.valid ? <span className="field__error"> Invalid: {file.error ?? "unknown reason"}</span> : null}
        </dd>
        {file?.mcpEndpoint ? (
          <>
            <dt>MCP endpoint</dt>
            <dd>
              <code className="address">{file.mcpEndpoint}</code>
              {file.mcpVersion ? <span className="muted"> (MCP {file.mcpVersion})</span> : null}
            </dd>
          </>
        ) : null}
        {file && file.services.length > 0 ? (
          <>
            <dt>Services</dt>
            <dd>
              <ul className="plain-list">
                {file.services.map((s) => (
                  <li key={`${s.name}-${s.endpoint}`}>
                    {s.name}: <code className="address">{s.endpoint}</code>
                    {s.version ? <span className="muted"> ({s.version})</span> : null}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        <dt>Trust models</dt>
        <dd>{file && file.supportedTrust.length > 0 ? file.supportedTrust.join(", ") : "none declared"}</dd>
        {file && file.tags.length > 0 ? (
          <>
            <dt>Tags</dt>
            <dd>
              <ul className="tag-list" aria-label="Tags">
                {file.tags.map((tag) => (
                  <li key={tag} className="badge">
                    <a href={`/?tag=${encodeURIComponent(tag)}`}>{tag}</a>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
