/**
 * The GraphQL API graph-node serves for a subgraph schema, built from schema.graphql: per entity a
 * single-entity field and a collection field (skip, first, orderBy, orderDirection, where, block,
 * subgraphError), `<Entity>_filter` inputs with the standard suffixes, nested `field_` filters and
 * and/or, `<Entity>_orderBy` enums (including `reference__field`), derived fields, and `_meta`.
 * Resolvers run SQL against the entity tables.
 */
import {
  GraphQLBoolean, GraphQLEnumType, GraphQLError, GraphQLID, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull,
  GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString,
  type GraphQLFieldConfig, type GraphQLFieldConfigArgumentMap, type GraphQLInputFieldConfigMap, type GraphQLInputType, type GraphQLOutputType,
} from "graphql";
import { fromColumn, quote, REGION_COLUMN, table, type EntityDatabase, type IndexerState } from "./database.ts";
import type { EntityData } from "./entity-values.ts";
import { BigDecimalScalar, BigIntScalar, BytesScalar, Int8Scalar, TimestampScalar } from "./graphql-scalars.ts";
import { collectionField, singleField } from "./naming.ts";
import type { EntityField, EntityType, SubgraphSchema } from "./schema.ts";
import { compileFilter, compileOrder, filterScalar, SqlParams, suffixesFor, type FilterContext, type FilterKey } from "./sql-query.ts";

export const MAX_FIRST = 1000;
const DEFAULT_FIRST = 100;
const MAX_SKIP = 2 ** 32 - 1;

export interface QueryContext {
  db: EntityDatabase;
  /** The indexer's state at the time of the query. */
  state: () => IndexerState;
  deployment: string;
}

/** A row as resolvers pass it down: entity values keyed by field name. */
type Row = EntityData & { __typename?: string };

interface CollectionArgs {
  skip?: number;
  first?: number;
  orderBy?: string;
  orderDirection?: "asc" | "desc";
  where?: Record<string, unknown>;
  block?: { hash?: string; number?: number; number_gte?: number };
}

export function buildApi(schema: SubgraphSchema): GraphQLSchema {
  const scalars = { ID: GraphQLID, String: GraphQLString, Bytes: BytesScalar, BigInt: BigIntScalar, BigDecimal: BigDecimalScalar, Int: GraphQLInt, Int8: Int8Scalar, Boolean: GraphQLBoolean, Timestamp: TimestampScalar };
  const enums = new Map([...schema.enums].map(([name, values]) => [name, new GraphQLEnumType({ name, values: Object.fromEntries(values.map((v) => [v, { value: v }])) })]));
  const orderDirection = new GraphQLEnumType({ name: "OrderDirection", description: "Defines the order direction, either ascending or descending", values: { asc: { value: "asc" }, desc: { value: "desc" } } });
  const errorPolicy = new GraphQLEnumType({
    name: "_SubgraphErrorPolicy_",
    values: {
      allow: { value: "allow", description: "Data will be returned even if the subgraph has indexing errors" },
      deny: { value: "deny", description: "If the subgraph has indexing errors, data will be omitted. The default." },
    },
  });
  const blockHeight = new GraphQLInputObjectType({
    name: "Block_height",
    fields: { hash: { type: BytesScalar }, number: { type: GraphQLInt }, number_gte: { type: GraphQLInt } },
  });
  const blockChanged = new GraphQLInputObjectType({ name: "BlockChangedFilter", fields: { number_gte: { type: new GraphQLNonNull(GraphQLInt) } } });

  const filterKeys = new Map<string, Map<string, FilterKey>>();
  const filters = new Map<string, GraphQLInputObjectType>();
  const orderBys = new Map<string, GraphQLEnumType>();
  const objects = new Map<string, GraphQLObjectType>();

  const scalarOf = (field: EntityField): GraphQLScalarType | GraphQLEnumType => {
    if (field.type.kind === "enum") return enums.get(field.type.name)!;
    return scalars[filterScalar(field) as keyof typeof scalars];
  };

  for (const entity of schema.entities.values()) {
    const keys = new Map<string, FilterKey>();
    filterKeys.set(entity.name, keys);
    const filter: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${entity.name}_filter`,
      fields: (): GraphQLInputFieldConfigMap => {
        const fields: GraphQLInputFieldConfigMap = {};
        for (const field of entity.fields) {
          const scalar = scalarOf(field);
          for (const suffix of suffixesFor(field)) {
            const list = field.type.list || suffix === "_in" || suffix === "_not_in";
            const type: GraphQLInputType = list ? new GraphQLList(new GraphQLNonNull(scalar)) : scalar;
            fields[field.name + suffix] = { type };
            keys.set(field.name + suffix, { kind: "op", field, op: suffix });
          }
          if (field.type.kind === "entity") {
            fields[`${field.name}_`] = { type: filters.get(field.type.name)! };
            keys.set(`${field.name}_`, { kind: "nested", field });
          }
        }
        fields._change_block = { type: blockChanged, description: "Filter for the block changed event." };
        fields.and = { type: new GraphQLList(filter) };
        fields.or = { type: new GraphQLList(filter) };
        keys.set("_change_block", { kind: "change_block" });
        keys.set("and", { kind: "and" });
        keys.set("or", { kind: "or" });
        return fields;
      },
    });
    filters.set(entity.name, filter);
  }

  for (const entity of schema.entities.values()) {
    // every field, plus `reference__field` for the scalar fields of single (even derived) references
    const values: Record<string, { value: string }> = {};
    for (const field of entity.fields) {
      values[field.name] = { value: field.name };
      if (field.type.kind === "entity" && !field.type.list) {
        for (const child of schema.entities.get(field.type.name)!.fields) {
          if (!child.type.list && child.type.kind !== "entity") values[`${field.name}__${child.name}`] = { value: `${field.name}__${child.name}` };
        }
      }
    }
    orderBys.set(entity.name, new GraphQLEnumType({ name: `${entity.name}_orderBy`, values }));
  }

  const filterContext = (params: SqlParams): FilterContext => ({ schema, filterKeys, params, aliases: 0 });

  const collectionArgs = (entity: EntityType): GraphQLFieldConfigArgumentMap => ({
    skip: { type: GraphQLInt, defaultValue: 0 },
    first: { type: GraphQLInt, defaultValue: DEFAULT_FIRST },
    orderBy: { type: orderBys.get(entity.name)! },
    orderDirection: { type: orderDirection },
    where: { type: filters.get(entity.name)! },
  });

  /** Rows of `entity` matching args; `link` restricts them to a parent's children. */
  async function collection(ctx: QueryContext, entity: EntityType, args: CollectionArgs, link?: (alias: string, params: SqlParams) => string): Promise<Row[]> {
    const first = args.first ?? DEFAULT_FIRST;
    const skip = args.skip ?? 0;
    if (first < 0 || first > MAX_FIRST) throw new GraphQLError(`The \`first\` argument must be between 0 and ${MAX_FIRST}, but is ${first}`);
    if (skip < 0 || skip > MAX_SKIP) throw new GraphQLError(`The \`skip\` argument must be between 0 and ${MAX_SKIP}, but is ${skip}`);
    const params = new SqlParams();
    const conditions = [compileFilter(entity, args.where ?? {}, "t", filterContext(params))];
    if (link) conditions.push(link("t", params));
    const order = compileOrder(entity, args.orderBy, args.orderDirection, "t", schema);
    const sql = `SELECT t.* FROM ${table(entity)} t WHERE ${conditions.join(" AND ")} ORDER BY ${order} LIMIT ${first} OFFSET ${skip}`;
    const { rows } = await ctx.db.pg.query<Record<string, unknown>>(sql, params.values);
    return rows.map((r) => toRow(entity, r));
  }

  async function byId(ctx: QueryContext, entity: EntityType, id: unknown): Promise<Row | null> {
    const params = new SqlParams();
    const idField = entity.fieldsByName.get("id")!;
    const sql = `SELECT t.* FROM ${table(entity)} t WHERE t.id = ${params.add(idField, id, false)} ORDER BY t.${REGION_COLUMN} LIMIT 1`;
    const { rows } = await ctx.db.pg.query<Record<string, unknown>>(sql, params.values);
    return rows[0] ? toRow(entity, rows[0]) : null;
  }

  const outputType = (field: EntityField): GraphQLOutputType => {
    const named: GraphQLOutputType =
      field.type.kind === "entity" ? objects.get(field.type.name)! : field.type.kind === "enum" ? enums.get(field.type.name)! : scalars[field.type.name as keyof typeof scalars];
    let type: GraphQLOutputType = named;
    if (field.type.list) type = new GraphQLList(field.type.itemNonNull ? new GraphQLNonNull(named) : named);
    return field.type.nonNull ? new GraphQLNonNull(type) : type;
  };

  for (const entity of schema.entities.values()) {
    const config: GraphQLObjectType = new GraphQLObjectType({
      name: entity.name,
      ...(entity.description ? { description: entity.description } : {}),
      fields: (): Record<string, GraphQLFieldConfig<Row, QueryContext>> => {
        const fields: Record<string, GraphQLFieldConfig<Row, QueryContext>> = {};
        for (const field of entity.fields) {
          const base = { type: outputType(field), ...(field.description ? { description: field.description } : {}) };
          if (field.type.kind !== "entity") {
            fields[field.name] = { ...base, resolve: (row) => row[field.name] ?? null };
            continue;
          }
          const target = schema.entities.get(field.type.name)!;
          if (field.derivedFrom) {
            const back = target.fieldsByName.get(field.derivedFrom)!;
            const link = (row: Row) => (alias: string, params: SqlParams) =>
              back.type.list
                ? `${params.add(entity.fieldsByName.get("id")!, serializeId(row.id), false)} = ANY(${alias}.${quote(back.name)})`
                : `${alias}.${quote(back.name)} = ${params.add(entity.fieldsByName.get("id")!, serializeId(row.id), false)}`;
            if (field.type.list) {
              fields[field.name] = { ...base, args: collectionArgs(target), resolve: (row, args: CollectionArgs, ctx) => collection(ctx, target, args, link(row)) };
            } else {
              fields[field.name] = { ...base, resolve: async (row, _args, ctx) => (await collection(ctx, target, { first: 1 }, link(row)))[0] ?? null };
            }
          } else if (field.type.list) {
            fields[field.name] = {
              ...base,
              args: collectionArgs(target),
              resolve: (row, args: CollectionArgs, ctx) => {
                const ids = row[field.name];
                if (!Array.isArray(ids)) return null;
                const idField = target.fieldsByName.get("id")!;
                return collection(ctx, target, args, (alias, params) => `${alias}.id = ANY(${params.add(idField, ids.map(serializeId), true)})`);
              },
            };
          } else {
            fields[field.name] = { ...base, resolve: (row, _args, ctx) => (row[field.name] == null ? null : byId(ctx, target, serializeId(row[field.name]!))) };
          }
        }
        return fields;
      },
    });
    objects.set(entity.name, config);
  }

  const block = new GraphQLObjectType({
    name: "_Block_",
    fields: {
      hash: { type: BytesScalar, description: "The hash of the block" },
      number: { type: new GraphQLNonNull(GraphQLInt), description: "The block number" },
      timestamp: { type: GraphQLInt, description: "Integer representation of the timestamp stored in blocks for the chain" },
      parentHash: { type: BytesScalar, description: "The hash of the parent block" },
    },
  });
  const meta = new GraphQLObjectType({
    name: "_Meta_",
    description: "The type for the top-level _meta field",
    fields: {
      block: { type: new GraphQLNonNull(block) },
      deployment: { type: new GraphQLNonNull(GraphQLString), description: "The deployment ID" },
      hasIndexingErrors: { type: new GraphQLNonNull(GraphQLBoolean), description: "If `true`, the subgraph encountered indexing errors at some past block" },
    },
  });

  const queryFields: Record<string, GraphQLFieldConfig<unknown, QueryContext>> = {};
  const common = { block: { type: blockHeight, description: "The block at which the query should be executed." }, subgraphError: { type: new GraphQLNonNull(errorPolicy), defaultValue: "deny" } };
  for (const entity of schema.entities.values()) {
    const object = objects.get(entity.name)!;
    queryFields[singleField(entity.name)] = {
      type: object,
      args: { id: { type: new GraphQLNonNull(GraphQLID) }, ...common },
      resolve: (_root, args: { id: string; block?: CollectionArgs["block"] }, ctx) => {
        checkBlock(ctx, args.block);
        return byId(ctx, entity, args.id);
      },
    };
    queryFields[collectionField(entity.name)] = {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(object))),
      args: { ...collectionArgs(entity), ...common },
      resolve: (_root, args: CollectionArgs, ctx) => {
        checkBlock(ctx, args.block);
        return collection(ctx, entity, args);
      },
    };
  }
  queryFields._meta = {
    type: meta,
    description: "Access to subgraph metadata",
    args: { block: common.block },
    resolve: (_root, args: { block?: CollectionArgs["block"] }, ctx) => {
      checkBlock(ctx, args.block);
      const state = ctx.state();
      return {
        block: { number: state.blockNumber ?? 0, hash: state.blockHash, timestamp: state.blockTimestamp, parentHash: null },
        deployment: ctx.deployment,
        hasIndexingErrors: state.error !== null,
      };
    },
  };
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: "Query", fields: queryFields }) });
}

/** The runner keeps only the latest state: a block constraint either holds for it or is an error. */
function checkBlock(ctx: QueryContext, block: CollectionArgs["block"]): void {
  if (!block) return;
  const state = ctx.state();
  const latest = state.blockNumber ?? -1;
  const wanted = block.number ?? block.number_gte;
  if (wanted !== undefined && wanted !== null && wanted > latest) {
    throw new GraphQLError(`Failed to decode \`block.number\` value: \`subgraph has only indexed up to block number ${latest} and data for block number ${wanted} is therefore not yet available\``);
  }
  if (block.number !== undefined && block.number !== null && block.number < latest) {
    throw new GraphQLError(`block.number ${block.number} is in the past: the local runner keeps only the latest state (block ${latest}); query without \`block\` or with number_gte`);
  }
  if (block.hash !== undefined && block.hash !== null && block.hash !== state.blockHash) {
    throw new GraphQLError(`block.hash ${block.hash} is not the latest indexed block (${state.blockHash ?? "none"}): the local runner keeps only the latest state`);
  }
}

function serializeId(value: unknown): unknown {
  return value instanceof Uint8Array ? `0x${Buffer.from(value).toString("hex")}` : typeof value === "bigint" ? value.toString() : value;
}

function toRow(entity: EntityType, raw: Record<string, unknown>): Row {
  const row: Row = {};
  for (const field of entity.stored) row[field.name] = fromColumn(field, raw[field.name]);
  return row;
}
