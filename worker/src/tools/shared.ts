/** Helpers shared by the built-in tools: size limits, a bounded JSON-value schema, output formatting. */
import { z } from "zod";
import { PURE_ANNOTATIONS, ToolInputError, type BuiltinTool, type ToolOutput } from "./types.ts";

/** 1 MiB, counted in UTF-16 code units (JavaScript string length). The limit for every text input. */
export const MAX_TEXT_CHARS = 1_048_576;
/** Upper bound on the serialized size of a JSON-valued input (same 1 MiB, as `JSON.stringify` length). */
export const MAX_JSON_CHARS = 1_048_576;
/** Maximum nesting depth of JSON-valued inputs (keeps recursive walkers far from the stack limit). */
export const MAX_JSON_DEPTH = 256;
/** Budget for the bulk of a tool's result (matched values, extracted strings): 4 Mi UTF-16 code units. */
export const MAX_OUTPUT_CHARS = 4 * 1_048_576;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Why `value` is not an acceptable JSON value, or null if it is: only null, booleans, finite
 * numbers, strings, arrays and plain objects, nested at most {@link MAX_JSON_DEPTH} deep and at most
 * {@link MAX_JSON_CHARS} long once serialized. Iterative, so hostile nesting cannot overflow the stack.
 */
export function jsonProblem(value: unknown, what = "value"): string | null {
  if (value === undefined) return `${what} is required (any JSON value, including null)`;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) return `${what} is nested more than ${MAX_JSON_DEPTH} levels deep`;
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return `${what} contains a non-finite number (${v}), which JSON cannot represent`;
      continue;
    }
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1]);
      continue;
    }
    if (typeof v === "object") {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return `${what} contains a non-plain object`;
      for (const item of Object.values(v)) stack.push([item, depth + 1]);
      continue;
    }
    return `${what} contains a ${typeof v}, which is not a JSON value`;
  }
  const size = JSON.stringify(value).length;
  if (size > MAX_JSON_CHARS) return `${what} is ${size} characters as JSON; the limit is ${MAX_JSON_CHARS} (1 MiB)`;
  return null;
}

/**
 * Schema for an arbitrary, bounded JSON value. In JSON Schema it is unconstrained (`{}` with a
 * description); the checks run in an iterative refinement, so hostile nesting cannot overflow the
 * stack during validation. The cast only narrows the static type to what the refinement proves.
 */
export function jsonValueSchema(description: string): z.ZodType<Json> {
  const schema = z
    .unknown()
    .superRefine((value, ctx) => {
      const problem = jsonProblem(value);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe(description);
  return schema as unknown as z.ZodType<Json>;
}

/** Parse JSON text supplied by a caller, with an actionable error. */
export function parseJsonText(text: string, field: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ToolInputError(`${field} is not valid JSON (${(error as Error).message}); pass well-formed JSON text`);
  }
  const problem = jsonProblem(value, field);
  if (problem !== null) throw new ToolInputError(problem);
  return value as Json;
}

/** `text` is the pretty (2-space) JSON of the structured result. */
export function jsonOutput(structured: Record<string, unknown>): ToolOutput {
  return { text: JSON.stringify(structured, null, 2), structured };
}

/** Declares a tool, inferring the type of `run`'s input from the schema's output. */
export function defineTool<S extends z.ZodType<Record<string, unknown>>>(tool: {
  name: string;
  title: string;
  description: string;
  runTime: "linear" | "unbounded";
  inputSchema: S;
  run(input: z.output<S>): ToolOutput;
}): BuiltinTool<z.output<S>> {
  return Object.freeze({ ...tool, inputSchema: tool.inputSchema as unknown as z.ZodType<z.output<S>>, annotations: PURE_ANNOTATIONS });
}

/** Escape a string as a single-quoted member name of an RFC 9535 normalized path. */
export function normalizedPathMember(key: string): string {
  let out = "'";
  for (const ch of key) {
    const c = ch.codePointAt(0)!;
    if (ch === "'") out += "\\'";
    else if (ch === "\\") out += "\\\\";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + "'";
}

/** RFC 9535 normalized path (`$['a'][0]`) for a list of object keys / array indices. */
export function normalizedPath(segments: ReadonlyArray<string | number>): string {
  return "$" + segments.map((s) => (typeof s === "number" ? `[${s}]` : `[${normalizedPathMember(s)}]`)).join("");
}

/** RFC 6901 JSON Pointer for a list of object keys / array indices. */
export function jsonPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => "/" + String(s).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}
