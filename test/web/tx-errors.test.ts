/**
 * How the dApp explains a failed transaction (web/lib/tx-errors.ts), on errors built by viem itself
 * from the contracts' real ABIs: the called contract's revert, a revert bubbling up from another
 * Agentry contract, a node's raw revert data, a user's rejection, anything else.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  InvalidInputRpcError,
  RpcRequestError,
  TransactionExecutionError,
  UserRejectedRequestError,
  encodeErrorResult,
  getAddress,
  parseEther,
  type Hex,
} from "viem";
import { agentRegistryAbi, agreementEscrowAbi } from "../../protocol/src/generated/abis.ts";
import { describeTransactionError, insufficientFundsMessage } from "../../web/lib/tx-errors.ts";

const caller = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

function revertOf(abi: typeof agentRegistryAbi, data: Hex, functionName: string) {
  const cause = new ContractFunctionRevertedError({ abi, data, functionName });
  return new ContractFunctionExecutionError(cause, { abi, functionName, contractAddress: caller, args: [] });
}

describe("transaction errors (web/lib/tx-errors.ts)", () => {
  it("explains the called contract's custom error with its arguments", async () => {
    const data = encodeErrorResult({ abi: agentRegistryAbi, errorName: "NotAgentOperator", args: [7n, caller] });
    assert.deepEqual(await describeTransactionError(revertOf(agentRegistryAbi, data, "setAgentURI")), {
      kind: "reverted",
      errorName: "NotAgentOperator",
      message: `Only the agent's owner or an operator they approved can do this. (NotAgentOperator: agentId 7, caller ${caller})`,
    });
  });

  it("decodes an error of another Agentry contract that bubbled up", async () => {
    const data = encodeErrorResult({ abi: agreementEscrowAbi, errorName: "NoPrice", args: [3n, "0x0000000000000000000000000000000000000000"] });
    const failure = await describeTransactionError(revertOf(agentRegistryAbi, data, "register"));
    assert.equal(failure.kind, "reverted");
    assert.equal(failure.kind === "reverted" && failure.errorName, "NoPrice");
    assert.match(failure.message, /^The agent has no price in this token\. \(NoPrice: agentId 3, token 0x0{40}\)$/);
  });

  it("decodes raw revert data from a node's JSON-RPC error", async () => {
    const data = encodeErrorResult({ abi: agreementEscrowAbi, errorName: "AgreementIsClosed", args: [12n] });
    const rpc = new RpcRequestError({ body: {}, url: "http://127.0.0.1:8545", error: { code: 3, message: "execution reverted", data } });
    const failure = await describeTransactionError(new TransactionExecutionError(rpc, { account: { address: caller, type: "json-rpc" }, chain: undefined }));
    assert.equal(failure.kind, "reverted");
    assert.equal(failure.message, "The agreement is already closed. (AgreementIsClosed: agreementId 12)");
  });

  it("shows a plain Error(string) revert as its reason", async () => {
    const data = encodeErrorResult({
      abi: [{ type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] }],
      errorName: "Error",
      args: ["paused"],
    });
    const failure = await describeTransactionError(revertOf(agentRegistryAbi, data, "register"));
    assert.equal(failure.kind, "reverted");
    assert.match(failure.message, /paused/);
  });

  it("recognises a rejection in the wallet, however deep it is wrapped", async () => {
    const rejected = new TransactionExecutionError(new UserRejectedRequestError(new Error("User denied")), { account: { address: caller, type: "json-rpc" }, chain: undefined });
    assert.deepEqual(await describeTransactionError(rejected), { kind: "rejected", message: "You rejected the request in your wallet." });
    assert.equal((await describeTransactionError(Object.assign(new Error("nope"), { code: 4001 }))).kind, "rejected");
  });

  it("says how much ETH a transaction needs and what to do when the wallet holds less", () => {
    assert.equal(
      insufficientFundsMessage({ balance: parseEther("0.00025"), value: parseEther("0.0005"), gasCost: 23_256_966_798_923n }),
      "Your wallet holds 0.00025 ETH, not enough ETH for this transaction: it needs 0.0005 ETH plus about 0.000024 ETH of gas. Add ETH to your wallet (or lower the amount) and try again.",
    );
    assert.match(insufficientFundsMessage({ balance: 0n, value: 0n, gasCost: 1n }), /it needs about 0\.000001 ETH of gas\./);
  });

  it("explains a node refusing a transaction its sender cannot pay for (Hardhat's -32000 through a wallet)", async () => {
    const refused = new InvalidInputRpcError(
      Object.assign(new Error("Sender doesn't have enough funds to send tx. The max upfront cost is: 23256966798923 and the sender's balance is: 4096."), { code: -32000 }),
    );
    const failure = await describeTransactionError(new TransactionExecutionError(refused, { account: { address: caller, type: "json-rpc" }, chain: undefined }));
    assert.deepEqual(failure, {
      kind: "error",
      message: "Your wallet does not have enough ETH for this transaction and its gas. Add ETH to your wallet (or lower the amount) and try again.",
    });
  });

  it("passes anything else through with its message", async () => {
    assert.deepEqual(await describeTransactionError(new Error("Connect a wallet first.")), { kind: "error", message: "Connect a wallet first." });
    assert.deepEqual(await describeTransactionError("boom"), { kind: "error", message: "boom" });
  });
});
