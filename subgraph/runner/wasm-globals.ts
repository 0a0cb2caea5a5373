/**
 * Exports every mutable global of a wasm module, so that an instance can be put back exactly into
 * its state after `_start` (memory and globals) before each trigger. That is what graph-node gets
 * by instantiating a fresh module per trigger, at the cost of a memory copy instead of a new
 * instance (which is most of the time spent per event in Node for modules of this size).
 */
const EXPORT_SECTION = 7;
const GLOBAL_SECTION = 6;
const IMPORT_SECTION = 2;

class Reader {
  constructor(readonly bytes: Uint8Array, public pos = 0) {}
  byte(): number {
    return this.bytes[this.pos++]!;
  }
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
      shift += 7;
    }
  }
  skipLeb(): void {
    while (this.byte() & 0x80);
  }
  name(): string {
    const length = this.leb();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.skipLeb();
  if (flags & 1) r.skipLeb();
}

/** Skips a constant expression (global initializer) up to its `end`. */
function skipInit(r: Reader): void {
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) r.skipLeb();
    else if (op === 0x43) r.pos += 4;
    else if (op === 0x44) r.pos += 8;
    else if (op === 0xd0) r.byte();
    else throw new Error(`unsupported opcode 0x${op.toString(16)} in a global initializer`);
  }
}

export const GLOBAL_EXPORT_PREFIX = "__runner_global_";

/** The module's bytes with its mutable globals exported as `__runner_global_<index>`. */
export function exportMutableGlobals(wasm: Uint8Array): Uint8Array {
  const r = new Reader(wasm, 8);
  const sections: { id: number; start: number; end: number; payloadStart: number }[] = [];
  let importedGlobals = 0;
  const mutable: number[] = [];
  while (r.pos < wasm.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.leb();
    const payloadStart = r.pos;
    const end = payloadStart + size;
    sections.push({ id, start, end, payloadStart });
    if (id === IMPORT_SECTION) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) r.skipLeb();
        else if (kind === 1) {
          r.byte();
          skipLimits(r);
        } else if (kind === 2) skipLimits(r);
        else if (kind === 3) {
          r.byte();
          r.byte();
          importedGlobals += 1;
        } else r.skipLeb(); // tag
      }
    } else if (id === GLOBAL_SECTION) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        r.byte(); // value type
        if (r.byte() === 1) mutable.push(importedGlobals + i);
        skipInit(r);
      }
    }
    r.pos = end;
  }
  if (mutable.length === 0) return wasm;
  const exportSection = sections.find((s) => s.id === EXPORT_SECTION);
  const extra: number[] = [];
  for (const index of mutable) {
    const name = new TextEncoder().encode(`${GLOBAL_EXPORT_PREFIX}${index}`);
    extra.push(...leb(name.length), ...name, 3, ...leb(index));
  }
  let payload: Uint8Array;
  if (exportSection) {
    const er = new Reader(wasm, exportSection.payloadStart);
    const count = er.leb();
    const entries = wasm.subarray(er.pos, exportSection.end);
    payload = Uint8Array.from([...leb(count + mutable.length), ...entries, ...extra]);
  } else {
    payload = Uint8Array.from([...leb(mutable.length), ...extra]);
  }
  const section = Uint8Array.from([EXPORT_SECTION, ...leb(payload.length), ...payload]);
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  let inserted = false;
  for (const s of sections) {
    if (s.id === EXPORT_SECTION) {
      parts.push(section);
      inserted = true;
      continue;
    }
    // a module without exports gets the section where it belongs: before start/element/code/data
    if (!inserted && s.id > EXPORT_SECTION && s.id !== 0) {
      parts.push(section);
      inserted = true;
    }
    parts.push(wasm.subarray(s.start, s.end));
  }
  if (!inserted) parts.push(section);
  return Buffer.concat(parts);
}
