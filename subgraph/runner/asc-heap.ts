/**
 * Reading and writing AssemblyScript objects in a mapping's linear memory, laid out as the stub
 * runtime that `graph build` compiles with (AssemblyScript 0.19): every managed object is preceded
 * by a 20-byte header whose last two words are its runtime class id (rtId) and payload size
 * (rtSize). Objects are allocated through the module's exported `__new(size, rtId)`; class ids
 * come from the module's `id_of_type(TypeId)` export, as graph-node does.
 */

/** graph-ts's TypeId discriminants (global/global.ts), the ones the runner allocates. */
export const TypeId = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  BigDecimal: 12,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayJsonValue: 17,
  ArrayString: 18,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringJsonValue: 20,
  ArrayTypedMapEntryStringStoreValue: 21,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  WrappedBool: 28,
  WrappedJsonValue: 29,
  EthereumValue: 30,
  StoreValue: 31,
  JsonValue: 32,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapEntryStringJsonValue: 35,
  TypedMapStringStoreValue: 36,
  TypedMapStringJsonValue: 37,
  ResultJsonValueBool: 40,
  TransactionReceipt: 1000,
  Log: 1001,
  ArrayH256: 1002,
  ArrayLog: 1003,
} as const;
export type TypeIdName = keyof typeof TypeId;

export interface AscExports {
  memory: WebAssembly.Memory;
  __new(size: number, id: number): number;
  id_of_type(typeId: number): number;
}

const utf16 = new TextDecoder("utf-16le");

export class AscHeap {
  private view: DataView;
  private bytes: Uint8Array;
  private readonly classIds: Map<number, number>;

  constructor(
    private readonly exports: AscExports,
    classIds: Map<number, number>,
  ) {
    this.classIds = classIds;
    this.view = new DataView(exports.memory.buffer);
    this.bytes = new Uint8Array(exports.memory.buffer);
  }

  /** The module's class id for a graph-ts TypeId (asked once per module, then cached). */
  classId(type: TypeIdName): number {
    const typeId = TypeId[type];
    let id = this.classIds.get(typeId);
    if (id === undefined) {
      id = this.exports.id_of_type(typeId) >>> 0;
      this.classIds.set(typeId, id);
    }
    return id;
  }

  /** Memory views go stale when the module grows its memory. */
  private fresh(): void {
    if (this.view.buffer !== this.exports.memory.buffer) {
      this.view = new DataView(this.exports.memory.buffer);
      this.bytes = new Uint8Array(this.exports.memory.buffer);
    }
  }

  u32(ptr: number): number {
    this.fresh();
    return this.view.getUint32(ptr, true);
  }

  i32(ptr: number): number {
    this.fresh();
    return this.view.getInt32(ptr, true);
  }

  u64(ptr: number): bigint {
    this.fresh();
    return this.view.getBigUint64(ptr, true);
  }

  i64(ptr: number): bigint {
    this.fresh();
    return this.view.getBigInt64(ptr, true);
  }

  setU32(ptr: number, value: number): void {
    this.fresh();
    this.view.setUint32(ptr, value, true);
  }

  setU64(ptr: number, value: bigint): void {
    this.fresh();
    this.view.setBigUint64(ptr, BigInt.asUintN(64, value), true);
  }

  rtSize(ptr: number): number {
    return this.u32(ptr - 4);
  }

  rtId(ptr: number): number {
    return this.u32(ptr - 8);
  }

  allocate(size: number, type: TypeIdName): number {
    return this.exports.__new(size, this.classId(type)) >>> 0;
  }

  readString(ptr: number): string {
    if (ptr === 0) throw new Error("null string pointer");
    const size = this.rtSize(ptr);
    this.fresh();
    return utf16.decode(this.bytes.subarray(ptr, ptr + size));
  }

  writeString(value: string): number {
    const ptr = this.allocate(value.length * 2, "String");
    this.fresh();
    for (let i = 0; i < value.length; i++) this.view.setUint16(ptr + i * 2, value.charCodeAt(i), true);
    return ptr;
  }

  /** A copy of a typed array's bytes (Uint8Array, ByteArray, Bytes, BigInt, Address). */
  readBytes(ptr: number): Uint8Array {
    if (ptr === 0) throw new Error("null byte array pointer");
    const dataStart = this.u32(ptr + 4);
    const length = this.u32(ptr + 8);
    this.fresh();
    return this.bytes.slice(dataStart, dataStart + length);
  }

  writeBytes(value: Uint8Array): number {
    const buffer = this.allocate(value.length, "ArrayBuffer");
    this.fresh();
    this.bytes.set(value, buffer);
    const view = this.allocate(12, "Uint8Array");
    this.setU32(view, buffer);
    this.setU32(view + 4, buffer);
    this.setU32(view + 8, value.length);
    return view;
  }

  /** Elements of an `Array<T>` of managed objects (pointers), or of 32-bit values. */
  readArray(ptr: number): number[] {
    if (ptr === 0) throw new Error("null array pointer");
    const dataStart = this.u32(ptr + 4);
    const length = this.i32(ptr + 12);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.u32(dataStart + i * 4);
    return out;
  }

  writeArray(pointers: readonly number[], type: TypeIdName): number {
    const buffer = this.allocate(pointers.length * 4, "ArrayBuffer");
    for (let i = 0; i < pointers.length; i++) this.setU32(buffer + i * 4, pointers[i]!);
    const array = this.allocate(16, type);
    this.setU32(array, buffer);
    this.setU32(array + 4, buffer);
    this.setU32(array + 8, pointers.length * 4);
    this.setU32(array + 12, pointers.length);
    return array;
  }

  /** A class instance whose fields are all pointers or 32-bit values, in declaration order. */
  writeObject(type: TypeIdName, fields: readonly number[]): number {
    const ptr = this.allocate(fields.length * 4, type);
    for (let i = 0; i < fields.length; i++) this.setU32(ptr + i * 4, fields[i]!);
    return ptr;
  }

  /** graph-ts enums (store Value, ethereum.Value, JSONValue): { kind: i32, data: u64 }. */
  writeEnum(type: TypeIdName, kind: number, payload: bigint): number {
    const ptr = this.allocate(16, type);
    this.setU32(ptr, kind);
    this.setU64(ptr + 8, payload);
    return ptr;
  }

  readEnum(ptr: number): { kind: number; payload: bigint } {
    return { kind: this.i32(ptr), payload: this.u64(ptr + 8) };
  }
}

/** graph-ts BigInt: signed, little-endian two's complement bytes. */
export function bigIntFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return bytes[bytes.length - 1]! & 0x80 ? n - (1n << BigInt(bytes.length * 8)) : n;
}

/** The shortest two's complement encoding, as graph-node's `to_signed_bytes_le`. */
export function bigIntToBytes(n: bigint): Uint8Array {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(v & 0xffn);
    v >>= 8n;
    out.push(byte);
    if ((v === 0n && !(byte & 0x80)) || (v === -1n && byte & 0x80)) break;
  }
  return Uint8Array.from(out);
}
