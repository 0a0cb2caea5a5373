import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keccak256, toHex, type Hex } from "viem";
import { keccakNative } from "../../protocol/src/native-crypto.ts";
import {
  canonicalJson, encodeReceipt, encodeVoucher, isProtocolError, MerkleAccumulator, merkleProof, merkleRoot, parseReceipt,
  parseVoucher, receiptDigest, requestHash, resultHash, signReceipt, signVoucher, verifyMerkleProof,
  verifyReceipt, verifyVoucher, voucherDigest, EMPTY_ROOT, type ProtocolErrorCode,
} from "../../protocol/src/index.ts";
import {
  VECTOR_CHAIN_ID, VECTOR_ESCROW, VECTORS_FILE, sessionKey, workerKey, vectorAgreementId, vectorPrice,
  vectorRequest, vectorResult, vectorTimestamp, type VectorFile,
} from "./vectors.ts";

const ref = { chainId: VECTOR_CHAIN_ID, escrow: VECTOR_ESCROW };
const rejects = (code: ProtocolErrorCode) => (e: unknown) => isProtocolError(e, code);

describe("shared test vectors (protocol/test-vectors/v1.json)", () => {
  const file = JSON.parse(readFileSync(VECTORS_FILE, "utf8")) as VectorFile;

  it("reproduces the request hash and canonical arguments", () => {
    assert.equal(file.sessionKey, sessionKey.address);
    assert.equal(file.worker, workerKey.address);
    assert.equal(canonicalJson(vectorRequest.arguments), file.request.canonicalArguments);
    assert.equal(requestHash(vectorRequest), file.request.requestHash);
  });

  it("reproduces every voucher digest and signature", async () => {
    for (const v of file.vouchers) {
      const invocation = { agreementId: vectorAgreementId, calls: BigInt(v.calls), amount: BigInt(v.amount), requestHash: file.request.requestHash };
      assert.equal(voucherDigest(ref, invocation), v.digest);
      assert.equal((await signVoucher(sessionKey, ref, invocation)).signature, v.signature);
    }
  });

  it("reproduces every receipt and the receipts root", async () => {
    const digests: Hex[] = [];
    for (const r of file.receipts) {
      assert.equal(resultHash(vectorResult), r.resultHash);
      const body = { agreementId: vectorAgreementId, calls: BigInt(r.calls), requestHash: file.request.requestHash, resultHash: r.resultHash, timestamp: BigInt(r.timestamp) };
      const signed = await signReceipt(workerKey, ref, body);
      assert.equal(signed.signature, r.signature);
      assert.equal(receiptDigest(ref, signed), r.digest);
      digests.push(r.digest);
    }
    assert.equal(merkleRoot(digests), file.receiptsRoot);
  });
});

describe("vouchers", () => {
  const hash = requestHash(vectorRequest);
  const invocation = { agreementId: 7n, calls: 3n, amount: 3n * vectorPrice, requestHash: hash };
  const expected = { calls: 3n, price: vectorPrice, requestHash: hash, signers: [sessionKey.address] };

  it("verifies a correct voucher and round-trips through the wire format", async () => {
    const signed = await signVoucher(sessionKey, ref, invocation);
    const wire = JSON.parse(JSON.stringify(encodeVoucher(signed)));
    const parsed = parseVoucher(wire);
    assert.deepEqual(parsed, { ...signed, requestHash: signed.requestHash.toLowerCase() });
    assert.equal(await verifyVoucher(ref, parsed, expected), sessionKey.address);
  });

  it("rejects the wrong index, amount, request, signer, chain and contract", async () => {
    const signed = await signVoucher(sessionKey, ref, invocation);
    await assert.rejects(verifyVoucher(ref, signed, { ...expected, calls: 4n }), rejects("WRONG_CALL_INDEX"));
    await assert.rejects(verifyVoucher(ref, { ...signed, amount: signed.amount - 1n }, expected), rejects("WRONG_AMOUNT"));
    await assert.rejects(verifyVoucher(ref, signed, { ...expected, requestHash: requestHash({ ...vectorRequest, toolName: "other" }) }), rejects("WRONG_REQUEST"));
    const stranger = privateKeyToAccount(generatePrivateKey());
    await assert.rejects(verifyVoucher(ref, await signVoucher(stranger, ref, invocation), expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyVoucher({ ...ref, chainId: 1 }, signed, expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyVoucher({ ...ref, escrow: workerKey.address }, signed, expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyVoucher(ref, { ...signed, agreementId: 8n }, expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyVoucher(ref, { ...signed, signature: "0x1234" }, expected), rejects("INVALID_SIGNATURE"));
  });

  it("rejects the malleable twin of a valid signature (high s), as the contract does", async () => {
    const signed = await signVoucher(sessionKey, ref, invocation);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${signed.signature.slice(66, 130)}`);
    const v = Number.parseInt(signed.signature.slice(130), 16);
    const twin = `${signed.signature.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await assert.rejects(verifyVoucher(ref, { ...signed, signature: twin }, expected), (e: unknown) => isProtocolError(e, "INVALID_SIGNATURE") && /high s/.test(e.message));
  });

  it("names what is wrong in a malformed wire voucher", () => {
    assert.throws(() => parseVoucher(undefined), (e: unknown) => isProtocolError(e, "MALFORMED_VOUCHER") && /missing voucher/.test(e.message));
    assert.throws(() => parseVoucher({ agreementId: 7, calls: "1", amount: "-1", requestHash: "0x12", signature: "zz" }), (e: unknown) =>
      isProtocolError(e, "MALFORMED_VOUCHER") && ["agreementId", "amount", "requestHash", "signature"].every((f) => e.message.includes(f)));
    assert.throws(() => parseVoucher({ ...encodeVoucherLike(), calls: "1".repeat(79) }), rejects("MALFORMED_VOUCHER"));
  });

  it("never throws anything but a ProtocolError on arbitrary input (property)", () => {
    fc.assert(fc.property(fc.anything(), (value) => {
      try { parseVoucher(value); } catch (e) { assert.ok(isProtocolError(e, "MALFORMED_VOUCHER")); }
    }), { numRuns: 500 });
  });
});

function encodeVoucherLike() {
  return { agreementId: "1", calls: "1", amount: "1", requestHash: `0x${"ab".repeat(32)}`, signature: `0x${"cd".repeat(65)}` };
}

describe("receipts", () => {
  const hash = requestHash(vectorRequest);
  const body = { agreementId: 7n, calls: 2n, requestHash: hash, resultHash: resultHash(vectorResult), timestamp: vectorTimestamp };
  const expected = { worker: workerKey.address, requestHash: hash, calls: 2n, agreementId: 7n, result: vectorResult };

  it("verifies a correct receipt through the wire format", async () => {
    const wire = JSON.parse(JSON.stringify(encodeReceipt(await signReceipt(workerKey, ref, body))));
    await verifyReceipt(ref, parseReceipt(wire), expected);
  });

  it("covers content, structuredContent and isError but not _meta", () => {
    const base = resultHash(vectorResult);
    assert.equal(resultHash({ ...vectorResult, _meta: { anything: 1 } }), base);
    assert.notEqual(resultHash({ ...vectorResult, isError: true }), base);
    assert.notEqual(resultHash({ ...vectorResult, structuredContent: { v: "Zoë" } }), base);
    assert.notEqual(resultHash({ ...vectorResult, content: [{ type: "text", text: "Zoe" }] }), base);
  });

  it("refuses a forged or mismatched receipt", async () => {
    const signed = await signReceipt(workerKey, ref, body);
    const impostor = privateKeyToAccount(generatePrivateKey());
    await assert.rejects(verifyReceipt(ref, await signReceipt(impostor, ref, body), expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyReceipt(ref, { ...signed, worker: impostor.address }, expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyReceipt(ref, signed, { ...expected, calls: 3n }), rejects("WRONG_CALL_INDEX"));
    await assert.rejects(verifyReceipt(ref, signed, { ...expected, requestHash: resultHash(vectorResult) }), rejects("WRONG_REQUEST"));
    await assert.rejects(verifyReceipt(ref, signed, { ...expected, result: { content: [] } }), rejects("MALFORMED_RECEIPT"));
    await assert.rejects(verifyReceipt(ref, { ...signed, timestamp: signed.timestamp + 1n }, expected), rejects("WRONG_SIGNER"));
    await assert.rejects(verifyReceipt(ref, { ...signed, signature: "0x00" }, expected), rejects("INVALID_SIGNATURE"));
  });
});

describe("receipts Merkle tree", () => {
  const digests = (n: number) => Array.from({ length: n }, (_, i) => receiptDigest(ref, {
    agreementId: 1n, calls: BigInt(i + 1), requestHash: `0x${"11".repeat(32)}`, resultHash: `0x${"22".repeat(32)}`, worker: workerKey.address, timestamp: 1n,
  }));

  it("proves every leaf at its index and nowhere else, for every size up to 33", () => {
    assert.equal(merkleRoot([]), EMPTY_ROOT);
    for (let n = 1; n <= 33; n++) {
      const leaves = digests(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(leaves, i);
        assert.ok(verifyMerkleProof(leaves[i]!, i, proof, root), `leaf ${i} of ${n}`);
        for (const j of [i + 1, i - 1, i + 2 ** proof.length, n]) {
          if (j !== i && j >= 0) assert.ok(!verifyMerkleProof(leaves[i]!, j, proof, root), `leaf ${i} of ${n} at ${j}`);
        }
      }
    }
  });

  it("changes the root when any receipt changes or the order changes (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), (n, k) => {
      const leaves = digests(n);
      const root = merkleRoot(leaves);
      const i = k % n;
      const swapped = [...leaves];
      [swapped[i], swapped[(i + 1) % n]] = [swapped[(i + 1) % n]!, swapped[i]!];
      assert.notEqual(merkleRoot(swapped), root);
      assert.notEqual(merkleRoot(leaves.slice(0, -1)), root);
      assert.throws(() => merkleProof(leaves, n), rejects("INVALID_MERKLE_PROOF"));
    }), { numRuns: 100 });
  });

  it("the accumulator built leaf by leaf has merkleRoot's root after every leaf (every size up to 300, random digests)", () => {
    const random = Array.from({ length: 300 }, (_, i) => keccak256(toHex(`leaf ${i}`)));
    const accumulator = new MerkleAccumulator();
    assert.equal(accumulator.root(), EMPTY_ROOT);
    for (let n = 1; n <= random.length; n++) {
      accumulator.append(random[n - 1]!);
      assert.equal(accumulator.count, n);
      assert.equal(accumulator.root(), merkleRoot(random.slice(0, n)), `root of ${n} leaves`);
    }
  });

  it("the accumulator on the native hash matches too, fed in uneven batches (property)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 8 }), (batches) => {
      const all: Hex[] = [];
      const accumulator = new MerkleAccumulator(keccakNative);
      for (const size of batches) {
        for (let i = 0; i < size; i++) {
          const digest = keccak256(toHex(`call ${all.length + 1}`));
          all.push(digest);
          accumulator.append(digest);
        }
        assert.equal(accumulator.root(), merkleRoot(all));
      }
    }), { numRuns: 60 });
  });
});
