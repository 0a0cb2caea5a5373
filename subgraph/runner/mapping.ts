/**
 * A built mapping (one wasm module per data source or template): compiled once, checked against
 * the host functions the runner provides, and run with the state of a fresh instance for every
 * trigger, as graph-node does (the stub runtime never frees memory, and module globals start
 * clean). Instead of instantiating per trigger, one warm instance is rewound to a snapshot of its
 * memory and globals taken right after `_start`; a trap discards the instance.
 */
import { readFileSync } from "node:fs";
import { AscHeap, type AscExports } from "./asc-heap.ts";
import { hostFunctions, MappingAbort, type TriggerContext } from "./host.ts";
import { MappingError } from "./entity-values.ts";
import { exportMutableGlobals, GLOBAL_EXPORT_PREFIX } from "./wasm-globals.ts";

/** Above this much memory, a new instance is cheaper than resetting the old one per trigger. */
const MAX_WARM_MEMORY = 8 << 20;

/** A warm instance and the state to rewind it to. */
interface Warm {
  exports: MappingExports;
  memory: Uint8Array;
  globals: [WebAssembly.Global, number | bigint][];
  /** How much memory the last trigger left in use (what must be reset). */
  dirty: number;
}

export class MappingLoadError extends Error {}

/** A handler failed: a trap, an abort, or a host error. Carries graph-node's kind of message. */
export class HandlerError extends Error {}

interface MappingExports extends AscExports {
  _start?: () => void;
  [handler: string]: unknown;
}

export class Mapping {
  private readonly module: WebAssembly.Module;
  /** Class ids do not change between instances of one module. */
  private readonly classIds = new Map<number, number>();
  private heap: AscHeap | undefined;
  private trigger: TriggerContext | undefined;
  private readonly imports: WebAssembly.Imports;
  private warm: Warm | undefined;

  constructor(readonly file: string, handlers: readonly string[]) {
    try {
      this.module = new WebAssembly.Module(exportMutableGlobals(readFileSync(file)));
    } catch (error) {
      throw new MappingLoadError(`${file} is not a wasm module: ${String(error)}`);
    }
    const host = hostFunctions(
      () => this.heap!,
      () => this.trigger!,
    );
    const missing: string[] = [];
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const wanted of WebAssembly.Module.imports(this.module)) {
      // graph-node matches host functions by name; the module part is the graph-ts file name
      const fn = host.get(wanted.name);
      if (wanted.kind !== "function" || !fn) {
        missing.push(`${wanted.module}.${wanted.name}`);
        continue;
      }
      (imports[wanted.module] ??= {})[wanted.name] = fn as (...args: unknown[]) => unknown;
    }
    if (missing.length > 0) {
      throw new MappingLoadError(`${file} imports host functions the local runner does not provide: ${missing.join(", ")}`);
    }
    this.imports = imports;
    const exported = new Set(WebAssembly.Module.exports(this.module).map((e) => e.name));
    for (const name of ["memory", "__new", "id_of_type", ...handlers]) {
      if (!exported.has(name)) throw new MappingLoadError(`${file} does not export ${name}; was it built with \`graph build\`?`);
    }
  }

  /** A fresh instance after `_start`, with the snapshot to rewind it to. */
  private instantiate(): Warm {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(this.module, this.imports);
    } catch (error) {
      throw new HandlerError(`instantiating ${this.file} failed: ${String(error)}`);
    }
    const exports = instance.exports as unknown as MappingExports;
    this.heap = new AscHeap(exports, this.classIds);
    exports._start?.();
    const globals = Object.entries(instance.exports)
      .filter(([name]) => name.startsWith(GLOBAL_EXPORT_PREFIX))
      .map(([, g]) => [g as WebAssembly.Global, (g as WebAssembly.Global).value] as [WebAssembly.Global, number | bigint]);
    const memory = new Uint8Array(exports.memory.buffer).slice();
    return { exports, memory, globals, dirty: memory.length };
  }

  /** Puts the warm instance back into its state right after `_start`. */
  private rewind(warm: Warm): void {
    const memory = new Uint8Array(warm.exports.memory.buffer);
    memory.set(warm.memory);
    if (warm.dirty > warm.memory.length) memory.fill(0, warm.memory.length, warm.dirty);
    for (const [global, value] of warm.globals) global.value = value;
  }

  /**
   * Runs `handler` with the state of a fresh instance. `argument` writes the handler's argument
   * (the event, or a file's bytes) into its memory.
   */
  run(handler: string, trigger: TriggerContext, argument: (heap: AscHeap) => number): void {
    this.trigger = trigger;
    try {
      if (this.warm) this.rewind(this.warm);
      else this.warm = this.instantiate();
      const warm = this.warm;
      this.heap = new AscHeap(warm.exports, this.classIds);
      const pointer = argument(this.heap);
      (warm.exports[handler] as (ptr: number) => void)(pointer);
      warm.dirty = warm.exports.memory.buffer.byteLength;
      // memory cannot shrink: after a trigger that grew it a lot, start over with a small instance
      if (warm.dirty > Math.max(MAX_WARM_MEMORY, 4 * warm.memory.length)) this.warm = undefined;
    } catch (error) {
      this.warm = undefined; // a trap can leave the instance in any state
      if (error instanceof MappingAbort || error instanceof MappingError) throw new HandlerError(error.message);
      if (error instanceof WebAssembly.RuntimeError) throw new HandlerError(`wasm trap: ${error.message}`);
      throw error;
    } finally {
      this.heap = undefined;
      this.trigger = undefined;
    }
  }
}
