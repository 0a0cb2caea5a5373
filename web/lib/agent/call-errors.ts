/**
 * What the playground tells a client whose paid call no worker ran: the broker's NO_WORKER when
 * every eligible worker it tried failed before answering (down, unreachable), or none may serve the
 * agent. The voucher was not consumed, so the same call index is still the client's to use. Read
 * by shape, not by class: the protocol library loads only with the first call.
 */

/** The plain-language message for a call no worker ran; null for any other failure. */
export function workerUnavailableMessage(error: unknown, callIndex: number): string | null {
  if (!(error instanceof Error) || !("code" in error) || error.code !== "NO_WORKER") return null;
  const details = ("details" in error ? error.details : undefined) as { failures?: unknown } | undefined;
  const failures = Array.isArray(details?.failures) ? details.failures.map(String) : [];
  // A worker that answered with a bad receipt did run the call: not a call that "did not run".
  if (failures.some((failure) => failure.includes("bad receipt"))) return null;
  const why =
    failures.length > 0
      ? failures.length === 1
        ? "its worker did not answer"
        : `none of its ${failures.length} workers answered`
      : /^no eligible worker serves/.test(error.message)
        ? "none may serve it now"
        : null;
  if (why === null) return null;
  return `No worker of this agent could run the call: ${why}. Nothing was charged, and call #${callIndex} is still unused: try again in a moment. Your unspent deposit stays in escrow for you.`;
}
