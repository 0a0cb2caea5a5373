/**
 * Explore's query string: every filter and the sort order live in the URL, so a plain GET form
 * drives the page without JavaScript and any view can be linked. Bad values are ignored with a
 * message (a hand-edited URL should show the page, not an error).
 */
import { z } from "zod";
import { parseEther } from "viem";
import type { AgentOrder } from "@agentry/protocol";

export const AGENT_ORDERS = [
  { value: "newest", label: "Newest" },
  { value: "price", label: "Price (lowest first)" },
  { value: "name", label: "Name" },
] as const satisfies readonly { value: AgentOrder; label: string }[];

/** Trust models an agent can declare in its registration file (ERC-8004 `supportedTrust`). */
export const TRUST_LEVELS = [
  { value: "tee-attestation", label: "TEE attestation" },
  { value: "reputation", label: "Reputation" },
  { value: "crypto-economic", label: "Crypto-economic" },
] as const;

export interface ExploreQuery {
  text: string;
  tag: string;
  /** As typed (ETH), for the form. */
  maxPriceEth: string;
  maxPriceWei: bigint | undefined;
  trust: string;
  order: AgentOrder;
  /** Values that were ignored, for people. */
  problems: string[];
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
const orderSchema = z.enum(AGENT_ORDERS.map((o) => o.value) as [AgentOrder, ...AgentOrder[]]);

export function parseExploreQuery(params: Record<string, string | string[] | undefined>): ExploreQuery {
  const problems: string[] = [];
  const text = first(params.q).slice(0, 100);
  const tag = first(params.tag).toLowerCase().slice(0, 64);
  const trust = first(params.trust).slice(0, 64);
  const maxPriceEth = first(params.maxPrice).slice(0, 40);
  let maxPriceWei: bigint | undefined;
  if (maxPriceEth) {
    if (/^\d+(\.\d{1,18})?$/.test(maxPriceEth)) maxPriceWei = parseEther(maxPriceEth);
    else problems.push(`Max price “${maxPriceEth}” is not an ETH amount (e.g. 0.001): ignored.`);
  }
  const rawOrder = first(params.sort);
  const order = orderSchema.safeParse(rawOrder || "newest");
  if (!order.success) problems.push(`Unknown sort order “${rawOrder}”: showing the newest first.`);
  return { text, tag, maxPriceEth, maxPriceWei, trust, order: order.success ? order.data : "newest", problems };
}

/** Whether any filter narrows the list (to word the empty state). */
export function isFiltered(query: ExploreQuery): boolean {
  return Boolean(query.text || query.tag || query.trust || query.maxPriceWei !== undefined);
}
