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

/** The suffixes graph-node generates for a field, by its type. */
export function suffixesFor(field: EntityField): string[] {
  const type = field.type;
  if (field.derivedFrom) return [];
  if (type.list) return [...EQUALITY, ...LIST_MATCH];
  if (type.kind === "enum" || type.scalar === "Boolean") return [...EQUALITY, ...MEMBERSHIP];
  if (field.name === "id" && type.scalar !== "Bytes") return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP];
  if (type.scalar === "String" || type.scalar === "ID") return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP, ...STRING_MATCH];
  if (type.scalar === "Bytes") return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP, "_contains", "_not_contains"];
  return [...EQUALITY, ...COMPARISON, ...MEMBERSHIP];
}

export class SqlParams {
  readonly values: unknown[] = [];

  /** A parameter converted to the field's column type. */
  add(field: EntityField, value: unknown, asList = field.type.list): string {
    this.values.push(asList ? (value as unknown[]).map(wire) : wire(value));
    const ref = `$${this.values.length}`;
    const scalar = field.type.scalar;
    if (scalar === "Bytes") return asList ? `ARRAY(SELECT decode(x, 'hex') FROM unnest(${ref}::text[]) x)` : `decode(${ref}::text, 'hex')`;
    const cast = { BigInt: "numeric", BigDecimal: "numeric", Int: "integer", Int8: "bigint", Timestamp: "bigint", Boolean: "boolean" }[scalar as string] ?? "text";
    return `${ref}::${cast}${asList ? "[]" : ""}`;
  }

  raw(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** GraphQL input values in the form the SQL parameters take (Bytes without 0x). */
function wire(value: unknown): unknown {
  if (typeof value === "string" && /^0x([0-9a-f]{2})*$/.test(value)) return value.slice(2);
  return value;
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
  if (field.type.scalar === "Bytes") {
    const test = `position(${params.add(field, value)} in ${column}) > 0`;
    return op === "_not_contains" ? `NOT (${test})` : test;
  }
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
    expression = `(SELECT o.${quote(child.name)} FROM ${table(target)} o WHERE o.id = ${alias}.${quote(field.name)} ORDER BY o.${REGION_COLUMN} LIMIT 1)`;
  }
  return `${expression} ${dir}, ${alias}.id ${dir}, ${alias}.${REGION_COLUMN}`;
}
