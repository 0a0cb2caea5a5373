/** Tool arguments from the command line: `--arg key=value` pairs or one `--args-json` object. */
import { usageError } from "./output.ts";
import type { AgentTool } from "./directory.ts";

/**
 * Builds the arguments object. A value is JSON when it parses as JSON (numbers, booleans, arrays,
 * objects) unless the tool's schema declares that property a string; otherwise it is the text.
 */
export function toolArguments(pairs: readonly string[], json: string | undefined, tool: AgentTool | undefined, command: string): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw usageError("--args-json is not valid JSON", `pass an object, e.g. --args-json '{"text":"hi"}' (see \`agentry ${command} --help\`)`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw usageError("--args-json must be a JSON object", `e.g. --args-json '{"text":"hi"}'`);
    args = { ...(parsed as Record<string, unknown>) };
  }
  const properties = (tool?.inputSchema.properties ?? {}) as Record<string, { type?: unknown }>;
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw usageError(`--arg ${JSON.stringify(pair)} is not key=value`, "e.g. --arg text=hello --arg count=3");
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    args[key] = properties[key]?.type === "string" ? text : parseLoose(text);
  }
  return args;
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
