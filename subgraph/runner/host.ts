/**
 * The graph-ts host functions, by import name, as graph-node implements them for the built
 * mappings: store, logging, type conversions, BigInt/BigDecimal arithmetic, JSON, keccak256 and
 * data sources. A mapping importing anything else fails to load with the missing names listed.
 */
import { keccak256 } from "viem";
import bs58 from "./base58.ts";
import { AscHeap, bigIntFromBytes, bigIntToBytes } from "./asc-heap.ts";
import { Decimal, DecimalError } from "./decimal.ts";
import {
  fromHex, hex, idKey, MappingError, readDecimal, readTypedMap, readValue, writeDecimal, writeEntity, type EntityData,
} from "./entity-values.ts";
import type { EntityStore } from "./entity-store.ts";
import { parseJsonText, type JsonText } from "./json-text.ts";
import { readTagged, writeTagged, type TaggedEntry } from "./tagged-values.ts";

export type LogLevel = "critical" | "error" | "warning" | "info" | "debug";
const LEVELS: LogLevel[] = ["critical", "error", "warning", "info", "debug"];

/** What the host functions know about the trigger being handled. */
export interface TriggerContext {
  store: EntityStore;
  dataSource: {
    name: string;
    network: string;
    /** The contract address, or for a file data source the UTF-8 bytes of its CID. */
    address: Uint8Array;
    context: TaggedEntry[] | null;
    /** 0 for chain data sources; a file data source's own causality region otherwise. */
    region: number;
    /** File data sources may only write the entity types their template lists. */
    entities: ReadonlySet<string> | null;
  };
  log(level: LogLevel, message: string): void;
  createDataSource(template: string, params: string[], context: TaggedEntry[] | null): void;
}

/** Thrown by `abort` and by host errors: the handler failed deterministically. */
export class MappingAbort extends Error {}

type HostFunction = (...args: never[]) => number | bigint | void;

export function hostFunctions(heap: () => AscHeap, trigger: () => TriggerContext): Map<string, HostFunction> {
  const str = (ptr: number) => heap().readString(ptr);
  const bytes = (ptr: number) => heap().readBytes(ptr);
  const big = (ptr: number) => bigIntFromBytes(heap().readBytes(ptr));
  const newBig = (n: bigint) => heap().writeBytes(bigIntToBytes(n));
  const dec = (ptr: number) => readDecimal(heap(), ptr);
  const newDec = (d: Decimal) => writeDecimal(heap(), d);
  const newStr = (s: string) => heap().writeString(s);

  const keyFor = (type: string, idPtr: number): string => {
    const entity = trigger().store.entityType(type);
    const id = str(idPtr);
    // ids cross the boundary as strings; Bytes ids as their hex form
    return entity.idType === "Bytes" ? idKey("Bytes", fromHex(id)) : id;
  };
  const checkWritable = (type: string) => {
    const { entities, name } = trigger().dataSource;
    if (entities && !entities.has(type)) {
      throw new MappingError(`entity type \`${type}\` is not on the 'entities' list for data source \`${name}\`; file data sources may only write the entities their template lists`);
    }
  };
  const entityOrNull = (type: string, data: EntityData | null): number =>
    data === null ? 0 : writeEntity(heap(), trigger().store.entityType(type), data);

  const functions: Record<string, HostFunction> = {
    abort: (message: number, file: number, line: number, column: number) => {
      const text = message ? str(message) : "(no message)";
      const where = file ? `${str(file)}, line ${line}, column ${column}` : "an unknown location";
      throw new MappingAbort(`Mapping aborted at ${where}, with message: ${text}`);
    },

    "store.get": (type: number, id: number) => {
      const name = str(type);
      return entityOrNull(name, trigger().store.get(name, keyFor(name, id), trigger().dataSource.region));
    },
    "store.get_in_block": (type: number, id: number) => {
      const name = str(type);
      return entityOrNull(name, trigger().store.getInBlock(name, keyFor(name, id), trigger().dataSource.region));
    },
    "store.set": (type: number, id: number, data: number) => {
      const name = str(type);
      checkWritable(name);
      const entity = trigger().store.entityType(name);
      const key = keyFor(name, id);
      const attributes: EntityData = {};
      for (const [field, valuePtr] of readTypedMap(heap(), data)) {
        const definition = entity.fieldsByName.get(field);
        if (!definition) throw new MappingError(`Entity ${name}[${key}]: unknown field \`${field}\`; it is not in the schema`);
        if (definition.derivedFrom) throw new MappingError(`Entity ${name}[${key}]: field \`${field}\` is derived and can not be set`);
        attributes[field] = readValue(heap(), valuePtr, entity, definition, key);
      }
      if (attributes.id !== undefined && attributes.id !== null && idKey(entity.idType, attributes.id) !== key) {
        throw new MappingError(`Entity ${name}[${key}]: the value of the id attribute conflicts with the id passed to store.set()`);
      }
      attributes.id = entity.idType === "Bytes" ? fromHex(key) : entity.idType === "Int8" ? BigInt(key) : key;
      trigger().store.set(name, key, attributes, trigger().dataSource.region);
    },
    "store.remove": (type: number, id: number) => {
      const name = str(type);
      checkWritable(name);
      trigger().store.remove(name, keyFor(name, id), trigger().dataSource.region);
    },
    "store.loadRelated": (type: number, id: number, field: number) => {
      const name = str(type);
      const related = trigger().store.loadRelated(name, keyFor(name, id), str(field), trigger().dataSource.region);
      const items = related.items.map((data) => writeEntity(heap(), related.type, data));
      return heap().writeArray(items, "ArrayTypedMapEntryStringStoreValue");
    },

    "log.log": (level: number, message: number) => {
      const text = str(message);
      const name = LEVELS[level] ?? "info";
      trigger().log(name, text);
      // graph-node: a critical log fails the subgraph
      if (name === "critical") throw new MappingAbort(`Critical error logged in mapping: ${text}`);
    },

    "typeConversion.bytesToString": (ptr: number) => newStr(Buffer.from(bytes(ptr)).toString("utf8").replace(/\u0000/g, "")),
    "typeConversion.bytesToHex": (ptr: number) => newStr(hex(bytes(ptr))),
    "typeConversion.bigIntToString": (ptr: number) => newStr(big(ptr).toString()),
    "typeConversion.bigIntToHex": (ptr: number) => {
      const n = big(ptr);
      return newStr(n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);
    },
    "typeConversion.stringToH160": (ptr: number) => {
      const text = str(ptr);
      const raw = fromHex(text);
      if (raw.length !== 20) throw new MappingError(`Failed to convert string to Address/H160: '${text}'`);
      return heap().writeBytes(raw);
    },
    "typeConversion.bytesToBase58": (ptr: number) => newStr(bs58(bytes(ptr))),

    "bigInt.plus": (x: number, y: number) => newBig(big(x) + big(y)),
    "bigInt.minus": (x: number, y: number) => newBig(big(x) - big(y)),
    "bigInt.times": (x: number, y: number) => newBig(big(x) * big(y)),
    "bigInt.dividedBy": (x: number, y: number) => {
      const divisor = big(y);
      if (divisor === 0n) throw new MappingError("attempted to divide BigInt by zero");
      return newBig(big(x) / divisor);
    },
    "bigInt.dividedByDecimal": (x: number, y: number) => newDec(decimalOp(() => Decimal.fromBigInt(big(x)).dividedBy(dec(y)))),
    "bigInt.mod": (x: number, y: number) => {
      const divisor = big(y);
      if (divisor === 0n) throw new MappingError("attempted to calculate the remainder of BigInt with a divisor of zero");
      return newBig(big(x) % divisor);
    },
    "bigInt.pow": (x: number, exp: number) => newBig(big(x) ** BigInt(exp & 0xff)),
    "bigInt.fromString": (s: number) => {
      const text = str(s);
      if (!/^-?\d+$/.test(text)) throw new MappingError(`failed to parse BigInt from "${text}"`);
      return newBig(BigInt(text));
    },
    "bigInt.bitOr": (x: number, y: number) => newBig(big(x) | big(y)),
    "bigInt.bitAnd": (x: number, y: number) => newBig(big(x) & big(y)),
    "bigInt.leftShift": (x: number, bits: number) => newBig(big(x) << BigInt(bits & 0xff)),
    "bigInt.rightShift": (x: number, bits: number) => newBig(big(x) >> BigInt(bits & 0xff)),

    "bigDecimal.plus": (x: number, y: number) => newDec(dec(x).plus(dec(y))),
    "bigDecimal.minus": (x: number, y: number) => newDec(dec(x).minus(dec(y))),
    "bigDecimal.times": (x: number, y: number) => newDec(dec(x).times(dec(y))),
    "bigDecimal.dividedBy": (x: number, y: number) => newDec(decimalOp(() => dec(x).dividedBy(dec(y)))),
    "bigDecimal.equals": (x: number, y: number) => (dec(x).equals(dec(y)) ? 1 : 0),
    "bigDecimal.toString": (x: number) => newStr(dec(x).toString()),
    "bigDecimal.fromString": (s: number) => newDec(decimalOp(() => Decimal.parse(str(s)))),

    "json.fromBytes": (ptr: number) => writeJson(heap(), parseJson(bytes(ptr))),
    "json.try_fromBytes": (ptr: number) => {
      const h = heap();
      let parsed: JsonText;
      try {
        parsed = parseJson(bytes(ptr));
      } catch {
        const error = h.allocate(4, "WrappedBool");
        h.setU32(error, 1);
        return h.writeObject("ResultJsonValueBool", [0, error]);
      }
      const value = h.writeObject("WrappedJsonValue", [writeJson(h, parsed)]);
      return h.writeObject("ResultJsonValueBool", [value, 0]);
    },
    "json.toI64": (s: number) => jsonInteger(str(s), -(2n ** 63n), 2n ** 63n - 1n, "i64"),
    "json.toU64": (s: number) => BigInt.asIntN(64, jsonInteger(str(s), 0n, 2n ** 64n - 1n, "u64")),
    "json.toF64": (s: number) => {
      const text = str(s);
      const value = Number(text);
      if (!Number.isFinite(value)) throw new MappingError(`JSON value \`${text}\` is not an f64`);
      return value;
    },
    "json.toBigInt": (s: number) => {
      const text = str(s);
      if (!/^-?\d+$/.test(text)) throw new MappingError(`JSON value \`${text}\` is not an integer`);
      return newBig(BigInt(text));
    },

    "crypto.keccak256": (ptr: number) => heap().writeBytes(fromHex(keccak256(bytes(ptr)))),

    "dataSource.address": () => heap().writeBytes(trigger().dataSource.address),
    "dataSource.network": () => newStr(trigger().dataSource.network),
    "dataSource.context": () => {
      const context = trigger().dataSource.context;
      if (context === null) throw new MappingError(`data source \`${trigger().dataSource.name}\` has no context`);
      return writeTagged(heap(), context);
    },
    "dataSource.create": (name: number, params: number) => {
      trigger().createDataSource(str(name), heap().readArray(params).map(str), null);
    },
    "dataSource.createWithContext": (name: number, params: number, context: number) => {
      trigger().createDataSource(str(name), heap().readArray(params).map(str), readTagged(heap(), context));
    },
  };
  return new Map(Object.entries(functions));
}

function decimalOp(op: () => Decimal): Decimal {
  try {
    return op();
  } catch (error) {
    if (error instanceof DecimalError) throw new MappingError(error.message);
    throw error;
  }
}

function parseJson(raw: Uint8Array): JsonText {
  return parseJsonText(new TextDecoder("utf-8", { fatal: true }).decode(raw));
}

function jsonInteger(text: string, min: bigint, max: bigint, type: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new MappingError(`JSON value \`${text}\` is not an ${type}`);
  const n = BigInt(text);
  if (n < min || n > max) throw new MappingError(`JSON value \`${text}\` is out of range for ${type}`);
  return n;
}

/** graph-ts JSONValueKind: NULL 0, BOOL 1, NUMBER 2 (decimal text), STRING 3, ARRAY 4, OBJECT 5 */
function writeJson(heap: AscHeap, value: JsonText): number {
  switch (value.kind) {
    case "null":
      return heap.writeEnum("JsonValue", 0, 0n);
    case "bool":
      return heap.writeEnum("JsonValue", 1, value.value ? 1n : 0n);
    case "number":
      return heap.writeEnum("JsonValue", 2, BigInt(heap.writeString(value.text)));
    case "string":
      return heap.writeEnum("JsonValue", 3, BigInt(heap.writeString(value.value)));
    case "array": {
      const items = value.items.map((item) => writeJson(heap, item));
      return heap.writeEnum("JsonValue", 4, BigInt(heap.writeArray(items, "ArrayJsonValue")));
    }
    case "object": {
      const entries = value.entries.map(([key, item]) =>
        heap.writeObject("TypedMapEntryStringJsonValue", [heap.writeString(key), writeJson(heap, item)]),
      );
      const map = heap.writeObject("TypedMapStringJsonValue", [heap.writeArray(entries, "ArrayTypedMapEntryStringJsonValue")]);
      return heap.writeEnum("JsonValue", 5, BigInt(map));
    }
  }
}
