/** Token buckets of the broker and the upload route (web/lib/rate-limit.ts), on a fake clock. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryRateLimiter } from "../../web/lib/rate-limit.ts";

describe("MemoryRateLimiter", () => {
  it("allows a burst, then refills at the rate, per key", () => {
    let now = 0;
    const limiter = new MemoryRateLimiter({ ratePerSecond: 2, burst: 3 }, () => now);
    assert.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
    assert.equal(limiter.take("a"), 500, "the next token in 500 ms");
    assert.equal(limiter.take("b"), 0, "another key has its own bucket");
    now += 500;
    assert.equal(limiter.take("a"), 0);
    now += 10_000;
    assert.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a"), limiter.take("a") > 0], [0, 0, 0, true], "refills up to the burst, no further");
  });

  it("takes a cost, and says when that many tokens are back", () => {
    let now = 0;
    const limiter = new MemoryRateLimiter({ ratePerSecond: 1_000, burst: 10_000 }, () => now);
    assert.equal(limiter.take("a", 8_000), 0);
    assert.equal(limiter.take("a", 4_000), 2_000, "2,000 tokens short at 1,000/s");
    now += 2_000;
    assert.equal(limiter.take("a", 4_000), 0, "a refused take consumed nothing");
    assert.equal(limiter.take("b", 50_000), 0, "a cost above the burst costs the whole burst instead of never passing");
    assert.ok(limiter.take("b", 1) > 0);
  });

  it("keeps at most maxKeys buckets, dropping the least recently used", () => {
    let now = 0;
    const limiter = new MemoryRateLimiter({ ratePerSecond: 0.001, burst: 1, maxKeys: 2 }, () => now);
    limiter.take("a");
    limiter.take("b");
    limiter.take("a"); // refused, and a is now the most recently used
    limiter.take("c"); // evicts b
    assert.ok(limiter.take("a") > 0, "a was kept, still empty");
    assert.equal(limiter.take("b"), 0, "b was dropped, so it starts full");
  });
});
