/**
 * regex_extract: all matches of a JavaScript regular expression, with numbered and named groups.
 *
 * Catastrophic backtracking (e.g. `(a+)+$` on a long non-matching string) cannot be prevented by
 * validating the pattern. It is contained by the server instead: the tool's run time is
 * `unbounded`, so each call runs under the watchdog that stops it at the worker's time limit
 * (tool-runner.ts). This tool only bounds the input and output sizes and the number of matches.
 */
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { MAX_OUTPUT_CHARS, MAX_TEXT_CHARS, defineTool, jsonOutput } from "./shared.ts";

const inputSchema = z.strictObject({
  text: z.string().max(MAX_TEXT_CHARS).describe("Text to search (max 1 MiB)."),
  pattern: z.string().min(1).max(16_384).describe("JavaScript (ECMAScript) regular expression source, without slashes, e.g. `(?<year>\\d{4})-(?<month>\\d{2})`."),
  flags: z
    .string()
    .max(8)
    .default("")
    .describe("Regular expression flags among d, i, m, s, u, v, y (g is implied). Default: none."),
  maxMatches: z.number().int().min(1).max(10_000).default(100).describe("Stop after this many matches (default 100)."),
});

interface ExtractedMatch {
  match: string;
  /** Offset in UTF-16 code units (JavaScript string indices). */
  index: number;
  end: number;
  /** Numbered capture groups 1..n; null for a group that did not participate. */
  groups: Array<string | null>;
  namedGroups?: Record<string, string | null>;
  /** With the `d` flag: [start, end] of the match and of each group (null if it did not participate). */
  indices?: Array<[number, number] | null>;
}

function compile(pattern: string, flags: string): RegExp {
  const seen = new Set<string>();
  for (const flag of flags) {
    if (!"dgimsuvy".includes(flag)) {
      throw new ToolInputError(`unknown regular expression flag \`${flag}\`; allowed flags are d, i, m, s, u, v, y (g is always on)`);
    }
    if (seen.has(flag)) throw new ToolInputError(`flag \`${flag}\` is repeated in \`${flags}\`; give each flag once`);
    seen.add(flag);
  }
  if (seen.has("u") && seen.has("v")) throw new ToolInputError("flags `u` and `v` cannot be combined; use `v` (a superset of `u`) alone");
  seen.add("g");
  try {
    return new RegExp(pattern, [...seen].sort().join(""));
  } catch (error) {
    throw new ToolInputError(`invalid regular expression: ${(error as Error).message}. Fix the pattern (JavaScript syntax; escape literal metacharacters with \\)`);
  }
}

export const regexExtract = defineTool({
  name: "regex_extract",
  runTime: "unbounded",
  title: "Regex extract",
  description:
    "Find all matches of a JavaScript regular expression in a text and return each match with its offsets (UTF-16 code units), numbered groups and named groups " +
    "(and group offsets with the `d` flag). The `g` flag is implied; matching stops after `maxMatches`.",
  inputSchema,
  run(input) {
    const regex = compile(input.pattern, input.flags);
    const matches: ExtractedMatch[] = [];
    let truncated = false;
    let budget = MAX_OUTPUT_CHARS;
    // matchAll advances past empty matches (by a code point in u/v mode), so it always terminates.
    for (const m of input.text.matchAll(regex)) {
      if (matches.length === input.maxMatches) {
        truncated = true;
        break;
      }
      const groups = m.slice(1).map((g) => g ?? null);
      budget -= m[0].length + groups.reduce((n, g) => n + (g?.length ?? 0), 0);
      if (budget < 0) {
        truncated = true;
        break;
      }
      const entry: ExtractedMatch = { match: m[0], index: m.index, end: m.index + m[0].length, groups };
      if (m.groups !== undefined) {
        entry.namedGroups = Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? null]));
      }
      if (m.indices !== undefined) entry.indices = Array.from(m.indices, (pair) => (pair ? [pair[0], pair[1]] : null));
      matches.push(entry);
    }
    return jsonOutput({ pattern: input.pattern, flags: regex.flags, count: matches.length, truncated, matches });
  },
});
