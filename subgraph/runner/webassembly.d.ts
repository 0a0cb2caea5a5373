/**
 * The part of the WebAssembly JavaScript API the runner uses. TypeScript declares it only in the
 * DOM libraries, which this Node project does not load.
 */
declare namespace WebAssembly {
  type ImportValue = ((...args: never[]) => unknown) | Memory;
  type Imports = Record<string, Record<string, ImportValue>>;
  interface ModuleDescriptor {
    name: string;
    kind: "function" | "table" | "memory" | "global" | "tag";
  }
  interface ModuleImportDescriptor extends ModuleDescriptor {
    module: string;
  }
  class Module {
    constructor(bytes: Uint8Array);
    static imports(module: Module): ModuleImportDescriptor[];
    static exports(module: Module): ModuleDescriptor[];
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Global {
    value: number | bigint;
  }
  class RuntimeError extends Error {}
}
