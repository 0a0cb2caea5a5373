/**
 * Rate limits of the dApp's server: token buckets per key (an agreement, a client, a client
 * address), used by the broker and the upload and receipts routes. The in-memory limiter is per
 * process; several broker instances each enforce the limit on their share of the
 * traffic. Implement `RateLimiter` over a shared store (e.g. Redis) to make the limit global.
 */
import { BrokerError } from "@agentry/protocol";

export interface RateLimiter {
  /** Takes `cost` tokens (default 1) for `key`; returns 0 when allowed, else how many ms until they are free. */
  take(key: string, cost?: number): number | Promise<number>;
}

export interface BucketOptions {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests allowed in a burst. */
  burst: number;
  /** Buckets kept at most (least recently used dropped): memory stays bounded under any key spray. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: BucketOptions, now: () => number = Date.now) {
    this.#rate = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = now;
  }

  take(key: string, cost = 1): number {
    const need = Math.min(cost, this.#burst); // a cost above the burst would never be allowed
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key); // re-inserted below: Map order is the LRU order
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updatedMs) * this.#rate);
      bucket.updatedMs = now;
    } else {
      bucket = { tokens: this.#burst, updatedMs: now };
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return 0;
    }
    return Math.ceil((need - bucket.tokens) / this.#rate);
  }
}

/** Takes `cost` tokens for `key`, or throws RATE_LIMITED (429, Retry-After) saying who is limited: "too many <what>". */
export async function enforceLimit(limiter: RateLimiter, key: string, what: string, cost?: number): Promise<void> {
  const waitMs = await limiter.take(key, cost);
  if (waitMs > 0) {
    throw new BrokerError("RATE_LIMITED", `too many ${what}`, `retry in ${Math.ceil(waitMs / 1000)} s`, { retryAfterMs: waitMs });
  }
}
