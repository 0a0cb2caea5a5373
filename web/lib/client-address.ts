/**
 * The address a request comes from, the key of per-address rate limits. X-Forwarded-For is written
 * by whoever sends the request, so its entries are believed only as far as the operator's own
 * proxies reach: with AGENTRY_TRUSTED_PROXIES = n, the client is the address n hops before the
 * socket's peer (each trusted proxy appends the address it received the request from). The default,
 * 0, takes the peer and ignores the header: a client cannot pick its own bucket.
 */
import { z } from "zod";
import { optional } from "./config.ts";

/**
 * Set by web/server.ts on every request it hands to Next.js, replacing any value the client sent.
 * App Router routes believe it only in a process that server.ts started (CLIENT_ADDRESS_ENV).
 */
export const CLIENT_ADDRESS_HEADER = "x-agentry-client-address";
const CLIENT_ADDRESS_ENV = "AGENTRY_SERVER_SETS_CLIENT_ADDRESS";

const trustedProxiesSchema = optional(z.coerce.number({ error: "must be a number" }).int().min(0).max(16));

/** AGENTRY_TRUSTED_PROXIES: how many proxies of the operator's stand in front of this server. */
export function trustedProxies(env: Record<string, string | undefined> = process.env): number {
  const parsed = trustedProxiesSchema.safeParse(env.AGENTRY_TRUSTED_PROXIES);
  if (!parsed.success) {
    throw new Error(`AGENTRY_TRUSTED_PROXIES ${parsed.error.issues[0]!.message}: set it to the number of your proxies in front of the dApp's server (0 when clients connect directly)`);
  }
  return parsed.data ?? 0;
}

/** The client's address: `hops` entries back from the peer along X-Forwarded-For, never further than its first entry. */
export function clientAddress(forwardedFor: string | undefined, peer: string | undefined, hops: number): string {
  const chain = hops === 0 ? [] : (forwardedFor ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  chain.push(peer || "unknown");
  return chain[Math.max(0, chain.length - 1 - hops)]!;
}

/** Called by web/server.ts before Next.js starts: routes may then believe CLIENT_ADDRESS_HEADER. */
export function announceClientAddressHeader(): void {
  process.env[CLIENT_ADDRESS_ENV] = "1";
}

/**
 * An App Router route's view of the client: what server.ts determined, or "unknown" under
 * `next dev` or `next start`, which cannot see the peer (every caller then shares one bucket).
 */
export function routeClientAddress(headers: Headers): string {
  return (process.env[CLIENT_ADDRESS_ENV] === "1" && headers.get(CLIENT_ADDRESS_HEADER)) || "unknown";
}
