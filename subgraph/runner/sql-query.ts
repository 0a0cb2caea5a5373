/**
 * graph-node's `where`, `orderBy` and pagination, compiled to one parameterized SQL query per
 * collection. Which keys a filter accepts (field plus suffix) is decided when the GraphQL schema is
 * built (see filterKeys); here each key becomes a predicate on its column.
 */
import { GraphQLError } from "graphql";
import { BLOCK_COLUMN, quote, REGION_COLUMN, table } from "./database.ts";
import type { EntityField, EntityType, SubgraphSchema } from "./schema.ts";

export const EQUALITY = ["", "_not"];
export const COMPARISON = ["_gt", "_lt", "_gte", "_lte"];
export const MEMBERSHIP = ["_in", "_not_in"];
export const STRING_MATCH = [
  "_contains", "_contains_nocase", "_not_contains", "_not_contains_nocase", "_starts_with", "_starts_with_nocase",
  "_not_starts_with", "_not_starts_with_nocase", "_ends_with", "_ends_with_nocase", "_not_ends_with", "_not_ends_with_nocase",
];
export const LIST_MATCH = ["_contains", "_contains_nocase", "_not_contains", "_not_contains_nocase"];

export type FilterKey =
  | { kind: "op"; field: EntityField; op: string }
  | { kind: "nested"; field: EntityField }
  | { kind: "and" }
  | { kind: "or" }
  | { kind: "change_block" };

/**
 * The GraphQL type a field is filtered with, as graph-node's api.rs decides: references by the
 * referenced id as a String (Int for Int8 ids), whatever the id's stored type.
 */
export function filterScalar(field: EntityField): string {
  if (field.type.kind === "entity") return field.type.scalar === "Int8" ? "Int" : "String";
  if (field.type.kind === "enum") return field.type.name;
  return field.type.name;
}

/** The suffixes graph-node generates for a field (api.rs `field_filter_ops`). */
export function suffixesFor(field: EntityField): string[] {
  const type = field.type;
  if (field.derivedFrom) return [];
  if (type.list) return [...EQUALITY, ...LIST_MATCH];
  if (type.kind === "enum") return [...EQUALITY, ...MEMBERSHIP];
  switch (filterScalar(field)) {
    case "Boolean":
      return [...EQUALITY, ...MEMBERSHIP];
    case "Bytes":
      return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP, "_contains", "_not_contains"];
    case "String":
      return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP, ...STRING_MATCH];
    case "ID":
    case "BigInt":
    case "BigDecimal":
    case "Int":
    case "Int8":
    case "Timestamp":
      return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP];
    default:
      return EQUALITY;
  }
}

export class SqlParams {
  readonly values: unknown[] = [];

  /** A parameter converted to the field's column type. */
  add(field: EntityField, value: unknown, asList = field.type.list): string {
    const scalar = field.type.scalar;
    const convert = scalar === "Bytes" ? (v: unknown) => hexBody(field, v) : (v: unknown) => v;
    this.values.push(asList ? (value as unknown[]).map(convert) : convert(value));
    const ref = `$${this.values.length}`;
    if (scalar === "Bytes") return asList ? `ARRAY(SELECT decode(x, 'hex') FROM unnest(${ref}::text[]) x)` : `decode(${ref}::text, 'hex')`;
    const cast = { BigInt: "numeric", BigDecimal: "numeric", Int: "integer", Int8: "bigint", Timestamp: "bigint", Boolean: "boolean" }[scalar as string] ?? "text";
    return `${ref}::${cast}${asList ? "[]" : ""}`;
  }

  raw(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** A Bytes value (or a Bytes id given as a String) as the hex digits decode() takes. */
function hexBody(field: EntityField, value: unknown): string {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new GraphQLError(`${field.name}: ${JSON.stringify(value)} is not 0x-prefixed hex with an even number of digits`);
  }
  return value.slice(2).toLowerCase();
}

const likeEscape = (ref: string) => `replace(replace(replace(${ref}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;

function predicate(column: string, field: EntityField, op: string, value: unknown, params: SqlParams): string {
  const nullable = value === null;
  if (nullable && op !== "" && op !== "_not") throw new GraphQLError(`filter ${field.name}${op} needs a value, not null`);
  switch (op) {
    case "":
      return nullable ? `${column} IS NULL` : `${column} = ${params.add(field, value)}`;
    case "_not":
      return nullable ? `${column} IS NOT NULL` : `${column} IS DISTINCT FROM ${params.add(field, value)}`;
    case "_gt":
    case "_lt":
    case "_gte":
    case "_lte": {
      const sign = { _gt: ">", _lt: "<", _gte: ">=", _lte: "<=" }[op];
      // a Bytes id filtered as a String compares as its hex text, like the String it is given as
      if (field.type.kind === "entity" && field.type.scalar === "Bytes") return `('0x' || encode(${column}, 'hex')) ${sign} ${params.raw(String(value).toLowerCase(), "text")}`;
      return `${column} ${sign} ${params.add(field, value)}`;
    }
    case "_in":
    case "_not_in": {
      if (!Array.isArray(value)) throw new GraphQLError(`filter ${field.name}${op} needs a list`);
      const test = `${column} = ANY(${params.add(field, value, true)})`;
      return op === "_in" ? test : `NOT (${test})`;
    }
  }
  if (field.type.list) {
    const list = value as unknown[];
    const nocase = op.endsWith("_nocase");
    const test = nocase
      ? `(SELECT bool_and(EXISTS (SELECT 1 FROM unnest(${column}) have WHERE lower(have) = lower(want))) FROM unnest(${params.add(field, list)}) want)`
      : `${column} @> ${params.add(field, list)}`;
    return op.startsWith("_not") ? `NOT coalesce(${test}, false)` : `coalesce(${test}, false)`;
  }
  if (field.type.kind === "scalar" && field.type.scalar === "Bytes") {
    const test = `position(${params.add(field, value)} in ${column}) > 0`;
    return op === "_not_contains" ? `NOT (${test})` : test;
  }
  if (field.type.scalar === "Bytes") column = `('0x' || encode(${column}, 'hex'))`;
  const nocase = op.endsWith("_nocase");
  const base = op.replace(/^_not/, "").replace(/_nocase$/, "");
  const ref = likeEscape(params.raw(value, "text"));
  const pattern = base === "_contains" ? `'%' || ${ref} || '%'` : base === "_starts_with" ? `${ref} || '%'` : `'%' || ${ref}`;
  const test = `${column} ${nocase ? "ILIKE" : "LIKE"} ${pattern}`;
  return op.startsWith("_not") ? `NOT (${test})` : test;
}

export interface FilterContext {
  schema: SubgraphSchema;
  filterKeys: Map<string, Map<string, FilterKey>>;
  params: SqlParams;
  aliases: number;
}

/** SQL for a `where` object on `alias` (rows of `entity`). */
export function compileFilter(entity: EntityType, where: Record<string, unknown>, alias: string, ctx: FilterContext): string {
  const keys = ctx.filterKeys.get(entity.name)!;
  const parts: string[] = [];
  for (const [name, value] of Object.entries(where)) {
    if (value === undefined) continue;
    const key = keys.get(name);
    if (!key) throw new GraphQLError(`${entity.name}_filter has no field ${name}`);
    if (key.kind === "and" || key.kind === "or") {
      const subs = (value as Record<string, unknown>[] | null ?? []).map((sub) => `(${compileFilter(entity, sub, alias, ctx)})`);
      if (subs.length > 0) parts.push(`(${subs.join(key.kind === "and" ? " AND " : " OR ")})`);
    } else if (key.kind === "change_block") {
      const gte = (value as { number_gte: number }).number_gte;
      parts.push(`${alias}.${BLOCK_COLUMN} >= ${ctx.params.raw(gte, "integer")}`);
    } else if (key.kind === "nested") {
      parts.push(nested(entity, key.field, value as Record<string, unknown>, alias, ctx));
    } else {
      parts.push(predicate(`${alias}.${quote(key.field.name)}`, key.field, key.op, value, ctx.params));
    }
  }
  return parts.length > 0 ? parts.join(" AND ") : "true";
}

function nested(entity: EntityType, field: EntityField, where: Record<string, unknown>, alias: string, ctx: FilterContext): string {
  const target = ctx.schema.entities.get(field.type.name)!;
  const child = `c${++ctx.aliases}`;
  const inner = compileFilter(target, where ?? {}, child, ctx);
  if (field.derivedFrom) {
    const back = target.fieldsByName.get(field.derivedFrom)!;
    const link = back.type.list ? `${alias}.id = ANY(${child}.${quote(back.name)})` : `${child}.${quote(back.name)} = ${alias}.id`;
    return `EXISTS (SELECT 1 FROM ${table(target)} ${child} WHERE ${link} AND ${inner})`;
  }
  const link = field.type.list ? `${child}.id = ANY(${alias}.${quote(field.name)})` : `${child}.id = ${alias}.${quote(field.name)}`;
  return `EXISTS (SELECT 1 FROM ${table(target)} ${child} WHERE ${link} AND ${inner})`;
}

/** ORDER BY for `orderBy` (a field, or `reference__field`), always ending with the id. */
export function compileOrder(entity: EntityType, orderBy: string | undefined, direction: "asc" | "desc" | undefined, alias: string, schema: SubgraphSchema): string {
  const dir = direction === "desc" ? "DESC" : "ASC";
  if (!orderBy) return `${alias}.id ${dir}, ${alias}.${REGION_COLUMN}`;
  const [name, childName] = orderBy.split("__") as [string, string | undefined];
  const field = entity.fieldsByName.get(name);
  if (!field) throw new GraphQLError(`${entity.name} has no field ${name} to order by`);
  let expression = `${alias}.${quote(field.name)}`;
  if (childName !== undefined) {
    const target = schema.entities.get(field.type.name)!;
    const child = target.fieldsByName.get(childName)!;
    const link = field.derivedFrom ? `o.${quote(field.derivedFrom)} = ${alias}.id` : `o.id = ${alias}.${quote(field.name)}`;
    expression = `(SELECT o.${quote(child.name)} FROM ${table(target)} o WHERE ${link} ORDER BY o.${REGION_COLUMN} LIMIT 1)`;
  } else if (field.derivedFrom) {
    throw new GraphQLError(`${entity.name}.${field.name} is derived: order by one of its fields (${field.name}__<field>) instead`);
  }
  return `${expression} ${dir}, ${alias}.id ${dir}, ${alias}.${REGION_COLUMN}`;
}
