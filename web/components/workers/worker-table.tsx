"use client";
import { formatTimestamp } from "@/lib/registered-workers";
import { useRegisteredWorkers } from "./use-registered-workers";
import { ValidationBadge } from "./validation-badge";

/** Every registered worker with its validation: by whom, until when, for which measurement. */
export function WorkerTable() {
  const { state } = useRegisteredWorkers();
  if (state.status === "loading") {
    return (
      <p className="card" role="status">
        <span className="spinner" aria-hidden="true" /> Reading the registered workers…
      </p>
    );
  }
  if (state.status === "failed") return <p className="notice notice--error" role="alert">{state.message}</p>;
  if (state.workers.length === 0) {
    return (
      <div className="empty-state">
        <h2>No workers registered yet</h2>
        <p>Register the first one with the guide below.</p>
      </div>
    );
  }
  return (
    <div className="table-wrap">
      <table data-testid="worker-table">
        <caption className="visually-hidden">Registered workers</caption>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">TEE</th>
            <th scope="col">Validation</th>
            <th scope="col">Validated by</th>
            <th scope="col">Measurement</th>
            <th scope="col">Evidence expires</th>
            <th scope="col">Endpoint</th>
          </tr>
        </thead>
        <tbody>
          {state.workers.map((worker) => (
            <tr key={worker.address} data-testid={`worker-${worker.address}`}>
              <td>
                <span className="address">{worker.address}</span>
                <br />
                <span className="muted">operator <span className="address">{worker.operator}</span></span>
              </td>
              <td>{worker.teeType}</td>
              <td>
                <ValidationBadge worker={worker} nowSeconds={state.nowSeconds} />
              </td>
              <td>{worker.validation ? <span className="address">{worker.validation.validator}</span> : "—"}</td>
              <td>
                <span className="address">{worker.measurement}</span>
              </td>
              <td>{formatTimestamp(worker.expiresAt)}</td>
              <td className="mono">{worker.endpoint}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
