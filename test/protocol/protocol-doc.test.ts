/**
 * docs/PROTOCOL.md is what other implementations build against: its error tables must say exactly
 * what the code sends. These tests read the tables and compare them with the code's definitions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { AgentryRpcError, BROKER_ERRORS } from "../../protocol/src/index.ts";

const doc = readFileSync(new URL("../../docs/PROTOCOL.md", import.meta.url), "utf8");

/** The `| number | NAME | … |` rows of the markdown table that follows `heading`. */
function tableAfter(heading: string): Map<string, number> {
  const start = doc.indexOf(heading);
  assert.ok(start >= 0, `PROTOCOL.md has no "${heading}"`);
  const rows = new Map<string, number>();
  let inTable = false;
  for (const line of doc.slice(start).split("\n")) {
    const row = /^\| (-?\d+) \| ([A-Z_]+) \|/.exec(line);
    if (row) {
      assert.ok(!rows.has(row[2]!), `${row[2]} is listed twice`);
      rows.set(row[2]!, Number(row[1]));
      inTable = true;
    } else if (inTable && !line.startsWith("|")) {
      break;
    }
  }
  return rows;
}

test("the worker's JSON-RPC error table lists every AgentryRpcError code and nothing else", () => {
  assert.deepEqual(Object.fromEntries(tableAfter("- **Errors** (JSON-RPC")), { ...AgentryRpcError });
});

test("the broker's error table lists every BROKER_ERRORS code with its HTTP status and nothing else", () => {
  assert.deepEqual(Object.fromEntries(tableAfter("### Broker HTTP API")), { ...BROKER_ERRORS });
});
