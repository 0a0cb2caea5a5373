/**
 * Forwarding a paid `tools/call` to a worker (worker-rpc.ts: MCP Streamable HTTP, one session per
 * worker endpoint shared by concurrent calls). Every failure is classified: either the worker
 * failed before answering (the call may go to the next worker with the same voucher) or it
 * answered with a verdict that another worker would repeat (returned to the caller as is).
 */
import { CallToolResultSchema, ErrorCode, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { agentryErrorName, BrokerError, VOUCHER_META_KEY, type SignedVoucher, encodeVoucher } from "@agentry/protocol";
import { WorkerRpc, WorkerRpcError, WorkerUnavailableError } from "./worker-rpc.ts";

export { WorkerUnavailableError };

export class WorkerClients {
  readonly #rpc = new WorkerRpc();

  /** Calls `tool` on the worker at `endpoint`; throws WorkerUnavailableError or BrokerError. */
  async call(endpoint: string, tool: string, args: Record<string, unknown>, voucher: SignedVoucher, timeoutMs: number): Promise<CallToolResult> {
    let result: unknown;
    try {
      result = await this.#rpc.request(endpoint, "tools/call", { name: tool, arguments: args, _meta: { [VOUCHER_META_KEY]: encodeVoucher(voucher) } }, timeoutMs);
    } catch (error) {
      throw classify(error);
    }
    const parsed = CallToolResultSchema.safeParse(result);
    if (!parsed.success) throw new WorkerUnavailableError("the worker answered with a malformed tools/call result");
    return parsed.data;
  }

  async close(): Promise<void> {
    this.#rpc.close();
  }
}

const HINT_VOUCHER = "sign a voucher for this agreement's next call at its price, with the client's or the session key";

function classify(error: unknown): Error {
  if (error instanceof WorkerUnavailableError) return error;
  if (error instanceof WorkerRpcError) {
    const data = (error.data ?? {}) as Record<string, unknown>;
    // The SDK's server sends an McpError's message with its "MCP error <code>: " prefix.
    const message = error.message.replace(/^(MCP error -?\d+: )+/, "");
    switch (agentryErrorName(error.code)) {
      case "SHUTTING_DOWN":
        return new WorkerUnavailableError(`the worker is shutting down: ${message}`);
      case "VOUCHER_MISSING":
      case "VOUCHER_MALFORMED":
        return new BrokerError("MALFORMED_REQUEST", message, "send a voucher with every field (see docs/PROTOCOL.md)");
      case "WRONG_REQUEST":
        return new BrokerError("WRONG_REQUEST", message, "sign the voucher over this tool name and these exact arguments", data);
      case "WRONG_CALL_INDEX":
        return new BrokerError("WRONG_CALL_INDEX", message, "sign the voucher for the expected call index (details.expectedCalls)", pick(data, "expectedCalls"));
      case "VOUCHER_SIGNATURE":
      case "WRONG_AMOUNT":
      case "AGREEMENT_UNUSABLE":
        return new BrokerError("VOUCHER_DOES_NOT_PAY", message, HINT_VOUCHER, data);
      case "TOOL_TIMEOUT":
        return new BrokerError("TIMEOUT", message, "the tool ran past the worker's time limit; nothing was charged: simplify the input or retry");
      case "OUTPUT_TOO_LARGE":
      case "UPSTREAM_FAILED":
        return new BrokerError("TOOL_FAILED", message, "nothing was charged; retry later or with a smaller input");
      default:
        break;
    }
    if (error.code === ErrorCode.InvalidParams && data.reason === "UNKNOWN_TOOL") {
      return new BrokerError("UNKNOWN_TOOL", message, "list the agent's tools (its registration file, or tools/list) and use one of their names");
    }
    if (error.code === ErrorCode.InvalidParams) {
      return new BrokerError("MALFORMED_REQUEST", message, "fix the tool's arguments to match its input schema");
    }
    return new WorkerUnavailableError(`the worker answered with error ${error.code}: ${message}`);
  }
  return new WorkerUnavailableError(`the worker is unreachable: ${(error as Error).message ?? String(error)}`);
}

function pick(data: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  return key in data ? { [key]: data[key] } : undefined;
}

