/** Runs built-in tools off the main thread, so a runaway tool can be terminated. */
import { parentPort } from "node:worker_threads";
import { ZodError } from "zod";
import { findTool, runBuiltinTool, ToolInputError } from "./tools/index.ts";

parentPort!.on("message", (m: { id: number; name: string; args: unknown }) => {
  const tool = findTool(m.name);
  if (!tool) {
    parentPort!.postMessage({ id: m.id, ok: false, kind: "unknown", message: `unknown tool ${m.name}` });
    return;
  }
  try {
    parentPort!.postMessage({ id: m.id, ok: true, output: runBuiltinTool(tool, m.args) });
  } catch (error) {
    if (error instanceof ZodError) {
      const issues = error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
      parentPort!.postMessage({ id: m.id, ok: false, kind: "input", message: `invalid arguments (${issues})` });
    } else if (error instanceof ToolInputError) {
      parentPort!.postMessage({ id: m.id, ok: false, kind: "input", message: error.message });
    } else {
      parentPort!.postMessage({ id: m.id, ok: false, kind: "crash", message: error instanceof Error ? error.message : String(error) });
    }
  }
});
