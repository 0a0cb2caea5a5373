export default function Loading() {
  return (
    <div role="status" className="muted">
      <span className="spinner" aria-hidden="true" /> Loading the agent…
    </div>
  );
}
