/** json_query: evaluate a JSONPath expression over a JSON document (jsonpath-plus, script evaluation disabled). */
import { JSONPath } from "jsonpath-plus";
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import {
  MAX_OUTPUT_CHARS,
  MAX_TEXT_CHARS,
  defineTool,
  jsonOutput,
  jsonPointer,
  jsonValueSchema,
  normalizedPath,
  parseJsonText,
  type Json,
} from "./shared.ts";

const inputSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(4096)
    .describe("JSONPath expression starting with `$`, e.g. `$.store.book[*].title` or `$..price`. Filter/script expressions `[?(...)]`, `[(...)]` are disabled."),
  document: jsonValueSchema("The JSON document to query, as a JSON value. Give exactly one of `document` and `documentText`.").optional(),
  documentText: z.string().max(MAX_TEXT_CHARS).describe("The JSON document to query, as JSON text (max 1 MiB).").optional(),
  maxResults: z.number().int().min(1).max(10_000).default(1000).describe("Stop after this many matches (default 1000)."),
});

interface Match {
  path: string;
  pointer: string;
  value: unknown;
}

/** Decode a JSON Pointer produced by jsonpath-plus into its segments. */
function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * Resolve `segments` through own JSON members only. jsonpath-plus walks JavaScript properties, so
 * it can "match" an array's `length` or a string's characters; those are not part of the JSON
 * document and are dropped. Returns the typed segments (array indices as numbers) or null.
 */
function resolveJsonMembers(root: Json, segments: string[]): Array<string | number> | null {
  let node: Json = root;
  const typed: Array<string | number> = [];
  for (const segment of segments) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(segment) || Number(segment) >= node.length) return null;
      typed.push(Number(segment));
      node = node[Number(segment)]!;
    } else if (node !== null && typeof node === "object") {
      if (!Object.hasOwn(node, segment)) return null;
      typed.push(segment);
      node = node[segment]!;
    } else {
      return null;
    }
  }
  return typed;
}

export const jsonQuery = defineTool({
  name: "json_query",
  runTime: "unbounded",
  title: "JSONPath query",
  description:
    "Evaluate a JSONPath expression (jsonpath-plus dialect: `$`, `.name`, `['name']`, `[0]`, `[-1:]`, `[0,2]`, `[start:end:step]`, `*`, `..`, `~` for property names, `^` for parent) " +
    "over a JSON document given as a value (`document`) or as JSON text (`documentText`). Filter and script expressions are disabled. " +
    "Returns every match with its normalized path (RFC 9535 style), JSON Pointer and value.",
  inputSchema,
  run(input) {
    if ((input.document === undefined) === (input.documentText === undefined)) {
      throw new ToolInputError("give exactly one of `document` (a JSON value) and `documentText` (JSON text)");
    }
    const document: Json = input.document !== undefined ? input.document : parseJsonText(input.documentText!, "documentText");
    const path = input.path.trim();
    if (!path.startsWith("$")) {
      throw new ToolInputError(`JSONPath must start with \`$\` (the document root), e.g. \`$.${path}\`; got \`${input.path}\``);
    }
    // jsonpath-plus refuses falsy roots (null, false, 0, ""), so the document is wrapped in a
    // one-element array and the root `$` is rewritten to `$[0]`; results are mapped back.
    let raw: unknown;
    try {
      raw = JSONPath({ path: "$[0]" + path.slice(1), json: [document], eval: false, resultType: "all", wrap: true });
    } catch (error) {
      const message = (error as Error).message;
      if (/prevented/i.test(message)) {
        throw new ToolInputError(
          `filter and script expressions ([?(...)], [(...)]) are disabled for safety: ${message} Select with names, indices, slices, wildcards and \`..\` instead, and filter the matches yourself.`,
        );
      }
      throw new ToolInputError(`invalid JSONPath \`${input.path}\`: ${message}`);
    }
    const matches: Match[] = [];
    let truncated = false;
    let budget = MAX_OUTPUT_CHARS;
    for (const result of (raw ?? []) as Array<{ pointer?: string; value: unknown }>) {
      const pointer = result.pointer ?? "";
      if (pointer !== "/0" && !pointer.startsWith("/0/")) continue; // `^` climbed above the document
      const segments = resolveJsonMembers(document, pointerSegments(pointer).slice(1));
      if (segments === null) continue;
      if (matches.length === input.maxResults) {
        truncated = true;
        break;
      }
      budget -= JSON.stringify(result.value ?? null).length;
      if (budget < 0) {
        truncated = true;
        break;
      }
      matches.push({ path: normalizedPath(segments), pointer: jsonPointer(segments), value: result.value });
    }
    return jsonOutput({ path: input.path, count: matches.length, truncated, matches });
  },
});
