/**
 * checkReceiptsAnchor: the client's check of a redemption's receiptsRoot, with the receipts of one
 * worker, of two (a failover), and with the redeemer's receipt missing or altered.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  checkReceiptsAnchor, FOREIGN_CALL_DIGEST, merkleRoot, receiptDigest, signReceipt, type SignedReceipt,
} from "../../protocol/src/index.ts";

const ref = { chainId: 31337, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };
const first = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const second = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");

async function receipt(worker: typeof first, calls: number): Promise<SignedReceipt> {
  return signReceipt(worker, ref, {
    agreementId: 7n, calls: BigInt(calls), requestHash: keccak256(toHex(`request ${calls}`)), resultHash: keccak256(toHex(`result ${calls}`)), timestamp: 1_800_000_000n + BigInt(calls),
  });
}

test("one worker: the root of its receipts 1..calls matches; any other root does not", async () => {
  const held = new Map<number, SignedReceipt>();
  for (let calls = 1; calls <= 5; calls++) held.set(calls, await receipt(first, calls));
  const root = merkleRoot([...held.values()].map((r) => receiptDigest(ref, r)));
  assert.deepEqual(checkReceiptsAnchor(ref, held, 5, root), { computedRoot: root, matches: true });
  assert.equal(checkReceiptsAnchor(ref, held, 5, root.toUpperCase().replace("0X", "0x") as Hex).matches, true);
  const other = merkleRoot([...held.values()].slice(0, 4).map((r) => receiptDigest(ref, r)));
  assert.equal(checkReceiptsAnchor(ref, held, 5, other).matches, false);
  // A redemption of the first 3 calls covers only those.
  const partial = merkleRoot([...held.values()].slice(0, 3).map((r) => receiptDigest(ref, r)));
  assert.equal(checkReceiptsAnchor(ref, held, 3, partial).matches, true);
});

test("after a failover the redeemer's root has foreign leaves for the other worker's calls", async () => {
  const held = new Map<number, SignedReceipt>([
    [1, await receipt(first, 1)], [2, await receipt(first, 2)], [3, await receipt(second, 3)], [4, await receipt(second, 4)],
  ]);
  const expected = merkleRoot([FOREIGN_CALL_DIGEST, FOREIGN_CALL_DIGEST, receiptDigest(ref, held.get(3)!), receiptDigest(ref, held.get(4)!)]);
  assert.equal(checkReceiptsAnchor(ref, held, 4, expected).matches, true);
  // The first worker's own redemption of calls 1..2 is checked against its receipts alone.
  const firstRoot = merkleRoot([receiptDigest(ref, held.get(1)!), receiptDigest(ref, held.get(2)!)]);
  assert.equal(checkReceiptsAnchor(ref, held, 2, firstRoot).matches, true);
});

test("without the redeemer's receipt the root cannot be computed; an altered receipt does not match", async () => {
  const held = new Map<number, SignedReceipt>([[1, await receipt(first, 1)], [2, await receipt(first, 2)]]);
  const root = merkleRoot([...held.values()].map((r) => receiptDigest(ref, r)));
  assert.deepEqual(checkReceiptsAnchor(ref, new Map([[1, held.get(1)!]]), 2, root), { computedRoot: null, matches: false });
  const altered = new Map(held).set(1, { ...held.get(1)!, resultHash: keccak256(toHex("another result")) });
  assert.equal(checkReceiptsAnchor(ref, altered, 2, root).matches, false);
});
