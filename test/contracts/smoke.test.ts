import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deployAgentry, networkHelpers, registerAgent, SAMPLE_URI, signVoucher, requestHashOf } from "../support/fixture.ts";
import { zeroAddress } from "viem";

describe("smoke", () => {
  it("registers, prices, opens, redeems and closes", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    assert.equal(await a.agentRegistry.read.tokenURI([agentId]), SAMPLE_URI);
    await a.escrow.write.setPrice([agentId, zeroAddress, 1000n], { account: a.provider.account });
    const now = BigInt(await networkHelpers.time.latest());
    await a.escrow.write.open([agentId, zeroAddress, 100_000n, 100, now + 3600n, zeroAddress], { account: a.client.account, value: 100_000n });
    const sig = await signVoucher(a.client, { chainId: a.chainId, escrow: a.escrow.address, agreementId: 1n, calls: 100n, amount: 100_000n, requestHash: requestHashOf("x") });
    await a.escrow.write.redeem([1n, 100n, 100_000n, requestHashOf("x"), sig, requestHashOf("root")]);
    const ag = await a.escrow.read.getAgreement([1n]);
    assert.equal(ag.redeemedCalls, 100);
    await a.escrow.write.close([1n], { account: a.provider.account });
    assert.equal((await a.escrow.read.getAgreement([1n])).closed, true);
  });
});
