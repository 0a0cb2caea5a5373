/** The worker's built-in tool library: pure, deterministic tools exposed by its MCP server. */
import { z } from "zod";
import { ToolInputError, type BuiltinTool, type ToolOutput } from "./types.ts";
import { convertTimezone } from "./convert-timezone.ts";
import { convertUnits } from "./convert-units.ts";
import { csvToJson } from "./csv-to-json.ts";
import { hashEncode } from "./hash-encode.ts";
import { jsonDiff } from "./json-diff.ts";
import { jsonQuery } from "./json-query.ts";
import { markdownTable } from "./markdown-table.ts";
import { regexExtract } from "./regex-extract.ts";
import { textStats } from "./text-stats.ts";

export * from "./types.ts";

/**
 * A tool of any input type. `run` only ever receives the output of the tool's own `inputSchema`,
 * which is how {@link runBuiltinTool} calls it; the input type is therefore opaque to callers.
 */
export type AnyBuiltinTool = BuiltinTool<unknown>;

const erase = <I>(tool: BuiltinTool<I>): AnyBuiltinTool => tool as unknown as AnyBuiltinTool;

export const builtinTools: readonly AnyBuiltinTool[] = Object.freeze([
  erase(jsonQuery),
  erase(regexExtract),
  erase(hashEncode),
  erase(convertUnits),
  erase(convertTimezone),
  erase(csvToJson),
  erase(textStats),
  erase(jsonDiff),
  erase(markdownTable),
]);

const byName = new Map(builtinTools.map((tool) => [tool.name, tool]));

export function findTool(name: string): AnyBuiltinTool | undefined {
  return byName.get(name);
}

/**
 * Validate `args` against the tool's schema and run it. Schema violations become a
 * {@link ToolInputError} listing every problem; errors from `run` propagate unchanged.
 */
export function runBuiltinTool(tool: AnyBuiltinTool, args: unknown): ToolOutput {
  const parsed = tool.inputSchema.safeParse(args);
  if (!parsed.success) throw new ToolInputError(`invalid arguments for ${tool.name}:\n${z.prettifyError(parsed.error)}`);
  return tool.run(parsed.data);
}

export { jsonQuery, regexExtract, hashEncode, convertUnits, convertTimezone, csvToJson, textStats, jsonDiff, markdownTable };
