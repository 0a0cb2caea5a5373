/**
 * How the worker process runs: V8 and allocator settings that keep its resident memory small
 * under load (docs/OPERATIONS.md, "Worker memory"). Launchers pass NODE_FLAGS and ENV when they
 * start `node worker/src/main.ts`; main.ts's shebang carries the same values for the `agentry-worker`
 * bin, and `tuneHeap` sets the flags V8 reads at run time.
 *
 * - A 4 MB young generation instead of 16 MB per semi-space: requests allocate briefly, and the
 *   default lets 32 MB of nursery become resident. Smaller is false economy: at 1 MB a scavenge
 *   runs every few dozen calls, catches the calls in flight and promotes them, and garbage
 *   collection took a fifth of the paid-call CPU (bench:worker, 1 MB against 4 MB: about 15% less
 *   CPU per call for about 5 MB more RSS).
 * - One V8 platform thread: the node runs on small machines; more threads only add stacks and
 *   malloc arenas.
 * - At most two malloc arenas, trimmed eagerly: each thread would otherwise keep its own 64 MB
 *   arena and hold on to freed memory.
 */
import v8 from "node:v8";

export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4", "--v8-pool-size=1"];

export const ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2", MALLOC_TRIM_THRESHOLD_: "131072" };

/**
 * Flags V8 consults at every collection, set from inside the process: the old generation may grow
 * 30% past the live data before a full collection (V8's default lets it grow up to 4x, so garbage
 * from finished requests piles up), and bytecode unused since the last collection (module set-up
 * code, mostly) is dropped.
 */
export function tuneHeap(): void {
  v8.setFlagsFromString("--heap-growing-percent=30");
  v8.setFlagsFromString("--bytecode-old-age=1");
}
