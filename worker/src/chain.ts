/** Reads agreement state from the escrow, reusing it for a short time (`cacheMs`). */
import type { Address, PublicClient } from "viem";
import { readAgreement, type AgreementState } from "@agentry/protocol/core";

export type { AgreementState };

export class ChainView {
  private readonly cache = new Map<string, { at: number; value: Promise<AgreementState | null> }>();
  /** Chain time minus wall-clock time, in seconds (block timestamps can run ahead or behind). */
  private clock: { at: number; offsetS: Promise<number> } | undefined;

  readonly client: PublicClient;
  readonly escrow: Address;
  private readonly cacheMs: number;

  constructor(client: PublicClient, escrow: Address, cacheMs: number) {
    this.client = client;
    this.escrow = escrow;
    this.cacheMs = cacheMs;
  }

  /** The agreement, or null when the id is unknown. `fresh` bypasses the cache. */
  agreement(id: bigint, options: { fresh?: boolean } = {}): Promise<AgreementState | null> {
    const key = id.toString();
    const hit = this.cache.get(key);
    if (!options.fresh && hit && Date.now() - hit.at < this.cacheMs) return hit.value;
    const value = readAgreement(this.client, this.escrow, id);
    this.cache.set(key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /**
   * The chain's current time (unix seconds), as the contracts see it: wall clock corrected by the
   * offset of the latest block's timestamp, re-measured at most every `cacheMs`.
   */
  async now(): Promise<bigint> {
    if (!this.clock || Date.now() - this.clock.at >= Math.max(this.cacheMs, 1)) {
      const at = Date.now();
      const offsetS = this.client.getBlock({ blockTag: "latest" }).then((b) => Number(b.timestamp) - Math.floor(at / 1000));
      this.clock = { at, offsetS };
      offsetS.catch(() => (this.clock = undefined));
    }
    const offset = await this.clock.offsetS.catch(() => 0);
    return BigInt(Math.floor(Date.now() / 1000) + Math.max(offset, 0));
  }

  forget(id: bigint): void {
    this.cache.delete(id.toString());
  }
}
