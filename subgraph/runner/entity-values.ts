/**
 * Entity attribute values in JavaScript and their graph-ts `Value` form in wasm memory. The
 * schema decides the representation: a field's declared type picks the ValueKind on the way in
 * (and a mismatch is the mapping's error, as in graph-node) and on the way out.
 */
import { AscHeap, bigIntFromBytes, bigIntToBytes } from "./asc-heap.ts";
import { Decimal } from "./decimal.ts";
import type { EntityField, EntityType, FieldType, IdType } from "./schema.ts";

export type EntityValue = string | number | boolean | bigint | Uint8Array | Decimal | null | EntityValue[];
export type EntityData = Record<string, EntityValue>;

/** graph-ts common/value.ts ValueKind */
export const ValueKind = { STRING: 0, INT: 1, BIGDECIMAL: 2, BOOL: 3, ARRAY: 4, NULL: 5, BYTES: 6, BIGINT: 7, INT8: 8, TIMESTAMP: 9 } as const;
const KIND_NAMES = ["String", "Int", "BigDecimal", "Boolean", "Array", "null", "Bytes", "BigInt", "Int8", "Timestamp"];

/** A deterministic mapping failure (graph-node's "deterministic host error"): it fails the block. */
export class MappingError extends Error {}

export function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

export function fromHex(text: string): Uint8Array {
  const body = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new MappingError(`"${text}" is not valid hex`);
  return new Uint8Array(Buffer.from(body, "hex"));
}

/** The key of an id in maps and in the database's text form. */
export function idKey(idType: IdType, id: EntityValue): string {
  if (idType === "Bytes" && id instanceof Uint8Array) return hex(id);
  if (idType === "Int8" && typeof id === "bigint") return id.toString();
  if (idType === "String" && typeof id === "string") return id;
  throw new MappingError(`id ${String(id)} is not of type ${idType}`);
}

/** The id value for a key (inverse of idKey). */
export function idFromKey(idType: IdType, key: string): EntityValue {
  return idType === "Bytes" ? fromHex(key) : idType === "Int8" ? BigInt(key) : key;
}

/** The ValueKind a scalar is stored with. */
function kindOf(type: FieldType): number {
  switch (type.scalar) {
    case "ID":
    case "String":
    case "Enum":
      return ValueKind.STRING;
    case "Int":
      return ValueKind.INT;
    case "BigDecimal":
      return ValueKind.BIGDECIMAL;
    case "Boolean":
      return ValueKind.BOOL;
    case "Bytes":
      return ValueKind.BYTES;
    case "BigInt":
      return ValueKind.BIGINT;
    case "Int8":
      return ValueKind.INT8;
    case "Timestamp":
      return ValueKind.TIMESTAMP;
  }
}

export function typeName(type: FieldType): string {
  const inner = type.name + (type.list && type.itemNonNull ? "!" : "");
  return (type.list ? `[${inner}]` : inner) + (type.nonNull ? "!" : "");
}

/** Reads a store `Value` as the field's declared type requires. */
export function readValue(heap: AscHeap, ptr: number, entity: EntityType, field: EntityField, id: string): EntityValue {
  const fail = (kind: number) =>
    new MappingError(`Entity ${entity.name}[${id}]: the value for field \`${field.name}\` must have type ${typeName(field.type)} but has type ${KIND_NAMES[kind] ?? kind}`);
  const { kind, payload } = heap.readEnum(ptr);
  if (kind === ValueKind.NULL) return null;
  if (field.type.list) {
    if (kind !== ValueKind.ARRAY) throw fail(kind);
    return heap.readArray(Number(payload)).map((item) => {
      const value = readScalar(heap, item, field.type, fail);
      if (value === null && field.type.itemNonNull) throw new MappingError(`Entity ${entity.name}[${id}]: field \`${field.name}\` must not contain null`);
      return value;
    });
  }
  return readScalar(heap, ptr, field.type, fail);
}

function readScalar(heap: AscHeap, ptr: number, type: FieldType, fail: (kind: number) => Error): EntityValue {
  const { kind, payload } = heap.readEnum(ptr);
  if (kind === ValueKind.NULL) return null;
  const expected = kindOf(type);
  // graph-node accepts an Int where an Int8 is declared
  if (kind !== expected && !(expected === ValueKind.INT8 && kind === ValueKind.INT)) throw fail(kind);
  const pointer = Number(payload & 0xffffffffn);
  switch (kind) {
    case ValueKind.STRING:
      return heap.readString(pointer);
    case ValueKind.INT:
      return expected === ValueKind.INT8 ? BigInt(BigInt.asIntN(32, payload)) : Number(BigInt.asIntN(32, payload));
    case ValueKind.INT8:
    case ValueKind.TIMESTAMP:
      return BigInt.asIntN(64, payload);
    case ValueKind.BOOL:
      return payload !== 0n;
    case ValueKind.BYTES:
      return heap.readBytes(pointer);
    case ValueKind.BIGINT:
      return bigIntFromBytes(heap.readBytes(pointer));
    case ValueKind.BIGDECIMAL:
      return readDecimal(heap, pointer);
    default:
      throw fail(kind);
  }
}

export function readDecimal(heap: AscHeap, ptr: number): Decimal {
  const digits = bigIntFromBytes(heap.readBytes(heap.u32(ptr)));
  const exp = bigIntFromBytes(heap.readBytes(heap.u32(ptr + 4)));
  return Decimal.of(digits, Number(exp));
}

export function writeDecimal(heap: AscHeap, value: Decimal): number {
  const digits = heap.writeBytes(bigIntToBytes(value.digits));
  const exp = heap.writeBytes(bigIntToBytes(BigInt(value.exp)));
  return heap.writeObject("BigDecimal", [digits, exp]);
}

/** Writes a store `Value` of the field's declared type. */
export function writeValue(heap: AscHeap, value: EntityValue, type: FieldType): number {
  if (value === null) return heap.writeEnum("StoreValue", ValueKind.NULL, 0n);
  if (Array.isArray(value)) {
    const items = value.map((item) => writeValue(heap, item, { ...type, list: false }));
    return heap.writeEnum("StoreValue", ValueKind.ARRAY, BigInt(heap.writeArray(items, "ArrayStoreValue")));
  }
  const kind = kindOf(type);
  switch (kind) {
    case ValueKind.STRING:
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeString(value as string)));
    case ValueKind.INT:
      return heap.writeEnum("StoreValue", kind, BigInt.asUintN(64, BigInt(value as number)));
    case ValueKind.INT8:
    case ValueKind.TIMESTAMP:
      return heap.writeEnum("StoreValue", kind, BigInt.asUintN(64, value as bigint));
    case ValueKind.BOOL:
      return heap.writeEnum("StoreValue", kind, value ? 1n : 0n);
    case ValueKind.BYTES:
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeBytes(value as Uint8Array)));
    case ValueKind.BIGINT:
      return heap.writeEnum("StoreValue", kind, BigInt(heap.writeBytes(bigIntToBytes(value as bigint))));
    default:
      return heap.writeEnum("StoreValue", kind, BigInt(writeDecimal(heap, value as Decimal)));
  }
}

/** An `Entity` (TypedMap<string, Value>) holding the entity's non-null stored fields. */
export function writeEntity(heap: AscHeap, entity: EntityType, data: EntityData): number {
  const entries: number[] = [];
  for (const field of entity.stored) {
    const value = data[field.name];
    if (value === undefined || value === null) continue;
    entries.push(heap.writeObject("TypedMapEntryStringStoreValue", [heap.writeString(field.name), writeValue(heap, value, field.type)]));
  }
  return heap.writeObject("TypedMapStringStoreValue", [heap.writeArray(entries, "ArrayTypedMapEntryStringStoreValue")]);
}

/** Reads an `Entity` map: attribute name to value pointer. */
export function readTypedMap(heap: AscHeap, ptr: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of heap.readArray(heap.u32(ptr))) out.set(heap.readString(heap.u32(entry)), heap.u32(entry + 4));
  return out;
}
