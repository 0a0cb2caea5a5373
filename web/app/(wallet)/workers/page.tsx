import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { WorkerTable } from "@/components/workers/worker-table";

export const metadata: Metadata = { title: "Workers" };

export default function WorkersPage() {
  return (
    <>
      <PageHeader title="Workers">
        <p>Worker nodes run the tools inside a TEE and sign a receipt for every call. Agents approve the workers they trust.</p>
      </PageHeader>
      <div className="stack">
        <WorkerTable />
        <section className="card" aria-labelledby="register-worker-heading">
          <h2 id="register-worker-heading">Register a worker</h2>
          <p className="muted">
            A worker&apos;s key must live inside its TEE, so it is created by the worker node, never in a browser. From a
            checkout of this repository, on the machine that runs the worker:
          </p>
          <ol>
            <li>
              Start the node and register it with your operator key:{" "}
              <code>npm run worker -- register</code> (<code>npm run worker -- --help</code> lists the options: endpoint, TEE
              type, operator key).
            </li>
            <li>The node publishes its attestation evidence, signs its consent and sends WorkerRegistry.registerWorker.</li>
            <li>A validator checks the evidence and records its validation; the worker then shows as validated here.</li>
            <li>Agent owners approve the worker and pin its measurement (step 5 of Register an agent).</li>
          </ol>
          <p className="muted">docs/OPERATIONS.md describes running a worker in production.</p>
        </section>
      </div>
    </>
  );
}
