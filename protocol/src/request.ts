/**
 * Request hashing: what a voucher authorizes.
 *
 *   requestHash = keccak256(abi.encode(uint256 agentId, keccak256(utf8(toolName)),
 *                                      keccak256(utf8(JCS(arguments)))))
 *
 * JCS is RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript shortest form, strings with minimal escaping. The same
 * arguments therefore hash the same in every language, whatever the key order or number spelling
 * of the JSON they came from. AgreementEscrow.hashRequest computes the same value on-chain.
 */
import canonicalizeJson from "canonicalize";
import { encodeAbiParameters, keccak256, stringToBytes, type Hex } from "viem";
import { ProtocolError } from "./errors.ts";

/** A JSON value as MCP tool arguments carry it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** RFC 8785 canonical JSON of `value`; throws INVALID_JSON_VALUE for what JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  assertJson(value, "$");
  const text = canonicalizeJson(value);
  if (text === undefined) throw new ProtocolError("INVALID_JSON_VALUE", "the value has no JSON representation");
  return text;
}

/** Rejects values JSON.stringify would silently change (undefined, NaN, Infinity, functions...). */
function assertJson(value: unknown, path: string): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new ProtocolError("INVALID_JSON_VALUE", `${path} is ${value}: JSON numbers must be finite`);
      }
      return;
    case "object":
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertJson(item, `${path}[${i}]`));
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw new ProtocolError("INVALID_JSON_VALUE", `${path} is not a plain JSON object`);
      }
      for (const [key, item] of Object.entries(value)) assertJson(item, `${path}.${key}`);
      return;
    default:
      throw new ProtocolError("INVALID_JSON_VALUE", `${path} is ${typeof value}, which JSON cannot represent`);
  }
}

/** keccak256 of the UTF-8 bytes of the canonical JSON of `value`. */
export function jsonHash(value: unknown): Hex {
  return keccak256(stringToBytes(canonicalJson(value)));
}

export interface ToolRequest {
  agentId: bigint;
  toolName: string;
  /** The `arguments` of MCP `tools/call` (an empty object when the tool takes none). */
  arguments: Record<string, unknown>;
}

/** The requestHash a voucher signs for one tool call. */
export function requestHash(request: ToolRequest): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
      [request.agentId, keccak256(stringToBytes(request.toolName)), jsonHash(request.arguments)],
    ),
  );
}
