/**
 * Rendezvous routing: every broker ranks an agreement's workers by keccak256(abi.encodePacked(
 * agreementId, worker)), highest first, so all instances agree with no shared state; a worker that
 * is failing or at its in-flight limit goes to the back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodePacked, getAddress, keccak256, type Address } from "viem";
import { rankWorkers, WorkerHealth } from "../../web/lib/broker/routing.ts";

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(`0x${Buffer.from(b).toString("hex")}`));
const reference = (agreementId: bigint, workers: Address[]) =>
  [...workers].sort((a, b) => {
    const wa = BigInt(keccak256(encodePacked(["uint256", "address"], [agreementId, a])));
    const wb = BigInt(keccak256(encodePacked(["uint256", "address"], [agreementId, b])));
    return wa === wb ? 0 : wa > wb ? -1 : 1;
  });

test("ranks healthy workers by the rendezvous weight, highest first (property, against viem's keccak)", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.uniqueArray(address, { minLength: 1, maxLength: 6 }), (agreementId, workers) => {
      const health = new WorkerHealth({ failureBackoffMs: 10_000, maxInFlight: 10 });
      const ranked = rankWorkers(agreementId, workers.map((a) => ({ address: a })), health).map((w) => w.address);
      assert.deepEqual(ranked, reference(agreementId, workers));
    }),
    { numRuns: 200 },
  );
});

test("a failing worker and a worker at its in-flight limit move to the back until they recover", () => {
  let now = 1_000;
  const health = new WorkerHealth({ failureBackoffMs: 10_000, maxInFlight: 1 }, () => now);
  const workers = ["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222", "0x3333333333333333333333333333333333333333"] as Address[];
  const order = reference(7n, workers);
  const rank = () => rankWorkers(7n, workers.map((a) => ({ address: a })), health).map((w) => w.address);
  assert.deepEqual(rank(), order);
  health.failed(order[0]!);
  assert.deepEqual(rank(), [order[1], order[2], order[0]]);
  const end = health.begin(order[1]!);
  assert.deepEqual(rank(), [order[2], order[0], order[1]]);
  end();
  now += 10_001;
  assert.deepEqual(rank(), order);
});
