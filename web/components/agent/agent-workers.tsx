import type { WorkerWithEligibility } from "@agentry/protocol";
import { AttestationCheck } from "./attestation-check";

const dateTime = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";

/** Workers the agent approves, from the subgraph; each one's evidence is verified again in the browser. */
export function AgentWorkers({ workers }: { workers: WorkerWithEligibility[] }) {
  return (
    <section aria-labelledby="workers-heading" className="card">
      <h2 id="workers-heading">Workers</h2>
      {workers.length === 0 ? (
        <p className="muted">The agent approves no worker: calls cannot be served yet.</p>
      ) : (
        <ul className="plain-list stack">
          {workers.map((worker) => (
            <li key={worker.id} aria-label={`Worker ${worker.id}`} className="worker">
              <dl className="definition-list">
                <dt>Worker key</dt>
                <dd>
                  <code className="address">{worker.id}</code>
                </dd>
                <dt>TEE</dt>
                <dd>{worker.teeType === "DEV" ? "DEV (development, no hardware attestation)" : worker.teeType}</dd>
                <dt>Measurement</dt>
                <dd>
                  <code className="address">{worker.measurement}</code>
                </dd>
                <dt>Validator</dt>
                <dd>
                  {worker.validation ? (
                    <>
                      <code className="address">{worker.validation.validator.id}</code>
                      {worker.validation.revoked ? " (revoked)" : ` until ${dateTime(worker.validation.expiresAt)}`}
                    </>
                  ) : (
                    "not validated"
                  )}
                </dd>
                <dt>Evidence expires</dt>
                <dd>{dateTime(worker.expiresAt)}</dd>
                <dt>May serve now</dt>
                <dd>
                  {worker.eligible ? <span className="badge badge--ok">Eligible</span> : <span className="badge badge--warn">Not eligible: {worker.reason}</span>}
                </dd>
                <dt>Attestation</dt>
                <dd>
                  <AttestationCheck worker={worker.id} evidenceUri={worker.evidenceURI} measurement={worker.measurement} />
                </dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
