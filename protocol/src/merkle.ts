/**
 * The receipts Merkle tree: the tree whose root AgreementEscrow.redeem anchors on-chain.
 *
 * Leaves, in call order (call 1 first): leaf = keccak256(0x00 ‖ receiptDigest), where
 * receiptDigest is the receipt's EIP-712 digest. Inner nodes: keccak256(0x01 ‖ left ‖ right),
 * ordered (not sorted), so a proof also proves the call index. A level with an odd number of
 * nodes carries its last node up unchanged. The distinct prefixes keep a leaf from ever being
 * mistaken for an inner node. The root of no receipts is 0x00…00.
 */
import { bytesToHex, concat, hexToBytes, keccak256, type Hex } from "viem";
import { ProtocolError } from "./errors.ts";

export const EMPTY_ROOT: Hex = `0x${"0".repeat(64)}`;

/** keccak256 over bytes. Servers pass a native one (native-crypto.ts); viem's is the default. */
export type Keccak256Bytes = (data: Uint8Array) => Uint8Array;
const keccakBytes: Keccak256Bytes = (data) => keccak256(data, "bytes");

export function merkleLeaf(receiptDigest: Hex): Hex {
  return keccak256(concat(["0x00", receiptDigest]));
}

function parent(left: Hex, right: Hex): Hex {
  return keccak256(concat(["0x01", left, right]));
}

function nextLevel(level: readonly Hex[]): Hex[] {
  const next: Hex[] = [];
  for (let i = 0; i < level.length; i += 2) {
    next.push(i + 1 < level.length ? parent(level[i]!, level[i + 1]!) : level[i]!);
  }
  return next;
}

/** Leaf and inner-node hashing on bytes, in one reused buffer: the hot path of both root computations. */
class NodeHasher {
  private readonly node = new Uint8Array(65);
  private readonly hash: Keccak256Bytes;

  constructor(hash: Keccak256Bytes) {
    this.hash = hash;
  }

  leaf(receiptDigest: Hex): Uint8Array {
    this.node[0] = 0x00;
    this.node.set(hexToBytes(receiptDigest), 1);
    return this.hash(this.node.subarray(0, 33));
  }

  parent(left: Uint8Array, right: Uint8Array): Uint8Array {
    this.node[0] = 0x01;
    this.node.set(left, 1);
    this.node.set(right, 33);
    return this.hash(this.node);
  }
}

/**
 * Root of the tree over `receiptDigests` (ordered by call index). Computed on bytes: a worker
 * redeems trees of thousands of receipts.
 */
export function merkleRoot(receiptDigests: readonly Hex[], hash: Keccak256Bytes = keccakBytes): Hex {
  if (receiptDigests.length === 0) return EMPTY_ROOT;
  const nodes = new NodeHasher(hash);
  let level = receiptDigests.map((digest) => nodes.leaf(digest));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodes.parent(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return bytesToHex(level[0]!);
}

/**
 * The same tree, built leaf by leaf: for a worker that redeems an agreement again and again, each
 * redemption costs the new leaves, not the whole history (a root over 1..n from scratch at every
 * redemption is quadratic over an agreement's life).
 *
 * Why it is the same tree: with 2^a <= n < 2^(a+1) leaves, the first 2^a pair up among themselves
 * at every level (each level of that block has an even count until it is one node), and the other
 * n - 2^a form their own tree under the same rule, carried up until they meet the block. So
 * root(n) = parent(perfect(2^a), root(n - 2^a)): the roots of the perfect subtrees of n's binary
 * decomposition ("peaks"), folded from the right. Appending a leaf merges equal peaks, like a
 * binary increment. Property-tested against merkleRoot.
 */
export class MerkleAccumulator {
  /** Roots of the perfect subtrees, left to right (sizes strictly decreasing). */
  private readonly peaks: Uint8Array[] = [];
  private readonly sizes: number[] = [];
  private readonly nodes: NodeHasher;
  /** Leaves appended so far. */
  count = 0;

  constructor(hash: Keccak256Bytes = keccakBytes) {
    this.nodes = new NodeHasher(hash);
  }

  append(receiptDigest: Hex): void {
    let peak = this.nodes.leaf(receiptDigest);
    let size = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === size) {
      peak = this.nodes.parent(this.peaks.pop()!, peak);
      size += this.sizes.pop()!;
    }
    this.peaks.push(peak);
    this.sizes.push(size);
    this.count += 1;
  }

  root(): Hex {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let acc = this.peaks[this.peaks.length - 1]!;
    for (let i = this.peaks.length - 2; i >= 0; i--) acc = this.nodes.parent(this.peaks[i]!, acc);
    return bytesToHex(acc);
  }
}

/** Sibling path from the leaf at `index` to the root (null where a node was carried up). */
export function merkleProof(receiptDigests: readonly Hex[], index: number): (Hex | null)[] {
  if (!Number.isInteger(index) || index < 0 || index >= receiptDigests.length) {
    throw new ProtocolError("INVALID_MERKLE_PROOF", `no leaf ${index} in a tree of ${receiptDigests.length}`);
  }
  const proof: (Hex | null)[] = [];
  let level = receiptDigests.map(merkleLeaf);
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    proof.push(sibling < level.length ? level[sibling]! : null);
    level = nextLevel(level);
    i = Math.floor(i / 2);
  }
  return proof;
}

/** True when `receiptDigest` is leaf `index` of the tree with root `root`. */
export function verifyMerkleProof(receiptDigest: Hex, index: number, proof: readonly (Hex | null)[], root: Hex): boolean {
  let node = merkleLeaf(receiptDigest);
  let i = index;
  for (const sibling of proof) {
    if (sibling !== null) node = i % 2 === 0 ? parent(node, sibling) : parent(sibling, node);
    // A node is carried up only as the last of an odd level, always at an even index: anything
    // else would let one proof verify for two indexes.
    else if (i % 2 === 1) return false;
    i = Math.floor(i / 2);
  }
  return i === 0 && node.toLowerCase() === root.toLowerCase();
}

/** The digest standing for a call the redeeming worker did not serve (another worker of the agent did). */
export const FOREIGN_CALL_DIGEST: Hex = `0x${"0".repeat(64)}`;

/**
 * The leaves' receipt digests for a redemption up to call `calls`, from the receipts a worker holds
 * ([call index, digest] pairs): calls it did not serve get FOREIGN_CALL_DIGEST. With one worker per
 * agreement (the broker keeps it so) every call is its own and this is simply the list of digests.
 * `after` starts the list at call `after + 1` (a MerkleAccumulator that already holds the others).
 */
export function receiptLeaves(held: ReadonlyArray<readonly [number, string]>, calls: number, after = 0): Hex[] {
  const byCall = new Map(held.map(([index, digest]) => [index, digest as Hex]));
  return Array.from({ length: Math.max(0, calls - after) }, (_, i) => byCall.get(after + i + 1) ?? FOREIGN_CALL_DIGEST);
}
