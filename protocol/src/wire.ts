/** zod schemas for values that arrive from outside (MCP `_meta`, HTTP bodies, files). */
import { z } from "zod";
import type { Address, Hex } from "viem";
import { ProtocolError, type ProtocolErrorCode } from "./errors.ts";

/**
 * Parses `value` with `schema`, or throws `code` with a message naming every bad field, e.g.
 * "malformed voucher (agreementId: must be a non-negative integer…; signature: …)".
 */
export function parseWire<T extends z.ZodType>(schema: T, value: unknown, what: string, code: ProtocolErrorCode): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || what}: ${i.message}`).join("; ");
  throw new ProtocolError(code, `malformed ${what} (${issues})`);
}

export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address: 0x followed by 40 hex digits")
  .transform((s) => s as Address);

export const bytes32Schema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes: 0x followed by 64 hex digits")
  .transform((s) => s.toLowerCase() as Hex);

/** An ECDSA signature (65 bytes) or an ERC-1271 signature (up to 4 KiB). */
export const signatureSchema = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2}){1,4096}$/, "must be a hex signature (0x...)")
  .transform((s) => s as Hex);

/** A uint256 as a decimal string (JSON numbers cannot hold 256 bits). */
export const uint256Schema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, "must be a non-negative integer written in decimal, as a string")
  .transform((s) => BigInt(s))
  .refine((n) => n < 2n ** 256n, "must fit in 256 bits");

/** A uint64 as a decimal string. */
export const uint64Schema = uint256Schema.refine((n) => n < 2n ** 64n, "must fit in 64 bits");
