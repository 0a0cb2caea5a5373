/**
 * Writes protocol/test-vectors/v1.json: fixed inputs and the outputs this implementation gives.
 * Run only when the protocol changes on purpose (the tests compare against the committed file).
 */
import { writeFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { Hex } from "viem";
import { canonicalJson, merkleRoot, receiptDigest, requestHash, resultHash, signReceipt, signVoucher, voucherDigest } from "../protocol/src/index.ts";
import {
  VECTOR_CHAIN_ID, VECTOR_ESCROW, VECTORS_FILE, sessionKey, workerKey, vectorAgreementId, vectorPrice, vectorRequest,
  vectorResult, vectorTimestamp, type VectorFile,
} from "../test/protocol/vectors.ts";

const ref = { chainId: VECTOR_CHAIN_ID, escrow: VECTOR_ESCROW };
const hash = requestHash(vectorRequest);
const file: VectorFile = {
  chainId: VECTOR_CHAIN_ID,
  escrow: VECTOR_ESCROW,
  sessionKey: sessionKey.address,
  worker: workerKey.address,
  request: {
    agentId: vectorRequest.agentId.toString(),
    toolName: vectorRequest.toolName,
    arguments: vectorRequest.arguments,
    canonicalArguments: canonicalJson(vectorRequest.arguments),
    requestHash: hash,
  },
  vouchers: [],
  receipts: [],
  receiptsRoot: "0x",
};
const digests: Hex[] = [];
for (const calls of [1n, 2n, 3n]) {
  const invocation = { agreementId: vectorAgreementId, calls, amount: calls * vectorPrice, requestHash: hash };
  const voucher = await signVoucher(sessionKey, ref, invocation);
  file.vouchers.push({ calls: calls.toString(), amount: invocation.amount.toString(), digest: voucherDigest(ref, invocation), signature: voucher.signature });
  const receipt = await signReceipt(workerKey, ref, { agreementId: vectorAgreementId, calls, requestHash: hash, resultHash: resultHash(vectorResult), timestamp: vectorTimestamp + calls });
  const digest = receiptDigest(ref, receipt);
  digests.push(digest);
  file.receipts.push({ calls: calls.toString(), resultHash: receipt.resultHash, timestamp: receipt.timestamp.toString(), digest, signature: receipt.signature });
}
file.receiptsRoot = merkleRoot(digests);
const out = fileURLToPath(VECTORS_FILE);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(file, null, 2) + "\n");
console.log(`wrote ${out}`);
