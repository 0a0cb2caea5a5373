/**
 * The register wizard's editable registration file and its live validation. The checks are written
 * by hand to mirror protocol/src/registration.ts (zod would add ~17 kB gzip to a wallet page); the
 * content store re-validates with the real schema on upload, so a drift here is caught there.
 */
import { parseEther } from "viem";

export const REGISTRATION_TYPE = "https://eips.ethereum.org/EIPS/eip-8004#registration-v1";
/** Bounds of protocol/src/registration.ts (REGISTRATION_LIMITS). */
const LIMITS = { tools: 256, tags: 32, text: 4096, schemaBytes: 64 * 1024 } as const;
const TOOL_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;
const FILE_URL = /^(https?|ipfs|ar|data):/;
const ETH_AMOUNT = /^(0|[1-9]\d*)(\.\d{1,18})?$|^0?\.\d{1,18}$/;

export interface ToolDraft {
  name: string;
  description: string;
  /** JSON text of the tool's MCP input schema. */
  inputSchema: string;
  /** Advertised price per call in ETH (decimal), empty for none. */
  priceEth: string;
  /** Comma-separated. */
  tags: string;
}

export interface RegistrationDraft {
  name: string;
  description: string;
  image: string;
  mcpEndpoint: string;
  tools: ToolDraft[];
}

export const EMPTY_TOOL: ToolDraft = {
  name: "",
  description: "",
  inputSchema: '{\n  "type": "object",\n  "properties": {}\n}',
  priceEth: "",
  tags: "",
};

export const EMPTY_DRAFT: RegistrationDraft = { name: "", description: "", image: "", mcpEndpoint: "", tools: [EMPTY_TOOL] };

/** Field errors keyed by path: "name", "tools.0.inputSchema", … */
export type DraftErrors = Record<string, string>;

const splitTags = (tags: string) =>
  tags
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);

function schemaError(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "Must be a JSON object (a JSON Schema).";
  if ((value as { type?: unknown }).type !== "object") return 'Must be a JSON Schema whose "type" is "object" (MCP tool input).';
  if (JSON.stringify(value).length > LIMITS.schemaBytes) return `Must be at most ${LIMITS.schemaBytes} bytes of JSON.`;
  return null;
}

function toolErrors(tool: ToolDraft, index: number, seen: Set<string>, errors: DraftErrors) {
  const at = (field: string) => `tools.${index}.${field}`;
  const name = tool.name.trim();
  if (!TOOL_NAME.test(name)) errors[at("name")] = "Use 1-128 letters, digits, _ . - / (an MCP tool name).";
  else if (seen.has(name)) errors[at("name")] = "Another tool already has this name.";
  seen.add(name);
  if (tool.description.length > LIMITS.text) errors[at("description")] = `At most ${LIMITS.text} characters.`;
  const schema = schemaError(tool.inputSchema);
  if (schema) errors[at("inputSchema")] = schema;
  if (tool.priceEth.trim() && !ETH_AMOUNT.test(tool.priceEth.trim())) errors[at("priceEth")] = "Enter an amount of ETH, e.g. 0.001 (at most 18 decimals).";
  const tags = splitTags(tool.tags);
  if (tags.length > LIMITS.tags) errors[at("tags")] = `At most ${LIMITS.tags} tags.`;
  else if (tags.some((tag) => tag.length > 64)) errors[at("tags")] = "Each tag must be at most 64 characters.";
}

/** Every problem of the draft, by field; empty when the file would be accepted. */
export function validateDraft(draft: RegistrationDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.name.trim()) errors.name = "Give the agent a name.";
  else if (draft.name.length > 256) errors.name = "At most 256 characters.";
  if (draft.description.length > LIMITS.text) errors.description = `At most ${LIMITS.text} characters.`;
  const image = draft.image.trim();
  if (image && (!FILE_URL.test(image) || image.length > 2048)) errors.image = "Use an https://, ipfs://, ar:// or data: URL, or leave it empty.";
  const endpoint = draft.mcpEndpoint.trim();
  if (!endpoint) errors.mcpEndpoint = "Enter the URL of your MCP server.";
  else if (!/^https?:\/\/\S+$/.test(endpoint) || endpoint.length > 2048) errors.mcpEndpoint = "Use an http:// or https:// URL.";
  if (draft.tools.length === 0) errors.tools = "List at least one tool.";
  else if (draft.tools.length > LIMITS.tools) errors.tools = `At most ${LIMITS.tools} tools.`;
  const seen = new Set<string>();
  draft.tools.forEach((tool, index) => toolErrors(tool, index, seen, errors));
  return errors;
}

/** The registration file for a valid draft (validateDraft(draft) is empty). */
export function registrationFileOf(draft: RegistrationDraft) {
  return {
    type: REGISTRATION_TYPE,
    name: draft.name.trim(),
    description: draft.description,
    ...(draft.image.trim() ? { image: draft.image.trim() } : {}),
    services: [{ name: "MCP", endpoint: draft.mcpEndpoint.trim() }],
    agentry: {
      tools: draft.tools.map((tool) => {
        const tags = splitTags(tool.tags);
        return {
          name: tool.name.trim(),
          ...(tool.description ? { description: tool.description } : {}),
          inputSchema: JSON.parse(tool.inputSchema) as Record<string, unknown>,
          ...(tool.priceEth.trim() ? { price: parseEther(tool.priceEth.trim()).toString() } : {}),
          ...(tags.length ? { tags } : {}),
        };
      }),
    },
  };
}

/** Highest advertised tool price (wei), the natural default for the agent's on-chain ETH price. */
export function suggestedPriceEth(draft: RegistrationDraft): string {
  const priced = draft.tools.map((tool) => tool.priceEth.trim()).filter((price) => ETH_AMOUNT.test(price));
  if (priced.length === 0) return "";
  return priced.reduce((max, price) => (parseEther(price) > parseEther(max) ? price : max));
}

export function isEthAmount(text: string): boolean {
  return ETH_AMOUNT.test(text.trim());
}
