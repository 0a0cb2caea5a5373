/**
 * The query schema graph-node generates from a subgraph's schema.graphql (for tests that check
 * queries with graphql-js `validate`): per entity a single-entity and a collection field on Query,
 * `<Entity>_filter` inputs with graph-node's suffix filters (nested `field_` filters, `and`/`or`),
 * `<Entity>_orderBy` enums (with one level of `field__child`), list fields with pagination
 * arguments, `Block_height` and `_meta`. Built from the runner's schema reader, so it follows
 * subgraph/schema.graphql as it changes.
 */
import { buildSchema, type GraphQLSchema } from "graphql";
import { parseSchema, type EntityField, type EntityType } from "../../../subgraph/runner/schema.ts";

const ORDERED = ["", "_not", "_gt", "_lt", "_gte", "_lte", "_in", "_not_in"];
const TEXT = [
  ...ORDERED, "_contains", "_contains_nocase", "_not_contains", "_not_contains_nocase", "_starts_with", "_starts_with_nocase",
  "_not_starts_with", "_not_starts_with_nocase", "_ends_with", "_ends_with_nocase", "_not_ends_with", "_not_ends_with_nocase",
];
const SUFFIXES: Record<string, string[]> = {
  ID: TEXT, String: TEXT, Bytes: [...ORDERED, "_contains", "_not_contains"],
  BigInt: ORDERED, BigDecimal: ORDERED, Int: ORDERED, Int8: ORDERED, Timestamp: ORDERED,
  Boolean: ["", "_not", "_in", "_not_in"], Enum: ["", "_not", "_in", "_not_in"],
};
const LIST_SUFFIXES = ["", "_not", "_contains", "_contains_nocase", "_not_contains", "_not_contains_nocase"];

function filterType(base: string, suffix: string): string {
  return suffix.endsWith("_in") ? `[${base}!]` : base;
}

function filterFields(entity: EntityType): string[] {
  const out: string[] = [];
  for (const field of entity.fields) {
    const t = field.type;
    if (field.derivedFrom) {
      out.push(`${field.name}_: ${t.name}_filter`);
      continue;
    }
    // References are filtered by the referenced id as a String, whatever the id's type.
    const base = t.kind === "entity" ? "String" : t.name;
    if (t.list) {
      for (const s of LIST_SUFFIXES) out.push(`${field.name}${s}: [${base}!]`);
    } else {
      for (const s of SUFFIXES[t.kind === "entity" ? "String" : t.kind === "enum" ? "Enum" : t.name]!) out.push(`${field.name}${s}: ${filterType(base, s)}`);
    }
    if (t.kind === "entity") out.push(`${field.name}_: ${t.name}_filter`);
  }
  out.push("_change_block: BlockChangedFilter", `and: [${entity.name}_filter]`, `or: [${entity.name}_filter]`);
  return out;
}

function orderValues(entity: EntityType, entities: Map<string, EntityType>): string[] {
  const out: string[] = [];
  for (const field of entity.fields) {
    out.push(field.name);
    if (field.type.kind === "entity" && !field.type.list && !field.derivedFrom) {
      for (const child of entities.get(field.type.name)!.fields) {
        if (child.type.kind !== "entity" && !child.type.list) out.push(`${field.name}__${child.name}`);
      }
    }
  }
  return out;
}

function collectionArgs(typeName: string): string {
  return `(skip: Int = 0, first: Int = 100, orderBy: ${typeName}_orderBy, orderDirection: OrderDirection, where: ${typeName}_filter)`;
}

function objectField(field: EntityField): string {
  const t = field.type;
  const named = `${t.name}${t.itemNonNull || t.kind === "entity" ? "!" : ""}`;
  if (t.list) return `${field.name}${t.kind === "entity" ? collectionArgs(t.name) : ""}: [${named}]${t.nonNull ? "!" : ""}`;
  return `${field.name}: ${t.name}${t.nonNull ? "!" : ""}`;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function plural(name: string): string {
  const lower = lowerFirst(name);
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export function graphNodeQuerySdl(source: string): string {
  const { entities, enums } = parseSchema(source);
  const parts = [
    "scalar BigInt", "scalar BigDecimal", "scalar Bytes", "scalar Int8", "scalar Timestamp",
    "enum OrderDirection { asc desc }",
    "enum _SubgraphErrorPolicy_ { allow deny }",
    "input Block_height { hash: Bytes number: Int number_gte: Int }",
    "input BlockChangedFilter { number_gte: Int! }",
    "type _Block_ { hash: Bytes number: Int! timestamp: Int parentHash: Bytes }",
    "type _Meta_ { block: _Block_! deployment: String! hasIndexingErrors: Boolean! }",
  ];
  for (const [name, values] of enums) parts.push(`enum ${name} { ${values.join(" ")} }`);
  const query: string[] = [];
  for (const entity of entities.values()) {
    parts.push(`type ${entity.name} {\n  ${entity.fields.map(objectField).join("\n  ")}\n}`);
    parts.push(`input ${entity.name}_filter {\n  ${filterFields(entity).join("\n  ")}\n}`);
    parts.push(`enum ${entity.name}_orderBy { ${orderValues(entity, entities).join(" ")} }`);
    const tail = "block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny";
    query.push(`${lowerFirst(entity.name)}(id: ID!, ${tail}): ${entity.name}`);
    query.push(`${plural(entity.name)}${collectionArgs(entity.name).slice(0, -1)}, ${tail}): [${entity.name}!]!`);
  }
  query.push("_meta(block: Block_height): _Meta_");
  parts.push(`type Query {\n  ${query.join("\n  ")}\n}`);
  return parts.join("\n\n");
}

export function graphNodeQuerySchema(source: string): GraphQLSchema {
  return buildSchema(graphNodeQuerySdl(source));
}
