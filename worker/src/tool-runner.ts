/**
 * Executes built-in tools on the server's own thread, stopping runaway calls at the time limit.
 *
 * A tool is pure, synchronous JavaScript. One whose run time is `linear` in its (size-capped)
 * input runs as a plain call. One whose run time is `unbounded` (a catastrophic regular
 * expression, say) runs inside a `vm.Script` with a `timeout`: its watchdog makes V8 terminate the
 * JavaScript that is running and turns that into an exception; the isolate and the server go on.
 *
 * Why not worker threads (the previous design): a thread costs about 20 MB of resident memory and
 * two structured-clone messages per call. The watchdog costs a short-lived thread per call (about
 * 0.15 ms, more when the cores are busy), which is why linear tools do without it.
 * Fronted MCP servers are called through their client (upstream.ts).
 */
import vm from "node:vm";
import { AgentryRpcError } from "@agentry/protocol/core";
import { ZodError } from "zod";
import { findTool, runBuiltinTool, ToolInputError, type ToolOutput } from "./tools/index.ts";

/** What a tool call produced, as an MCP CallToolResult. */
export interface ToolResult {
  content: { type: "text"; text: string }[] | unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

export class ToolRunError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
    this.name = "ToolRunError";
  }
}

/**
 * The watchdog only guards code started by a `vm.Script`; this one-line script calls the job the
 * runner parks under a registered symbol (nothing else can name it by accident).
 */
const JOB = Symbol.for("agentry.worker.tool-job");
const runParkedJob = new vm.Script(`globalThis[Symbol.for(${JSON.stringify(JOB.description)})]()`, { filename: "agentry-tool-call" });
type Parked = { [JOB]?: () => ToolOutput };

/** Runs `job` synchronously; throws the watchdog's error when it takes longer than `timeoutMs`. */
function runWithin(job: () => ToolOutput, timeoutMs: number): ToolOutput {
  const global = globalThis as Parked;
  global[JOB] = job;
  try {
    return runParkedJob.runInThisContext({ timeout: timeoutMs }) as ToolOutput;
  } finally {
    delete global[JOB];
  }
}

function isWatchdogTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
}

export class BuiltinToolRunner {
  private closed = false;
  private readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /**
   * The tool's result; a tool error (`isError`) for arguments its schema or the tool refuses; a
   * {@link ToolRunError} when it exceeds the time limit, crashes or the runner is closed.
   */
  async run(name: string, args: unknown): Promise<ToolResult> {
    if (this.closed) throw new ToolRunError(AgentryRpcError.SHUTTING_DOWN, "the worker is shutting down");
    const tool = findTool(name);
    if (!tool) throw new ToolRunError(-32603, `unknown built-in tool ${name}`);
    try {
      const job = () => runBuiltinTool(tool, args);
      return toResult(tool.runTime === "linear" ? job() : runWithin(job, this.timeoutMs));
    } catch (error) {
      if (isWatchdogTimeout(error)) {
        throw new ToolRunError(AgentryRpcError.TOOL_TIMEOUT, `tool ${name} exceeded the ${this.timeoutMs} ms time limit`);
      }
      if (error instanceof ToolInputError) return inputError(error.message);
      if (error instanceof ZodError) {
        return inputError(`invalid arguments (${error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")})`);
      }
      throw new ToolRunError(-32603, `tool ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function inputError(message: string): ToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

function toResult(output: ToolOutput): ToolResult {
  const result: ToolResult = { content: [{ type: "text", text: output.text }] };
  if (output.structured) result.structuredContent = output.structured;
  return result;
}
