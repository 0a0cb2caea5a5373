/**
 * graph-node's custom scalars: BigInt, BigDecimal and Int8 travel as decimal strings, Bytes as
 * 0x-prefixed lower-case hex, Timestamp as microseconds in a string. Inputs are validated and
 * normalized here, so a bad argument is a GraphQL error naming the value.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { Decimal, DecimalError } from "./decimal.ts";
import { hex } from "./entity-values.ts";

function literal(node: ValueNode): unknown {
  if (node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT) return node.value;
  throw new GraphQLError(`expected a string, got ${node.kind}`, { nodes: node });
}

function integerText(type: string) {
  return (value: unknown): string => {
    const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
    if (typeof text !== "string" || !/^-?\d+$/.test(text)) throw new GraphQLError(`${type} must be an integer (as a string): ${JSON.stringify(value)}`);
    return BigInt(text).toString();
  };
}

function serializeInteger(value: unknown): string {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  return String(value);
}

const bigInt = integerText("BigInt");
export const BigIntScalar = new GraphQLScalarType<string, string>({
  name: "BigInt",
  serialize: serializeInteger,
  parseValue: bigInt,
  parseLiteral: (node) => bigInt(literal(node)),
});

const int8 = (value: unknown): string => {
  const text = integerText("Int8")(value);
  const n = BigInt(text);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new GraphQLError(`Int8 out of range: ${text}`);
  return text;
};
export const Int8Scalar = new GraphQLScalarType<string, string>({
  name: "Int8",
  description: "8 bytes signed integer",
  serialize: serializeInteger,
  parseValue: int8,
  parseLiteral: (node) => int8(literal(node)),
});
export const TimestampScalar = new GraphQLScalarType<string, string>({
  name: "Timestamp",
  description: "A string representation of microseconds UNIX timestamp (16 digits)",
  serialize: serializeInteger,
  parseValue: int8,
  parseLiteral: (node) => int8(literal(node)),
});

const decimal = (value: unknown): string => {
  if (typeof value !== "string" && typeof value !== "number") throw new GraphQLError(`BigDecimal must be a decimal string: ${JSON.stringify(value)}`);
  try {
    return Decimal.parse(String(value)).toString();
  } catch (error) {
    if (error instanceof DecimalError) throw new GraphQLError(`BigDecimal: ${error.message}`);
    throw error;
  }
};
export const BigDecimalScalar = new GraphQLScalarType<string, string>({
  name: "BigDecimal",
  serialize: (value) => String(value),
  parseValue: decimal,
  parseLiteral: (node) => decimal(literal(node)),
});

const bytes = (value: unknown): string => {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) throw new GraphQLError(`Bytes must be 0x-prefixed hex with an even number of digits: ${JSON.stringify(value)}`);
  return value.toLowerCase();
};
export const BytesScalar = new GraphQLScalarType<string, string>({
  name: "Bytes",
  serialize: (value) => (value instanceof Uint8Array ? hex(value) : String(value)),
  parseValue: bytes,
  parseLiteral: (node) => bytes(literal(node)),
});
