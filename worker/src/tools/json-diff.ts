/** json_diff: structural diff of two JSON values as added / removed / changed paths. */
import { z } from "zod";
import { defineTool, jsonOutput, jsonPointer, jsonValueSchema, normalizedPath, type Json } from "./shared.ts";

const inputSchema = z.strictObject({
  before: jsonValueSchema("The original JSON value."),
  after: jsonValueSchema("The new JSON value."),
  maxChanges: z.number().int().min(1).max(10_000).default(1000).describe("Stop after this many changes (default 1000)."),
});

type Segment = string | number;
interface Change {
  op: "added" | "removed" | "changed";
  path: string;
  pointer: string;
  before?: Json;
  after?: Json;
}

const isObject = (v: Json): v is { [key: string]: Json } => v !== null && typeof v === "object" && !Array.isArray(v);
/** Code-unit order, independent of locale. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const jsonDiff = defineTool({
  name: "json_diff",
  runTime: "linear",
  title: "JSON diff",
  description:
    "Compare two JSON values structurally and list the paths that were added, removed or changed, with their old and new values. " +
    "Objects are compared key by key (in sorted key order), arrays index by index; numbers compare by value (1 equals 1.0).",
  inputSchema,
  run(input) {
    const changes: Change[] = [];
    let truncated = false;
    const emit = (change: Omit<Change, "path" | "pointer">, at: Segment[]) => {
      if (changes.length === input.maxChanges) {
        truncated = true;
        return false;
      }
      const { op, ...values } = change;
      changes.push({ op, path: normalizedPath(at), pointer: jsonPointer(at), ...values });
      return true;
    };
    // Depth is bounded by the input schema (MAX_JSON_DEPTH), so recursion is safe.
    const walk = (a: Json, b: Json, at: Segment[]): boolean => {
      if (isObject(a) && isObject(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(byCodeUnits);
        for (const key of keys) {
          const here = [...at, key];
          const inA = Object.hasOwn(a, key);
          const inB = Object.hasOwn(b, key);
          const ok = inA && inB ? walk(a[key]!, b[key]!, here) : inA ? emit({ op: "removed", before: a[key]! }, here) : emit({ op: "added", after: b[key]! }, here);
          if (!ok) return false;
        }
        return true;
      }
      if (Array.isArray(a) && Array.isArray(b)) {
        const common = Math.min(a.length, b.length);
        for (let i = 0; i < common; i++) if (!walk(a[i]!, b[i]!, [...at, i])) return false;
        for (let i = common; i < b.length; i++) if (!emit({ op: "added", after: b[i]! }, [...at, i])) return false;
        for (let i = common; i < a.length; i++) if (!emit({ op: "removed", before: a[i]! }, [...at, i])) return false;
        return true;
      }
      if (a === b) return true; // primitives; 1 and 1.0 are the same number, -0 equals 0
      return emit({ op: "changed", before: a, after: b }, at);
    };
    walk(input.before, input.after, []);
    const counts = { added: 0, removed: 0, changed: 0 };
    for (const change of changes) counts[change.op]++;
    return jsonOutput({ equal: changes.length === 0, counts, truncated, changes });
  },
});
