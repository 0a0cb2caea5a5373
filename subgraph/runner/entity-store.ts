/**
 * The entities as mappings see them: every committed entity is mirrored in memory (host
 * functions are synchronous, the database is not), and one block's changes are kept aside until
 * the block succeeds, so a trap leaves nothing behind (graph-node's block-level atomicity).
 * Entities written by a file data source live in that source's causality region and are invisible
 * to every other region, as in graph-node.
 */
import { MappingError, type EntityData, type EntityValue } from "./entity-values.ts";
import type { EntityType, SubgraphSchema } from "./schema.ts";

export interface StoredEntity {
  key: string;
  data: EntityData;
  region: number;
}

/** Where an entity lives in the maps: regions other than the chain's get their own keys. */
const slot = (key: string, region: number) => (region === 0 ? key : `${region}\u0000${key}`);

/** One entity's final state after a batch of blocks: its data, or null when removed. */
export interface EntityChange {
  type: EntityType;
  key: string;
  data: EntityData | null;
  region: number;
  /** The block that made the change. */
  block: number;
}

type Table = Map<string, StoredEntity>;

export class EntityStore {
  private readonly committed = new Map<string, Table>();
  /** The current block's writes (null = removed). */
  private block = new Map<string, Map<string, StoredEntity | null>>();
  /** Changes of committed blocks not yet written to the database. */
  private unflushed = new Map<string, Map<string, EntityChange>>();

  constructor(readonly schema: SubgraphSchema) {
    for (const name of schema.entities.keys()) this.committed.set(name, new Map());
  }

  entityType(name: string): EntityType {
    const type = this.schema.entities.get(name);
    if (!type) throw new MappingError(`Entity type \`${name}\` is not defined in the schema`);
    return type;
  }

  /** Restores an entity read from the database at startup. */
  restore(type: string, entity: StoredEntity): void {
    this.committed.get(type)!.set(slot(entity.key, entity.region), entity);
  }

  count(): number {
    let n = 0;
    for (const table of this.committed.values()) n += table.size;
    return n;
  }

  get(type: string, key: string, region: number): EntityData | null {
    this.entityType(type);
    const at = slot(key, region);
    const pending = this.block.get(type)?.get(at);
    const entity = pending !== undefined ? pending : (this.committed.get(type)!.get(at) ?? null);
    return entity ? entity.data : null;
  }

  getInBlock(type: string, key: string, region: number): EntityData | null {
    this.entityType(type);
    const entity = this.block.get(type)?.get(slot(key, region));
    return entity ? entity.data : null;
  }

  /** store.set: merges the attributes into the current entity, then validates the result. */
  set(type: string, key: string, attributes: EntityData, region: number): void {
    const entity = this.entityType(type);
    const existing = this.get(type, key, region);
    if (entity.immutable && existing && this.committed.get(type)!.get(slot(key, region))) {
      throw new MappingError(`Entity ${type}[${key}] is immutable and already exists; it can not be updated`);
    }
    const data: EntityData = { ...(existing ?? {}) };
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null) delete data[name];
      else data[name] = value;
    }
    for (const field of entity.stored) {
      if (field.type.nonNull && (data[field.name] === undefined || data[field.name] === null)) {
        throw new MappingError(`Entity ${type}[${key}]: missing value for non-nullable field \`${field.name}\``);
      }
    }
    this.pending(type).set(slot(key, region), { key, data, region });
  }

  remove(type: string, key: string, region: number): void {
    const entity = this.entityType(type);
    if (entity.immutable && this.committed.get(type)!.get(slot(key, region))) {
      throw new MappingError(`Entity ${type}[${key}] is immutable; it can not be removed`);
    }
    if (this.get(type, key, region) !== null) this.pending(type).set(slot(key, region), null);
  }

  /** Entities of the derived field's type whose reference field points at (or contains) `key`. */
  loadRelated(type: string, key: string, fieldName: string, region: number): { type: EntityType; items: EntityData[] } {
    const entity = this.entityType(type);
    const field = entity.fieldsByName.get(fieldName);
    if (!field?.derivedFrom) throw new MappingError(`\`${type}.${fieldName}\` is not a derived field; store.loadRelated needs one`);
    const target = this.entityType(field.type.name);
    const refers = (value: EntityValue | undefined): boolean => {
      if (value === undefined || value === null) return false;
      if (Array.isArray(value)) return value.some(refers);
      return keyOfReference(target.fieldsByName.get(field.derivedFrom!)!.type.scalar, value) === key;
    };
    const seen = new Set<string>();
    const items: EntityData[] = [];
    for (const [k, pending] of this.block.get(target.name) ?? []) {
      seen.add(k);
      if (pending && pending.region === region && refers(pending.data[field.derivedFrom])) items.push(pending.data);
    }
    for (const [k, stored] of this.committed.get(target.name)!) {
      if (!seen.has(k) && stored.region === region && refers(stored.data[field.derivedFrom])) items.push(stored.data);
    }
    return { type: target, items };
  }

  private pending(type: string): Map<string, StoredEntity | null> {
    let table = this.block.get(type);
    if (!table) this.block.set(type, (table = new Map()));
    return table;
  }

  /** The block succeeded: its writes become visible and queue for the database. */
  commitBlock(block: number): number {
    let changes = 0;
    for (const [type, table] of this.block) {
      const committed = this.committed.get(type)!;
      let queue = this.unflushed.get(type);
      if (!queue) this.unflushed.set(type, (queue = new Map()));
      const entityType = this.schema.entities.get(type)!;
      for (const [at, entity] of table) {
        const previous = committed.get(at);
        if (!entity && !previous) continue; // created and removed within the block
        const key = entity?.key ?? previous!.key;
        const region = entity?.region ?? previous!.region;
        if (entity) committed.set(at, entity);
        else committed.delete(at);
        queue.set(at, { type: entityType, key, data: entity?.data ?? null, region, block });
        changes += 1;
      }
    }
    this.block = new Map();
    return changes;
  }

  /** The block failed: forget its writes. */
  discardBlock(): void {
    this.block = new Map();
  }

  /** Changes since the last call, one per entity. */
  takeUnflushed(): EntityChange[] {
    const out: EntityChange[] = [];
    for (const queue of this.unflushed.values()) out.push(...queue.values());
    this.unflushed = new Map();
    return out;
  }

  /** Forgets everything (reindexing from scratch). */
  clear(): void {
    for (const table of this.committed.values()) table.clear();
    this.block = new Map();
    this.unflushed = new Map();
  }
}

function keyOfReference(scalar: string, value: EntityValue): string | undefined {
  if (scalar === "Bytes" && value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  if (typeof value === "string" || typeof value === "bigint") return value.toString();
  return undefined;
}
