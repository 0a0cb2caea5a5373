/**
 * A built mapping (one wasm module per data source or template): compiled once, checked against
 * the host functions the runner provides, then instantiated afresh for every trigger, as
 * graph-node does (the stub runtime never frees memory, and module globals start clean).
 */
import { readFileSync } from "node:fs";
import { AscHeap, type AscExports } from "./asc-heap.ts";
import { hostFunctions, MappingAbort, type TriggerContext } from "./host.ts";
import { MappingError } from "./entity-values.ts";

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

  constructor(readonly file: string, handlers: readonly string[]) {
    try {
      this.module = new WebAssembly.Module(readFileSync(file));
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

  /**
   * Runs `handler` in a fresh instance. `argument` writes the handler's argument (the event, or
   * a file's bytes) into the new instance's memory.
   */
  run(handler: string, trigger: TriggerContext, argument: (heap: AscHeap) => number): void {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(this.module, this.imports);
    } catch (error) {
      throw new HandlerError(`instantiating ${this.file} failed: ${String(error)}`);
    }
    const exports = instance.exports as unknown as MappingExports;
    this.heap = new AscHeap(exports, this.classIds);
    this.trigger = trigger;
    try {
      exports._start?.();
      const pointer = argument(this.heap);
      (exports[handler] as (ptr: number) => void)(pointer);
    } catch (error) {
      if (error instanceof MappingAbort || error instanceof MappingError) throw new HandlerError(error.message);
      if (error instanceof WebAssembly.RuntimeError) throw new HandlerError(`wasm trap: ${error.message}`);
      throw error;
    } finally {
      this.heap = undefined;
      this.trigger = undefined;
    }
  }
}
