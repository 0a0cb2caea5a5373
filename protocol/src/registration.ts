/**
 * Agent registration files: ERC-8004 registration-v1 plus Agentry's `agentry` object (the tools,
 * with their MCP input schemas, advertised prices and tags). The content store refuses a file that
 * does not match, with the path of every wrong field; the subgraph indexes the same fields.
 */
import { z } from "zod";
import { ProtocolError } from "./errors.ts";
import { addressSchema } from "./wire.ts";

export const REGISTRATION_TYPE = "https://eips.ethereum.org/EIPS/eip-8004#registration-v1";

/** Bounds shared with the subgraph's mapping (subgraph/src/registration-file.ts). */
export const REGISTRATION_LIMITS = { services: 32, tools: 256, tags: 32, text: 4096, schemaBytes: 64 * 1024 } as const;

const text = (max: number = REGISTRATION_LIMITS.text) => z.string().max(max, `must be at most ${max} characters`);
const url = z.string().max(2048).regex(/^(https?|ipfs|ar|data):/, "must be a URL (https://, ipfs://, ar:// or data:)");

const serviceSchema = z.object({
  name: text(64).min(1, "must not be empty"),
  endpoint: z.string().min(1).max(2048),
  version: text(64).optional(),
});

const toolSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.\-/]{1,128}$/, "must be an MCP tool name: 1-128 letters, digits, _ . - /"),
  description: text().optional(),
  inputSchema: z
    .record(z.string(), z.unknown())
    .refine((s) => s.type === "object", "must be a JSON Schema whose type is \"object\" (MCP tool input)")
    .refine((s) => JSON.stringify(s).length <= REGISTRATION_LIMITS.schemaBytes, `must be at most ${REGISTRATION_LIMITS.schemaBytes} bytes of JSON`),
  /** Advertised price per call in the token's smallest unit, as a decimal string. */
  price: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "must be the price per call in the token's smallest unit, as a decimal string (e.g. \"1000000000000\")").optional(),
  /** The price's token; absent or the zero address = ETH. */
  token: addressSchema.optional(),
  tags: z.array(text(64)).max(REGISTRATION_LIMITS.tags).optional(),
});

export const registrationFileSchema = z
  .object({
    type: z.literal(REGISTRATION_TYPE, { message: `must be "${REGISTRATION_TYPE}"` }),
    name: text(256).min(1, "must not be empty"),
    description: text(),
    image: url.optional(),
    services: z.array(serviceSchema).max(REGISTRATION_LIMITS.services).optional(),
    /** Earlier ERC-8004 drafts named the service list `endpoints`; accepted for compatibility. */
    endpoints: z.array(serviceSchema).max(REGISTRATION_LIMITS.services).optional(),
    registrations: z.array(z.object({ agentId: z.union([z.number().int().nonnegative(), z.string()]), agentRegistry: z.string() })).max(64).optional(),
    supportedTrust: z.array(text(64)).max(REGISTRATION_LIMITS.tags).optional(),
    agentry: z.object({ tools: z.array(toolSchema).min(1, "must list at least one tool").max(REGISTRATION_LIMITS.tools) }),
  })
  .refine((f) => [...(f.services ?? []), ...(f.endpoints ?? [])].some((s) => s.name === "MCP"), {
    message: "must list the agent's MCP endpoint: a service named \"MCP\"",
    path: ["services"],
  })
  .refine((f) => new Set(f.agentry.tools.map((t) => t.name)).size === f.agentry.tools.length, {
    message: "tool names must be unique",
    path: ["agentry", "tools"],
  });

export type RegistrationFile = z.infer<typeof registrationFileSchema>;

/** Parses a registration file (bytes or a parsed value); INVALID_REGISTRATION names each wrong field. */
export function parseRegistrationFile(input: Uint8Array | unknown): RegistrationFile {
  let value = input;
  if (input instanceof Uint8Array) {
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input));
    } catch (error) {
      throw new ProtocolError("INVALID_REGISTRATION", `the registration file is not UTF-8 JSON: ${(error as Error).message}`);
    }
  }
  const parsed = registrationFileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(file)"}: ${i.message}`);
  throw new ProtocolError("INVALID_REGISTRATION", `invalid registration file: ${issues.join("; ")}`);
}

/** True when the bytes look like a registration file (JSON object with the ERC-8004 type), valid or not. */
export function looksLikeRegistrationFile(bytes: Uint8Array): boolean {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof value === "object" && value !== null && (value as { type?: unknown }).type === REGISTRATION_TYPE;
  } catch {
    return false;
  }
}
