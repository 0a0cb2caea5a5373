/**
 * JSON-RPC error codes a worker returns for `tools/call` (in the implementation-defined range).
 * `error.data.reason` repeats the symbolic name; `error.data` may carry details such as
 * `expectedCalls`. None of these calls is charged: the voucher is not consumed.
 */
export const AgentryRpcError = {
  /** No voucher in params._meta["agentry/voucher"]. */
  VOUCHER_MISSING: -32040,
  /** The voucher does not parse (a field is missing or malformed). */
  VOUCHER_MALFORMED: -32041,
  /** The signature is invalid or not by the client or its session key. */
  VOUCHER_SIGNATURE: -32042,
  /** `calls` is not the agreement's next call index (data.expectedCalls says which is). */
  WRONG_CALL_INDEX: -32043,
  /** `amount` is not calls × price. */
  WRONG_AMOUNT: -32044,
  /** The voucher's requestHash does not match this tool name and these arguments. */
  WRONG_REQUEST: -32045,
  /** The agreement is unknown, closed, expired, for another agent, or out of calls or deposit. */
  AGREEMENT_UNUSABLE: -32046,
  /** The tool ran past the worker's time limit. */
  TOOL_TIMEOUT: -32050,
  /** The tool's output exceeded the worker's size limit. */
  OUTPUT_TOO_LARGE: -32051,
  /** The fronted MCP server failed or is unreachable. */
  UPSTREAM_FAILED: -32052,
  /** The worker is shutting down; retry on another worker or later. */
  SHUTTING_DOWN: -32053,
} as const;

export type AgentryRpcErrorName = keyof typeof AgentryRpcError;

export function agentryErrorName(code: number): AgentryRpcErrorName | undefined {
  return (Object.keys(AgentryRpcError) as AgentryRpcErrorName[]).find((k) => AgentryRpcError[k] === code);
}
