/**
 * Executes tools under a time limit. Built-in tools run in a small pool of worker threads: a call
 * that exceeds the limit (a catastrophic regular expression, say) gets its thread terminated and
 * replaced, and the server never stalls. Fronted MCP servers are called through their client.
 */
import { Worker } from "node:worker_threads";
import { AgentryRpcError } from "@agentry/protocol/core";
import type { ToolOutput } from "./tools/index.ts";

/** What a tool call produced, as an MCP CallToolResult. */
export interface ToolResult {
  content: { type: "text"; text: string }[] | unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

export class ToolRunError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
    this.name = "ToolRunError";
  }
}

interface Slot {
  thread: Worker;
  busy: boolean;
}

type Job = { name: string; args: unknown; resolve: (r: ToolResult) => void; reject: (e: Error) => void };

export class BuiltinToolPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(size: number, timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // Node's own type stripping runs the thread (erasable TypeScript only): no loader per thread.
    // A small young generation: tools allocate briefly, and every megabyte here is resident.
    const thread = new Worker(new URL("./tool-thread.ts", import.meta.url), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    thread.unref();
    return { thread, busy: false };
  }

  run(name: string, args: unknown): Promise<ToolResult> {
    if (this.closed) return Promise.reject(new ToolRunError(AgentryRpcError.SHUTTING_DOWN, "the worker is shutting down"));
    return new Promise((resolve, reject) => {
      this.queue.push({ name, args, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      this.execute(slot, job);
    }
  }

  private execute(slot: Slot, job: Job): void {
    slot.busy = true;
    const id = this.nextId++;
    const thread = slot.thread;
    const done = () => {
      clearTimeout(timer);
      thread.off("message", onMessage);
      thread.off("error", onError);
      slot.busy = false;
      this.dispatch();
    };
    const onMessage = (m: { id: number; ok: boolean; output?: ToolOutput; kind?: string; message?: string }) => {
      if (m.id !== id) return;
      done();
      if (m.ok) job.resolve(toResult(m.output!));
      else if (m.kind === "input") job.resolve({ content: [{ type: "text", text: m.message ?? "invalid input" }], isError: true });
      else job.reject(new ToolRunError(-32603, `tool ${job.name} failed: ${m.message}`));
    };
    const onError = (error: Error) => {
      done();
      this.replace(slot);
      job.reject(new ToolRunError(-32603, `tool ${job.name} crashed: ${error.message}`));
    };
    const timer = setTimeout(() => {
      done();
      this.replace(slot);
      job.reject(new ToolRunError(AgentryRpcError.TOOL_TIMEOUT, `tool ${job.name} exceeded the ${this.timeoutMs} ms time limit`));
    }, this.timeoutMs);
    thread.on("message", onMessage);
    thread.on("error", onError);
    thread.postMessage({ id, name: job.name, args: job.args });
  }

  private replace(slot: Slot): void {
    void slot.thread.terminate();
    if (!this.closed) {
      const fresh = this.spawn();
      slot.thread = fresh.thread;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new ToolRunError(AgentryRpcError.SHUTTING_DOWN, "the worker is shutting down"));
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }
}

export function toResult(output: ToolOutput): ToolResult {
  const result: ToolResult = { content: [{ type: "text", text: output.text }] };
  if (output.structured) result.structuredContent = output.structured;
  return result;
}
