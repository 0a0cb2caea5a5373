/**
 * Forwarding a paid `tools/call` to a worker with the official MCP SDK client. One connected client
 * per worker endpoint is kept and shared by concurrent calls (workers serve stateless Streamable
 * HTTP). Every failure is classified: either the worker failed before answering (the call may go
 * to the next worker with the same voucher) or it answered with a verdict that another worker
 * would repeat (returned to the caller as is).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { agentryErrorName, BrokerError, VOUCHER_META_KEY, type SignedVoucher, encodeVoucher } from "@agentry/protocol";
import { createWorkerFetch } from "./worker-fetch.ts";

/** The worker did not answer (refused, unreachable, 5xx, timed out, shutting down): try another. */
export class WorkerUnavailableError extends Error {
  override readonly name = "WorkerUnavailableError";
  readonly timedOut: boolean;
  constructor(message: string, timedOut = false) {
    super(message);
    this.timedOut = timedOut;
  }
}

export class WorkerClients {
  readonly #clients = new Map<string, Promise<Client>>();
  readonly #fetch = createWorkerFetch();

  async #client(endpoint: string): Promise<Client> {
    let pending = this.#clients.get(endpoint);
    if (!pending) {
      pending = (async () => {
        const client = new Client({ name: "agentry-broker", version: "0.1.0" });
        await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { fetch: this.#fetch.fetch }));
        return client;
      })();
      this.#clients.set(endpoint, pending);
      pending.catch(() => this.#drop(endpoint, pending!));
    }
    return pending;
  }

  #drop(endpoint: string, pending: Promise<Client>): void {
    if (this.#clients.get(endpoint) !== pending) return;
    this.#clients.delete(endpoint);
    void pending.then((c) => c.close()).catch(() => undefined);
  }

  /** Calls `tool` on the worker at `endpoint`; throws WorkerUnavailableError or BrokerError. */
  async call(endpoint: string, tool: string, args: Record<string, unknown>, voucher: SignedVoucher, timeoutMs: number): Promise<CallToolResult> {
    let pending: Promise<Client> | undefined;
    try {
      pending = this.#client(endpoint);
      const client = await pending;
      return (await client.callTool(
        { name: tool, arguments: args, _meta: { [VOUCHER_META_KEY]: encodeVoucher(voucher) } },
        CallToolResultSchema,
        { timeout: timeoutMs, maxTotalTimeout: timeoutMs },
      )) as CallToolResult;
    } catch (error) {
      const classified = classify(error);
      if (classified instanceof WorkerUnavailableError && pending) this.#drop(endpoint, pending);
      throw classified;
    }
  }

  async close(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
    this.#fetch.close();
  }
}

const HINT_VOUCHER = "sign a voucher for this agreement's next call at its price, with the client's or the session key";

function classify(error: unknown): Error {
  if (error instanceof McpError) {
    const data = (error.data ?? {}) as Record<string, unknown>;
    const message = error.message.replace(/^(MCP error -?\d+: )+/, "");
    if (error.code === ErrorCode.RequestTimeout) return new WorkerUnavailableError(`the worker did not answer in time: ${message}`, true);
    if (error.code === ErrorCode.ConnectionClosed) return new WorkerUnavailableError(`the worker closed the connection: ${message}`);
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
  if (error instanceof StreamableHTTPError) return new WorkerUnavailableError(`the worker answered HTTP ${error.code ?? "?"}: ${error.message}`);
  if (error instanceof BrokerError) return error;
  return new WorkerUnavailableError(`the worker is unreachable: ${(error as Error).message ?? String(error)}`);
}

function pick(data: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  return key in data ? { [key]: data[key] } : undefined;
}

