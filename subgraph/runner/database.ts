/**
 * Entities in an embedded Postgres (PGlite) under the data directory: one table per entity type
 * in the `subgraph` schema, typed from schema.graphql, plus the runner's own state in `public`:
 * the indexed block, the chain's genesis, the deployment, indexing errors and dynamic data
 * sources. A batch of blocks is written in one transaction together with the block it reaches,
 * so a restart resumes from a consistent state.
 */
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { z } from "zod";
import { Decimal } from "./decimal.ts";
import { hex, idKey, type EntityData, type EntityValue } from "./entity-values.ts";
import type { EntityChange, EntityStore } from "./entity-store.ts";
import type { EntityField, EntityType, FieldType, SubgraphSchema } from "./schema.ts";
import type { TaggedEntry } from "./tagged-values.ts";

export const REGION_COLUMN = "__causality_region";
/** The block that last changed the entity (for `_change_block` filters). */
export const BLOCK_COLUMN = "__block_number";

/** Postgres type of a field's scalar (references store the referenced id). */
export function columnType(type: FieldType): string {
  const base = {
    ID: 'text COLLATE "C"', String: 'text COLLATE "C"', Enum: 'text COLLATE "C"', Bytes: "bytea", BigInt: "numeric",
    BigDecimal: "numeric", Int: "integer", Int8: "bigint", Timestamp: "bigint", Boolean: "boolean",
  }[type.scalar];
  return type.list ? `${base.replace(' COLLATE "C"', "")}[]` : base;
}

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const table = (entity: EntityType) => `subgraph.${quote(entity.name)}`;

export interface IndexingError {
  block: number;
  blockHash: string;
  dataSource: string;
  handler: string;
  message: string;
  at: string;
}

export interface IndexerState {
  deploymentId: string;
  genesisHash: string;
  blockNumber: number | null;
  blockHash: string | null;
  blockTimestamp: number | null;
  error: IndexingError | null;
}

export interface DynamicDataSource {
  id: number;
  template: string;
  params: string[];
  context: TaggedEntry[] | null;
  createdBlock: number;
  /** File data sources: the handler has run (the file was found). */
  done: boolean;
}

const stateRow = z.object({
  deployment_id: z.string(),
  genesis_hash: z.string(),
  block_number: z.number().nullable(),
  block_hash: z.string().nullable(),
  block_timestamp: z.number().nullable(),
  error: z.unknown().nullable(),
});
const dataSourceRow = z.object({
  id: z.number(), template: z.string(), params: z.array(z.string()), context: z.unknown().nullable(), created_block: z.number(), done: z.boolean(),
});

export class EntityDatabase {
  private constructor(readonly pg: PGlite) {}

  /** Opens (creating if needed) the database in `dataDir`; in memory when undefined. */
  static async open(dataDir: string | undefined): Promise<EntityDatabase> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pg = await PGlite.create(dataDir);
    await pg.exec(`
      CREATE TABLE IF NOT EXISTS indexer_state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        deployment_id text NOT NULL, genesis_hash text NOT NULL,
        block_number integer, block_hash text, block_timestamp integer, error jsonb);
      CREATE TABLE IF NOT EXISTS data_sources (
        id integer PRIMARY KEY, template text NOT NULL, params text[] NOT NULL, context jsonb,
        created_block integer NOT NULL, done boolean NOT NULL DEFAULT false);`);
    return new EntityDatabase(pg);
  }

  async state(): Promise<IndexerState | null> {
    const { rows } = await this.pg.query("SELECT * FROM indexer_state");
    if (rows.length === 0) return null;
    const row = stateRow.parse(rows[0]);
    return {
      deploymentId: row.deployment_id,
      genesisHash: row.genesis_hash,
      blockNumber: row.block_number,
      blockHash: row.block_hash,
      blockTimestamp: row.block_timestamp,
      error: row.error as IndexingError | null,
    };
  }

  /** Drops every entity and starts over for this deployment on this chain. */
  async reset(schema: SubgraphSchema, deploymentId: string, genesisHash: string): Promise<void> {
    const ddl = ["DROP SCHEMA IF EXISTS subgraph CASCADE", "CREATE SCHEMA subgraph", "DELETE FROM data_sources", "DELETE FROM indexer_state"];
    for (const entity of schema.entities.values()) {
      const columns = entity.stored.map((f) => `${quote(f.name)} ${columnType(f.type)}${f.type.nonNull ? " NOT NULL" : ""}`);
      ddl.push(`CREATE TABLE ${table(entity)} (${columns.join(", ")}, ${REGION_COLUMN} integer NOT NULL DEFAULT 0, ${BLOCK_COLUMN} integer NOT NULL, PRIMARY KEY (id, ${REGION_COLUMN}))`);
      // references are what derived fields and nested filters join on
      for (const field of entity.stored) {
        if (field.type.kind === "entity" && field.name !== "id") {
          ddl.push(`CREATE INDEX ON ${table(entity)} ${field.type.list ? "USING gin " : ""}(${quote(field.name)})`);
        }
      }
    }
    await this.pg.transaction(async (tx) => {
      for (const statement of ddl) await tx.exec(statement);
      await tx.query("INSERT INTO indexer_state (deployment_id, genesis_hash) VALUES ($1, $2)", [deploymentId, genesisHash]);
    });
  }

  /** Loads every stored entity into the in-memory store (startup). */
  async restore(store: EntityStore): Promise<number> {
    let count = 0;
    for (const entity of store.schema.entities.values()) {
      const { rows } = await this.pg.query<Record<string, unknown>>(`SELECT * FROM ${table(entity)}`);
      for (const row of rows) {
        const data: EntityData = {};
        for (const field of entity.stored) {
          const value = fromColumn(field, row[field.name]);
          if (value !== null) data[field.name] = value;
        }
        store.restore(entity.name, { key: idKey(entity.idType, data.id!), data, region: Number(row[REGION_COLUMN]) });
        count += 1;
      }
    }
    return count;
  }

  async dataSources(): Promise<DynamicDataSource[]> {
    const { rows } = await this.pg.query("SELECT * FROM data_sources ORDER BY id");
    return rows.map((r) => {
      const row = dataSourceRow.parse(r);
      return { id: row.id, template: row.template, params: row.params, context: row.context as TaggedEntry[] | null, createdBlock: row.created_block, done: row.done };
    });
  }

  /** Writes a batch: entity changes, data sources, and the block reached, in one transaction. */
  async commit(
    changes: EntityChange[],
    dataSources: DynamicDataSource[],
    block: { number: number; hash: string; timestamp: number },
    error: IndexingError | null,
  ): Promise<void> {
    const byType = new Map<EntityType, EntityChange[]>();
    for (const change of changes) {
      let list = byType.get(change.type);
      if (!list) byType.set(change.type, (list = []));
      list.push(change);
    }
    await this.pg.transaction(async (tx) => {
      for (const [entity, list] of byType) await writeChanges(tx, entity, list);
      for (const ds of dataSources) {
        await tx.query(
          `INSERT INTO data_sources (id, template, params, context, created_block, done) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET done = EXCLUDED.done`,
          [ds.id, ds.template, ds.params, ds.context === null ? null : JSON.stringify(ds.context), ds.createdBlock, ds.done],
        );
      }
      await tx.query("UPDATE indexer_state SET block_number = $1, block_hash = $2, block_timestamp = $3, error = $4", [
        block.number, block.hash, block.timestamp, error === null ? null : JSON.stringify(error),
      ]);
    });
  }

  async setError(error: IndexingError | null): Promise<void> {
    await this.pg.query("UPDATE indexer_state SET error = $1", [error === null ? null : JSON.stringify(error)]);
  }

  close(): Promise<void> {
    return this.pg.close();
  }
}

async function writeChanges(tx: Transaction, entity: EntityType, changes: EntityChange[]): Promise<void> {
  const upserts = changes.filter((c) => c.data !== null);
  const removals = changes.filter((c) => c.data === null);
  for (const change of removals) {
    await tx.query(`DELETE FROM ${table(entity)} WHERE id = $1 AND ${REGION_COLUMN} = $2`, [toParam(entity.fieldsByName.get("id")!, change.data?.id ?? idValue(entity, change.key)), change.region]);
  }
  if (upserts.length === 0) return;
  // one statement per type: rows travel as JSON and Postgres converts them to the column types
  const rows = upserts.map((c) => {
    const row: Record<string, unknown> = { [REGION_COLUMN]: c.region, [BLOCK_COLUMN]: c.block };
    for (const field of entity.stored) row[field.name] = toJson(field, c.data![field.name] ?? null);
    return row;
  });
  const columns = [...entity.stored.map((f) => quote(f.name)), REGION_COLUMN, BLOCK_COLUMN];
  const updates = columns.filter((c) => c !== quote("id") && c !== REGION_COLUMN).map((c) => `${c} = EXCLUDED.${c}`);
  await tx.query(
    `INSERT INTO ${table(entity)} (${columns.join(", ")})
     SELECT ${columns.join(", ")} FROM json_populate_recordset(NULL::${table(entity)}, $1)
     ON CONFLICT (id, ${REGION_COLUMN}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}`,
    [JSON.stringify(rows)],
  );
}

function idValue(entity: EntityType, key: string): EntityValue {
  return entity.idType === "Bytes" ? new Uint8Array(Buffer.from(key.slice(2), "hex")) : entity.idType === "Int8" ? BigInt(key) : key;
}

/** JSON that json_populate_recordset turns into the column's type. */
function toJson(field: EntityField, value: EntityValue): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v) => toJson(field, v));
  if (value instanceof Uint8Array) return `\\x${hex(value).slice(2)}`;
  if (typeof value === "bigint" || value instanceof Decimal) return value.toString();
  return value;
}

function toParam(field: EntityField, value: EntityValue): unknown {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "bigint" || value instanceof Decimal) return value.toString();
  return toJson(field, value);
}

/** A column value as PGlite returns it, back to the entity's JavaScript form. */
export function fromColumn(field: EntityField, value: unknown): EntityValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => fromColumn({ ...field, type: { ...field.type, list: false } }, v));
  switch (field.type.scalar) {
    case "BigInt":
      return BigInt(value as string);
    case "BigDecimal":
      return Decimal.parse(value as string);
    case "Int8":
    case "Timestamp":
      return BigInt(value as bigint | number | string);
    case "Int":
      return Number(value);
    case "Bytes":
      return new Uint8Array(value as Uint8Array);
    default:
      return value as string | boolean;
  }
}
