/**
 * The subgraph's schema.graphql as the runner needs it: entity types, their fields with scalar,
 * enum or entity types, list and nullability, `@derivedFrom`, and `@entity(immutable)`.
 * Validates what graph-node validates at deploy time that the runner relies on.
 */
import {
  Kind, parse, type ConstDirectiveNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode, type TypeNode,
} from "graphql";

export const SCALARS = ["ID", "String", "Bytes", "BigInt", "BigDecimal", "Int", "Int8", "Boolean", "Timestamp"] as const;
export type ScalarName = (typeof SCALARS)[number];
const isScalar = (name: string): name is ScalarName => (SCALARS as readonly string[]).includes(name);

/** The stored representation of an entity id. */
export type IdType = "String" | "Bytes" | "Int8";

export interface FieldType {
  /** The named type: a scalar, an enum or an entity type. */
  name: string;
  kind: "scalar" | "enum" | "entity";
  /** For entity references: the stored type of the referenced id. For scalars: the scalar itself. */
  scalar: ScalarName | "Enum";
  list: boolean;
  nonNull: boolean;
  /** `[T!]` rather than `[T]` */
  itemNonNull: boolean;
}

export interface EntityField {
  name: string;
  type: FieldType;
  /** `@derivedFrom(field:)`: not stored, resolved from the other entity's field. */
  derivedFrom?: string;
  description?: string;
}

export interface EntityType {
  name: string;
  immutable: boolean;
  idType: IdType;
  fields: EntityField[];
  fieldsByName: Map<string, EntityField>;
  /** Stored fields (not derived), id first. */
  stored: EntityField[];
  description?: string;
}

export interface SubgraphSchema {
  source: string;
  entities: Map<string, EntityType>;
  enums: Map<string, string[]>;
}

export class SchemaError extends Error {}

function unwrap(node: TypeNode): { name: string; list: boolean; nonNull: boolean; itemNonNull: boolean } {
  let nonNull = false;
  let list = false;
  let itemNonNull = false;
  let current = node;
  if (current.kind === Kind.NON_NULL_TYPE) {
    nonNull = true;
    current = current.type;
  }
  if (current.kind === Kind.LIST_TYPE) {
    list = true;
    current = current.type;
    if (current.kind === Kind.NON_NULL_TYPE) {
      itemNonNull = true;
      current = current.type;
    }
  }
  if (current.kind !== Kind.NAMED_TYPE) throw new SchemaError("nested lists are not supported in entity fields");
  return { name: current.name.value, list, nonNull, itemNonNull };
}

function directive(node: { directives?: readonly ConstDirectiveNode[] | undefined }, name: string): ConstDirectiveNode | undefined {
  return node.directives?.find((d) => d.name.value === name);
}

function argument(d: ConstDirectiveNode, name: string): string | boolean | undefined {
  const arg = d.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.STRING) return arg.value.value;
  if (arg.value.kind === Kind.BOOLEAN) return arg.value.value;
  throw new SchemaError(`@${d.name.value}(${name}:) must be a string or boolean literal`);
}

export function parseSchema(source: string): SubgraphSchema {
  const document = parse(source);
  const enums = new Map<string, string[]>();
  const objectTypes: ObjectTypeDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
      enums.set(definition.name.value, (definition.values ?? []).map((v) => v.name.value));
    } else if (definition.kind === Kind.OBJECT_TYPE_DEFINITION) {
      objectTypes.push(definition);
    } else if (definition.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      throw new SchemaError(`interface ${definition.name.value}: interfaces are not supported by the local runner`);
    }
  }
  const entityNames = new Set<string>();
  for (const type of objectTypes) {
    const entity = directive(type, "entity");
    if (!entity) throw new SchemaError(`type ${type.name.value} has no @entity directive`);
    if (argument(entity, "timeseries") === true) throw new SchemaError(`timeseries entity ${type.name.value} is not supported by the local runner`);
    entityNames.add(type.name.value);
  }
  const idTypes = new Map<string, IdType>();
  for (const type of objectTypes) {
    const id = type.fields?.find((f) => f.name.value === "id");
    if (!id) throw new SchemaError(`entity ${type.name.value} has no id field`);
    const { name, nonNull, list } = unwrap(id.type);
    const idType = name === "ID" || name === "String" ? "String" : name === "Bytes" ? "Bytes" : name === "Int8" ? "Int8" : undefined;
    if (!idType || !nonNull || list) throw new SchemaError(`${type.name.value}.id must be ID!, String!, Bytes! or Int8!`);
    idTypes.set(type.name.value, idType);
  }
  const entities = new Map<string, EntityType>();
  for (const type of objectTypes) {
    const fields = (type.fields ?? []).map((f: FieldDefinitionNode): EntityField => {
      const shape = unwrap(f.type);
      const where = `${type.name.value}.${f.name.value}`;
      let fieldType: FieldType;
      if (isScalar(shape.name)) fieldType = { ...shape, kind: "scalar", scalar: shape.name };
      else if (enums.has(shape.name)) fieldType = { ...shape, kind: "enum", scalar: "Enum" };
      else if (entityNames.has(shape.name)) fieldType = { ...shape, kind: "entity", scalar: idScalar(idTypes.get(shape.name)!) };
      else throw new SchemaError(`${where}: unknown type ${shape.name}`);
      const derived = directive(f, "derivedFrom");
      const field: EntityField = { name: f.name.value, type: fieldType };
      if (f.description) field.description = f.description.value;
      if (derived) {
        const from = argument(derived, "field");
        if (typeof from !== "string") throw new SchemaError(`${where}: @derivedFrom needs field: "..."`);
        if (fieldType.kind !== "entity") throw new SchemaError(`${where}: @derivedFrom is only allowed on entity fields`);
        field.derivedFrom = from;
      }
      return field;
    });
    const entityDirective = directive(type, "entity")!;
    const entity: EntityType = {
      name: type.name.value,
      immutable: argument(entityDirective, "immutable") === true,
      idType: idTypes.get(type.name.value)!,
      fields,
      fieldsByName: new Map(fields.map((f) => [f.name, f])),
      stored: [...fields.filter((f) => f.name === "id"), ...fields.filter((f) => f.name !== "id" && !f.derivedFrom)],
    };
    if (type.description) entity.description = type.description.value;
    entities.set(entity.name, entity);
  }
  for (const entity of entities.values()) {
    for (const field of entity.fields) {
      if (!field.derivedFrom) continue;
      const target = entities.get(field.type.name)!;
      const back = target.fieldsByName.get(field.derivedFrom);
      if (!back || back.type.kind !== "entity" || back.derivedFrom) {
        throw new SchemaError(`${entity.name}.${field.name}: @derivedFrom(field: "${field.derivedFrom}") must name a stored reference field of ${target.name}`);
      }
    }
  }
  return { source, entities, enums };
}

function idScalar(idType: IdType): ScalarName {
  return idType === "String" ? "String" : idType;
}
