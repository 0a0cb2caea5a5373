/**
 * Which worker serves a call. Rendezvous (highest-random-weight) hashing of (agreement, worker)
 * ranks the eligible workers the same way on every broker instance, with no shared state: an
 * agreement stays on its first-ranked worker while that worker is healthy, which keeps its call
 * indexes and receipts on one worker. A worker that just failed, or is at its in-flight limit,
 * moves to the back of the order until it recovers.
 */
import type { Address } from "viem";
import { keccakNative } from "@agentry/protocol/native-crypto";

export interface WorkerLoad {
  inFlight: number;
  /** Until when (ms since epoch) the worker counts as failing. */
  failingUntil: number;
}

export class WorkerHealth {
  readonly #load = new Map<string, WorkerLoad>();
  readonly #failureBackoffMs: number;
  readonly #maxInFlight: number;
  readonly #now: () => number;

  constructor(options: { failureBackoffMs: number; maxInFlight: number }, now: () => number = Date.now) {
    this.#failureBackoffMs = options.failureBackoffMs;
    this.#maxInFlight = options.maxInFlight;
    this.#now = now;
  }

  #get(worker: Address): WorkerLoad {
    const key = worker.toLowerCase();
    let load = this.#load.get(key);
    if (!load) this.#load.set(key, (load = { inFlight: 0, failingUntil: 0 }));
    return load;
  }

  /** False while the worker is backing off after a failure or is at its in-flight limit. */
  available(worker: Address): boolean {
    const load = this.#get(worker);
    return load.failingUntil <= this.#now() && load.inFlight < this.#maxInFlight;
  }

  begin(worker: Address): () => void {
    const load = this.#get(worker);
    load.inFlight += 1;
    let ended = false;
    return () => {
      if (!ended) load.inFlight -= 1;
      ended = true;
    };
  }

  failed(worker: Address): void {
    this.#get(worker).failingUntil = this.#now() + this.#failureBackoffMs;
  }

  succeeded(worker: Address): void {
    this.#get(worker).failingUntil = 0;
  }

  inFlight(worker: Address): number {
    return this.#get(worker).inFlight;
  }
}

/** A worker's weight for an agreement: keccak256(abi.encodePacked(uint256 agreementId, address worker)). */
function weight(agreementId: bigint, worker: Address): Buffer {
  const packed = Buffer.alloc(52);
  packed.write(agreementId.toString(16).padStart(64, "0"), 0, "hex");
  packed.write(worker.slice(2), 32, "hex");
  return keccakNative(packed);
}

/** The eligible workers in the order to try them for `agreementId`. */
export function rankWorkers<W extends { address: Address }>(agreementId: bigint, workers: readonly W[], health: WorkerHealth): W[] {
  const scored = workers.map((w) => ({ w, score: weight(agreementId, w.address) }));
  // Highest weight first; equal-length big-endian digests compare as the numbers they encode.
  scored.sort((a, b) => Buffer.compare(b.score, a.score));
  const ranked = scored.map((s) => s.w);
  return [...ranked.filter((w) => health.available(w.address)), ...ranked.filter((w) => !health.available(w.address))];
}
