"use client";
import { workerRegistryAbi } from "@agentry/protocol/abis";
import { useEffect, useState } from "react";
import type { PublicClient } from "viem";
import { TransactionStatus } from "@/components/tx/transaction-status";
import { useTransaction } from "@/components/tx/use-transaction";
import { usePublicConfig } from "@/components/wallet/public-config";
import { useRegisteredWorkers } from "@/components/workers/use-registered-workers";
import { ValidationBadge } from "@/components/workers/validation-badge";
import type { RegisteredWorker } from "@/lib/registered-workers";

/** One worker: approve it for the agent and pin its measurement, each a transaction of its own. */
function WorkerRow({ worker, nowSeconds, agentId, client }: { worker: RegisteredWorker; nowSeconds: bigint; agentId: bigint; client: PublicClient }) {
  const { contracts } = usePublicConfig();
  const registry = contracts.WorkerRegistry.address;
  const approval = useTransaction();
  const pin = useTransaction();
  const [onChain, setOnChain] = useState<{ approved: boolean; pinned: boolean } | null>(null);
  const confirmations = `${approval.state.status}/${pin.state.status}`;

  useEffect(() => {
    void Promise.all([
      client.readContract({ address: registry, abi: workerRegistryAbi, functionName: "isWorkerApproved", args: [agentId, worker.address] }),
      client.readContract({ address: registry, abi: workerRegistryAbi, functionName: "isMeasurementPinned", args: [agentId, worker.measurement] }),
    ]).then(([approved, pinned]) => setOnChain({ approved, pinned }));
  }, [client, registry, agentId, worker.address, worker.measurement, confirmations]);

  return (
    <li className="card" data-testid={`worker-${worker.address}`}>
      <p>
        <span className="address">{worker.address}</span> <span className="badge">{worker.teeType}</span>{" "}
        <ValidationBadge worker={worker} nowSeconds={nowSeconds} />
      </p>
      <p className="muted">
        Endpoint {worker.endpoint} · measurement <span className="address">{worker.measurement}</span>
      </p>
      <div className="actions">
        <button
          type="button"
          className="button button--small"
          disabled={approval.busy || onChain?.approved !== false}
          onClick={() => approval.send({ address: registry, abi: workerRegistryAbi, functionName: "setWorkerApproval", args: [agentId, worker.address, true] })}
        >
          {onChain?.approved ? "Approved" : "Approve worker"}
        </button>
        <button
          type="button"
          className="button button--small button--secondary"
          disabled={pin.busy || onChain?.pinned !== false}
          onClick={() => pin.send({ address: registry, abi: workerRegistryAbi, functionName: "setMeasurementPinned", args: [agentId, worker.measurement, true] })}
        >
          {onChain?.pinned ? "Measurement pinned" : "Pin measurement"}
        </button>
      </div>
      <TransactionStatus state={approval.state} label="Approve worker" />
      <TransactionStatus state={pin.state} label="Pin measurement" />
    </li>
  );
}

/**
 * Step 5: which workers may serve the agent. A call runs only on a worker the agent approved whose
 * validated measurement the agent pinned (WorkerRegistry.isEligible).
 */
export function WorkersStep({ agentId, onDone }: { agentId: bigint; onDone: () => void }) {
  const { state, client } = useRegisteredWorkers();
  return (
    <div className="stack">
      <p className="muted">
        Approve the workers you trust to run your tools and pin the measurement (the TEE code identity) you accept. Operators
        register workers with <code>npm run worker -- register</code>; see <a href="/workers">Workers</a>.
      </p>
      {state.status === "loading" ? (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Reading the registered workers…
        </p>
      ) : state.status === "failed" ? (
        <p className="notice notice--error" role="alert">{state.message}</p>
      ) : state.workers.length === 0 ? (
        <p className="empty-state">No worker is registered yet. You can finish now and approve workers later.</p>
      ) : client ? (
        <ul className="plain-list stack">
          {state.workers.map((worker) => (
            <WorkerRow key={worker.address} worker={worker} nowSeconds={state.nowSeconds} agentId={agentId} client={client} />
          ))}
        </ul>
      ) : null}
      <button type="button" className="button" onClick={onDone}>
        Finish
      </button>
    </div>
  );
}
