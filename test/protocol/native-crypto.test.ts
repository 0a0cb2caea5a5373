/**
 * The worker's hot-path crypto (precomputed EIP-712 domain, native libsecp256k1) must agree exactly
 * with the protocol library, which is the reference.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { keccak256, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  escrowDomain, isProtocolError, merkleRoot, receiptDigest, receiptTypes, requestHash, resultHash, signVoucher, voucherDigest,
} from "../../protocol/src/index.ts";
import { Eip712Hasher, keccakNative, NativeSigner, recoverSigner, requestHashNative, resultHashNative } from "../../protocol/src/native-crypto.ts";

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Address);
const uint256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
const ref = fc.record({ chainId: fc.integer({ min: 1, max: 2 ** 40 }), escrow: address });

describe("worker crypto agrees with the protocol library", () => {
  it("native keccak256 equals viem's on any input, across the 136-byte rate boundaries (property)", () => {
    // One sponge is reused between hashes: interleaving lengths also checks nothing carries over.
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 4 }), (inputs) => {
        for (const input of inputs) assert.equal(`0x${keccakNative(input).toString("hex")}`, keccak256(input));
      }),
      { numRuns: 300 },
    );
    for (const length of [0, 135, 136, 137, 272]) assert.equal(`0x${keccakNative(new Uint8Array(length).fill(7)).toString("hex")}`, keccak256(new Uint8Array(length).fill(7)));
  });

  it("the receipts root with native keccak equals the reference root (property: 1 to 70 leaves)", () => {
    fc.assert(
      fc.property(fc.array(hex32, { minLength: 1, maxLength: 70 }), (digests) => {
        assert.equal(merkleRoot(digests, keccakNative), merkleRoot(digests));
      }),
      { numRuns: 100 },
    );
  });

  it("voucher and receipt digests are identical (property)", () => {
    fc.assert(
      fc.property(ref, uint256, uint256, uint256, hex32, hex32, address, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (r, agreementId, calls, amount, requestHash, resultHash, worker, timestamp) => {
        const hasher = new Eip712Hasher(r);
        assert.equal(hasher.voucher({ agreementId, calls, amount, requestHash }), voucherDigest(r, { agreementId, calls, amount, requestHash }));
        const body = { agreementId, calls, requestHash, resultHash, worker, timestamp };
        assert.equal(hasher.receipt(body), receiptDigest(r, body));
      }),
      { numRuns: 200 },
    );
  });

  it("request and result hashes are identical (property: any JSON arguments and results)", () => {
    fc.assert(
      fc.property(uint256, fc.string({ maxLength: 40 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.option(fc.boolean(), { nil: undefined }), (agentId, toolName, args, content, isError) => {
        assert.equal(requestHashNative({ agentId, toolName, arguments: args }), requestHash({ agentId, toolName, arguments: args }));
        const result = { content: content as never[], ...(isError === undefined ? {} : { isError }) };
        assert.equal(resultHashNative(result), resultHash(result));
      }),
      { numRuns: 300 },
    );
  });

  it("native signatures recover with viem, and native recovery matches protocol-signed vouchers", async () => {
    const r = { chainId: 31337, escrow: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" as Address };
    const hasher = new Eip712Hasher(r);
    for (let i = 0; i < 20; i++) {
      const key = generatePrivateKey();
      const signer = new NativeSigner(key);
      assert.equal(signer.address, privateKeyToAccount(key).address.toLowerCase());
      const body = { agreementId: BigInt(i), calls: BigInt(i + 1), requestHash: `0x${"11".repeat(32)}` as Hex, resultHash: `0x${"22".repeat(32)}` as Hex, worker: signer.address, timestamp: 1n };
      const signature = signer.sign(hasher.receipt(body));
      const recovered = await recoverTypedDataAddress({ domain: escrowDomain(r.chainId, r.escrow), types: receiptTypes, primaryType: "Receipt", message: body, signature });
      assert.equal(recovered.toLowerCase(), signer.address);
      const account = privateKeyToAccount(key);
      const invocation = { agreementId: BigInt(i), calls: 1n, amount: 5n, requestHash: body.requestHash };
      const voucher = await signVoucher(account, r, invocation);
      assert.equal(recoverSigner(hasher.voucher(invocation), voucher.signature).toLowerCase(), account.address.toLowerCase());
    }
  });

  it("refuses the malleable high-s twin and a bad v, like the contract", () => {
    const signer = new NativeSigner(generatePrivateKey());
    const digest = `0x${"ab".repeat(32)}` as Hex;
    const sig = signer.sign(digest);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const v = Number.parseInt(sig.slice(130), 16);
    const twin = `${sig.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    assert.throws(() => recoverSigner(digest, twin), (e: unknown) => isProtocolError(e, "INVALID_SIGNATURE"));
    assert.throws(() => recoverSigner(digest, `${sig.slice(0, 130)}1b00` as Hex), (e: unknown) => isProtocolError(e, "INVALID_SIGNATURE"));
    assert.throws(() => recoverSigner(digest, `${sig.slice(0, 130)}00` as Hex), (e: unknown) => isProtocolError(e, "INVALID_SIGNATURE"));
    assert.equal(recoverSigner(digest, sig), signer.address);
  });
});
