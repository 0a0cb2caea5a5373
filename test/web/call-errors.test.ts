/**
 * The playground's message for a call no worker ran (web/lib/agent/call-errors.ts), on the errors
 * the protocol's broker client throws.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokerError } from "../../protocol/src/index.ts";
import { workerUnavailableMessage } from "../../web/lib/agent/call-errors.ts";

const unreachable = (n: number) => Array.from({ length: n }, (_, i) => `0x${String(i).repeat(40)}: the worker is unreachable: fetch failed`);

describe("playground call errors (web/lib/agent/call-errors.ts)", () => {
  it("says no worker ran the call, nothing was charged and the call index is still free", () => {
    const error = new BrokerError("NO_WORKER", "no eligible worker could run the call (2 tried)", "retry with the same voucher", { failures: unreachable(2) });
    assert.equal(
      workerUnavailableMessage(error, 3),
      "No worker of this agent could run the call: none of its 2 workers answered. Nothing was charged, and call #3 is still unused: try again in a moment. Your unspent deposit stays in escrow for you.",
    );
    assert.match(workerUnavailableMessage(new BrokerError("NO_WORKER", "no eligible worker could run the call (1 tried)", "", { failures: unreachable(1) }), 1)!, /could run the call: its worker did not answer\./);
  });

  it("covers an agent no worker may serve", () => {
    const error = new BrokerError("NO_WORKER", "no eligible worker serves agent 4 (none is approved, validated, unexpired and running a pinned measurement)", "nothing was charged");
    assert.match(workerUnavailableMessage(error, 1)!, /^No worker of this agent could run the call: none may serve it now\./);
  });

  it("leaves every other failure to the broker's own words", () => {
    const badReceipt = new BrokerError("NO_WORKER", "no eligible worker could run the call (2 tried)", "", { failures: [unreachable(1)[0], "0xabc: bad receipt (BAD_SIGNATURE: …)"] });
    assert.equal(workerUnavailableMessage(badReceipt, 2), null);
    assert.equal(workerUnavailableMessage(new BrokerError("NO_WORKER", "the broker answered HTTP 500 without an error body", "check the broker URL and its logs"), 2), null);
    assert.equal(workerUnavailableMessage(new BrokerError("TIMEOUT", "no worker answered within 30000 ms", ""), 2), null);
    assert.equal(workerUnavailableMessage(new Error("boom"), 2), null);
  });
});
