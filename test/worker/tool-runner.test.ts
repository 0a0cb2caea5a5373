/**
 * The built-in tool runner: a runaway call (catastrophic backtracking) is stopped at the time limit
 * with TOOL_TIMEOUT and the server's thread goes on; refused arguments are tool errors, not crashes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AgentryRpcError } from "../../protocol/src/index.ts";
import { builtinTools } from "../../worker/src/tools/index.ts";
import { BuiltinToolRunner, ToolRunError } from "../../worker/src/tool-runner.ts";

const catastrophic = { text: `${"a".repeat(40)}!`, pattern: "(a+)+$" };

test("a catastrophic regular expression is stopped at the time limit and the next call runs", async () => {
  const runner = new BuiltinToolRunner(150);
  const started = performance.now();
  await assert.rejects(runner.run("regex_extract", catastrophic), (error: unknown) => {
    assert.ok(error instanceof ToolRunError);
    assert.equal(error.code, AgentryRpcError.TOOL_TIMEOUT);
    assert.match(error.message, /regex_extract exceeded the 150 ms time limit/);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 2_000, `stopped after ${elapsed} ms`);
  const next = await runner.run("regex_extract", { text: "2026-11-21", pattern: "(?<year>\\d{4})" });
  assert.equal(next.isError, undefined);
  assert.deepEqual((next.structuredContent as { matches: { match: string }[] }).matches.map((m) => m.match), ["2026"]);
});

test("timers and promises keep working after a call was terminated", async () => {
  const runner = new BuiltinToolRunner(50);
  await assert.rejects(runner.run("regex_extract", catastrophic), ToolRunError);
  assert.equal(await new Promise((resolve) => setTimeout(() => resolve("tick"), 5)), "tick");
});

test("arguments the schema refuses are a tool error naming the field, not a crash", async () => {
  const runner = new BuiltinToolRunner(1_000);
  const result = await runner.run("hash_encode", { operation: "hash", input: "x", algorithm: "sha0" });
  assert.equal(result.isError, true);
  assert.match(JSON.stringify(result.content), /algorithm/);
});

test("every built-in tool declares its run time, and only pattern and query languages are unbounded", () => {
  const unbounded = builtinTools.filter((t) => t.runTime === "unbounded").map((t) => t.name).sort();
  assert.deepEqual(unbounded, ["json_query", "regex_extract"]);
  for (const tool of builtinTools) assert.ok(tool.runTime === "linear" || tool.runTime === "unbounded", tool.name);
});

test("a closed runner refuses calls with SHUTTING_DOWN", async () => {
  const runner = new BuiltinToolRunner(1_000);
  await runner.close();
  await assert.rejects(runner.run("hash_encode", { operation: "hash", input: "x", algorithm: "sha256" }), (error: unknown) => {
    assert.ok(error instanceof ToolRunError);
    assert.equal(error.code, AgentryRpcError.SHUTTING_DOWN);
    return true;
  });
});
