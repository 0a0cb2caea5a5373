/** The dApp's configuration loader: what it accepts, and the sentences it gives for what it refuses. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getDeployment } from "../../protocol/src/deployments.ts";
import { loadConfig } from "../../web/lib/config.ts";

const local = getDeployment(31337);

describe("dApp configuration (web/lib/config.ts)", () => {
  it("takes addresses and start blocks from the deployment record of the chain id", () => {
    const result = loadConfig({ AGENTRY_RPC_URL: "http://127.0.0.1:8545" });
    assert.ok(result.ok);
    assert.equal(result.config.chainId, 31337);
    assert.equal(result.config.networkName, local.network);
    assert.equal(result.config.contracts.AgreementEscrow.address, local.contracts.AgreementEscrow.address);
    assert.equal(result.config.contracts.WorkerRegistry.startBlock, local.contracts.WorkerRegistry.startBlock);
    assert.equal(result.config.devWallet, true);
    assert.equal(result.config.subgraphUrl, null);
    assert.equal(result.config.walletConnectProjectId, null);
  });

  it("treats blank variables as unset and keeps optional values", () => {
    const result = loadConfig({
      AGENTRY_RPC_URL: "https://rpc.example",
      AGENTRY_CHAIN_ID: "31337",
      AGENTRY_SUBGRAPH_URL: "http://127.0.0.1:8000/subgraphs/name/agentry",
      AGENTRY_WALLETCONNECT_PROJECT_ID: " ",
      AGENTRY_NETWORK_NAME: "Local",
    });
    assert.ok(result.ok);
    assert.equal(result.config.subgraphUrl, "http://127.0.0.1:8000/subgraphs/name/agentry");
    assert.equal(result.config.walletConnectProjectId, null);
    assert.equal(result.config.networkName, "Local");
  });

  it("names each wrong variable and what it is for", () => {
    const result = loadConfig({ AGENTRY_CHAIN_ID: "abc", AGENTRY_WALLETCONNECT_PROJECT_ID: "not-an-id", AGENTRY_SUBGRAPH_URL: "ftp://x" });
    assert.ok(!result.ok);
    const text = result.problems.join("\n");
    assert.match(text, /AGENTRY_RPC_URL is not set — JSON-RPC endpoint/);
    assert.match(text, /AGENTRY_CHAIN_ID must be a number/);
    assert.match(text, /AGENTRY_WALLETCONNECT_PROJECT_ID must be a 32-character hexadecimal/);
    assert.match(text, /AGENTRY_SUBGRAPH_URL must be an http\(s\) URL/);
    assert.equal(result.problems.length, 4);
  });

  it("refuses a chain without a deployment and says how to get one", () => {
    const result = loadConfig({ AGENTRY_RPC_URL: "https://rpc.example", AGENTRY_CHAIN_ID: "999999" });
    assert.ok(!result.ok);
    assert.match(result.problems[0]!, /^AGENTRY_CHAIN_ID: Agentry is not deployed on chain 999999 \(deployed on: 31337\)\. Deploy with `npm run deploy/);
  });
});
