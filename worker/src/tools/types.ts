/**
 * Contract between the worker's MCP server and its built-in tools.
 *
 * A built-in tool is a pure, synchronous function of its (schema-validated) input: no clock, no
 * randomness, no network, no filesystem. The same input always yields the same output, so the
 * server can stop a runaway call (tool-runner.ts) and the hash of a result is reproducible by
 * anyone who re-runs the tool.
 */
import type { z } from "zod";

/** What a tool returns: a human/LLM-readable text and, optionally, the same result as structured data. */
export interface ToolOutput {
  text: string;
  structured?: Record<string, unknown>;
}

/** MCP tool annotations shared by every built-in tool: they only compute, never act. */
export interface PureToolAnnotations {
  readonly readOnlyHint: true;
  readonly idempotentHint: true;
  readonly openWorldHint: false;
}

export const PURE_ANNOTATIONS: PureToolAnnotations = Object.freeze({
  readOnlyHint: true,
  idempotentHint: true,
  openWorldHint: false,
});

export interface BuiltinTool<I> {
  /** Stable identifier (snake_case), used as the MCP tool name. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** A zod object schema; the server derives the JSON Schema with `z.toJSONSchema`. `run` receives its parsed output. */
  readonly inputSchema: z.ZodType<I>;
  readonly annotations: PureToolAnnotations;
  /**
   * How long a call can take. `linear`: the run time grows with the size of the input alone
   * (which the worker's body limit caps), so the tool runs as a plain function call.
   * `unbounded`: some inputs run for any time (a backtracking regular expression, a query
   * language), so every call runs under the watchdog of the worker's time limit.
   */
  readonly runTime: "linear" | "unbounded";
  /** Pure and synchronous. Throws {@link ToolInputError} for input that passes the schema but cannot be processed. */
  run(input: I): ToolOutput;
}

/**
 * Input that is well-formed by the schema but unusable (an invalid regular expression, an unknown
 * unit, malformed base64...). The message says what is wrong and how to fix it; the server returns
 * it to the caller as a tool error (`isError: true`), not as a protocol error.
 */
export class ToolInputError extends Error {
  override readonly name = "ToolInputError";
}
