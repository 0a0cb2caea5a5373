/**
 * Store `Value`s without a schema, kept by kind: a DataSourceContext is an arbitrary Entity that
 * must survive a restart (it is saved as JSON with the dynamic data source) and come back to the
 * mapping exactly as it was set.
 */
import { AscHeap, bigIntFromBytes, bigIntToBytes } from "./asc-heap.ts";
import { Decimal } from "./decimal.ts";
import { fromHex, hex, readDecimal, readTypedMap, ValueKind, writeDecimal } from "./entity-values.ts";

/** JSON-safe: numbers that do not fit a double are decimal strings, bytes are hex. */
export type TaggedValue = { kind: number; value: string | number | boolean | null | TaggedValue[] };
export type TaggedEntry = [string, TaggedValue];

export function readTaggedValue(heap: AscHeap, ptr: number): TaggedValue {
  const { kind, payload } = heap.readEnum(ptr);
  const pointer = Number(payload & 0xffffffffn);
  switch (kind) {
    case ValueKind.STRING:
      return { kind, value: heap.readString(pointer) };
    case ValueKind.INT:
      return { kind, value: Number(BigInt.asIntN(32, payload)) };
    case ValueKind.BOOL:
      return { kind, value: payload !== 0n };
    case ValueKind.ARRAY:
      return { kind, value: heap.readArray(pointer).map((item) => readTaggedValue(heap, item)) };
    case ValueKind.BYTES:
      return { kind, value: hex(heap.readBytes(pointer)) };
    case ValueKind.BIGINT:
      return { kind, value: bigIntFromBytes(heap.readBytes(pointer)).toString() };
    case ValueKind.BIGDECIMAL:
      return { kind, value: readDecimal(heap, pointer).toString() };
    case ValueKind.INT8:
    case ValueKind.TIMESTAMP:
      return { kind, value: BigInt.asIntN(64, payload).toString() };
    default:
      return { kind: ValueKind.NULL, value: null };
  }
}

export function writeTaggedValue(heap: AscHeap, tagged: TaggedValue): number {
  const { kind, value } = tagged;
  switch (kind) {
    case ValueKind.STRING:
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeString(value as string)));
    case ValueKind.INT:
      return heap.writeEnum("StoreValue", kind, BigInt.asUintN(64, BigInt(value as number)));
    case ValueKind.BOOL:
      return heap.writeEnum("StoreValue", kind, value ? 1n : 0n);
    case ValueKind.ARRAY: {
      const items = (value as TaggedValue[]).map((item) => writeTaggedValue(heap, item));
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeArray(items, "ArrayStoreValue")));
    }
    case ValueKind.BYTES:
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeBytes(fromHex(value as string))));
    case ValueKind.BIGINT:
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeBytes(bigIntToBytes(BigInt(value as string)))));
    case ValueKind.BIGDECIMAL:
      return heap.writeEnum("StoreValue", kind, BigInt(writeDecimal(heap, Decimal.parse(value as string))));
    case ValueKind.INT8:
    case ValueKind.TIMESTAMP:
      return heap.writeEnum("StoreValue", kind, BigInt.asUintN(64, BigInt(value as string)));
    default:
      return heap.writeEnum("StoreValue", ValueKind.NULL, 0n);
  }
}

export function readTagged(heap: AscHeap, ptr: number): TaggedEntry[] {
  return [...readTypedMap(heap, ptr)].map(([key, value]) => [key, readTaggedValue(heap, value)]);
}

export function writeTagged(heap: AscHeap, entries: readonly TaggedEntry[]): number {
  const pointers = entries.map(([key, value]) =>
    heap.writeObject("TypedMapEntryStringStoreValue", [heap.writeString(key), writeTaggedValue(heap, value)]),
  );
  return heap.writeObject("TypedMapStringStoreValue", [heap.writeArray(pointers, "ArrayTypedMapEntryStringStoreValue")]);
}
