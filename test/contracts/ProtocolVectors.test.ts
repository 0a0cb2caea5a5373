/**
 * The protocol library and the contracts agree: digests, request hashes, and a voucher signed by
 * the protocol library is accepted by the deployed escrow, whose Redeemed event anchors the
 * protocol's receipts root.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseEventLogs, zeroAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  jsonHash, merkleRoot, receiptDigest, requestHash, resultHash, signReceipt, signVoucher, voucherDigest,
} from "../../protocol/src/index.ts";
import { deployAgentry, networkHelpers, registerAgent } from "../support/fixture.ts";

describe("protocol vectors on the deployed contracts", () => {
  it("hashInvocation, hashReceipt and hashRequest equal the protocol library's", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const ref = { chainId: a.chainId, escrow: a.escrow.address };
    const request = { agentId: 5n, toolName: "csv_to_json", arguments: { csv: "a,b\n1,2", header: true } };
    const hash = requestHash(request);
    assert.equal(await a.escrow.read.hashRequest([request.agentId, request.toolName, jsonHash(request.arguments)]), hash);
    const invocation = { agreementId: 9n, calls: 4n, amount: 4_000n, requestHash: hash };
    assert.equal(await a.escrow.read.hashInvocation([9n, 4n, 4_000n, hash]), voucherDigest(ref, invocation));
    const body = { agreementId: 9n, calls: 4n, requestHash: hash, resultHash: resultHash({ content: [] }), worker: a.validator.account.address, timestamp: 1_700_000_000n };
    assert.equal(
      await a.escrow.read.hashReceipt([body.agreementId, body.calls, body.requestHash, body.resultHash, body.worker, body.timestamp]),
      receiptDigest(ref, body),
    );
  });

  it("redeems a protocol-signed voucher and anchors the protocol's receipts root", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const ref = { chainId: a.chainId, escrow: a.escrow.address };
    const agentId = await registerAgent(a);
    const price = 2_500n;
    await a.escrow.write.setPrice([agentId, zeroAddress, price], { account: a.provider.account });
    const sessionKey = privateKeyToAccount(generatePrivateKey());
    const worker = privateKeyToAccount(generatePrivateKey());
    const expiresAt = BigInt(await networkHelpers.time.latest()) + 3_600n;
    await a.escrow.write.open([agentId, zeroAddress, price * 10n, 10, expiresAt, sessionKey.address], { account: a.client.account, value: price * 10n });

    const digests: Hex[] = [];
    let last;
    for (let calls = 1n; calls <= 3n; calls++) {
      const hash = requestHash({ agentId, toolName: "hash_text", arguments: { text: `call ${calls}`, algorithm: "sha256" } });
      last = await signVoucher(sessionKey, ref, { agreementId: 1n, calls, amount: calls * price, requestHash: hash });
      const receipt = await signReceipt(worker, ref, { agreementId: 1n, calls, requestHash: hash, resultHash: resultHash({ content: [{ type: "text", text: String(calls) }] }), timestamp: 1n });
      digests.push(receiptDigest(ref, receipt));
    }
    const root = merkleRoot(digests);
    const balanceBefore = await a.publicClient.getBalance({ address: a.provider.account.address });
    const tx = await a.escrow.write.redeem([1n, last!.calls, last!.amount, last!.requestHash, last!.signature, root], { account: a.stranger.account });
    const receipt = await a.publicClient.waitForTransactionReceipt({ hash: tx });
    const [event] = parseEventLogs({ abi: a.escrow.abi, logs: receipt.logs, eventName: "Redeemed" });
    assert.equal(event?.args.receiptsRoot, root);
    assert.equal(event?.args.paid, 3n * price);
    assert.equal(await a.publicClient.getBalance({ address: a.provider.account.address }), balanceBefore + 3n * price);
  });
});
