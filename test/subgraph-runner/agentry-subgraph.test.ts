/**
 * Agentry's subgraph (subgraph/build/localhost) on the local runner: real transactions against the
 * four contracts on a hardhat node produce every entity type, and every field of every entity is
 * read back through GraphQL (the selection sets are generated from schema.graphql, so a field the
 * runner cannot resolve fails here), with the values checked against what the transactions did.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { keccak256, parseEther, toHex, zeroAddress, type Address, type Hex, type TransactionReceipt } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import {
  agentRegistryAbi, agreementEscrowAbi, ipfsUri, reputationRegistryAbi, signVoucher, workerRegistrationTypes, workerRegistryAbi, workerRegistryDomain,
} from "../../protocol/src/index.ts";
import { openContentStore, type ContentStore } from "../../protocol/src/content/store.ts";
import { ensureSubgraphBuilt } from "../../scripts/lib/indexer.ts";
import { DEV_KEYS, localContracts, makeEligible, openAgreement, startStack, type Stack } from "../support/stack.ts";
import { startRunner, type Runner } from "../../subgraph/runner/runner.ts";
import { textLogger } from "../../subgraph/runner/log.ts";
import { parseSchema, type EntityType } from "../../subgraph/runner/schema.ts";
import { collectionField } from "../../subgraph/runner/naming.ts";
import { gqlData } from "./support/mini-subgraph.ts";
import { tempDir } from "./support/emitter-chain.ts";

const PRICE = parseEther("0.001");
type Row = Record<string, unknown>;

/** Every field of an entity: scalars as they are, references and derived lists by id. */
function selection(entity: EntityType): string {
  return entity.fields.map((f) => (f.type.kind === "entity" ? `${f.name} { id }` : f.name)).join(" ");
}

describe("local subgraph runner: Agentry's subgraph on a hardhat node", { timeout: 300_000 }, () => {
  let stack: Stack;
  let runner: Runner;
  let content: ContentStore;
  let dataDir: string;
  let contentDir: string;
  const logs: string[] = [];
  const schema = parseSchema(readFileSync(new URL("../../subgraph/schema.graphql", import.meta.url), "utf8"));
  const entities: Record<string, Row[]> = {};
  const facts: Record<string, unknown> = {};

  async function send(account: PrivateKeyAccount, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[], value?: bigint): Promise<TransactionReceipt> {
    const hash = await stack.wallet(account).writeContract({ address, abi: abi as never, functionName, args: args as never, account, chain: null, ...(value ? { value } : {}) } as never);
    const receipt = await stack.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `${functionName} reverted`);
    return receipt;
  }

  before(async () => {
    const manifest = await ensureSubgraphBuilt();
    stack = await startStack();
    dataDir = await tempDir("agentry-runner-agentry-");
    contentDir = await tempDir("agentry-runner-agentry-ipfs-");
    content = await openContentStore(contentDir);
    runner = await startRunner({ manifest, rpcUrl: stack.chain.url, dataDir, port: 0, name: "agentry", content: (cid) => content.get(cid), log: textLogger((l) => logs.push(l)), pollMs: 20 });

    const provider = stack.provider;
    const registry = localContracts.AgentRegistry.address;
    const escrow = localContracts.AgreementEscrow.address;
    const workers = localContracts.WorkerRegistry.address;
    const reputation = localContracts.ReputationRegistry.address;
    const file = {
      type: "https://eips.ethereum.org/EIPS/eip-8004#registration-v1",
      name: "Hasher",
      description: "Hashes things",
      image: "https://example.org/hasher.png",
      services: [{ name: "MCP", endpoint: "https://hasher.example/mcp", version: "2025-11-25" }],
      supportedTrust: ["tee-attestation", "reputation"],
      agentry: { tools: [{ name: "hash", description: "sha256 of a text", inputSchema: { type: "object" }, price: PRICE.toString(), token: zeroAddress, tags: ["crypto", "hash"] }] },
    };
    const cid = await content.put(new TextEncoder().encode(JSON.stringify(file)));
    facts.cid = cid;

    const agentId = await stack.publicClient.readContract({ address: registry, abi: agentRegistryAbi, functionName: "nextAgentId" });
    facts.agentId = agentId;
    facts.registered = await send(provider, registry, agentRegistryAbi, "register", [ipfsUri(cid), [{ metadataKey: "category", metadataValue: "0xc0ffee" }]]);
    await send(provider, registry, agentRegistryAbi, "setMetadata", [agentId, "region", toHex("eu")]);
    await send(provider, escrow, agreementEscrowAbi, "setPrice", [agentId, zeroAddress, PRICE]);

    const agreement = await openAgreement(stack, agentId, PRICE, { calls: 10, maxCalls: 20 });
    facts.agreement = agreement;
    await send(agreement.client, escrow, agreementEscrowAbi, "topUp", [agreement.id, PRICE * 5n], PRICE * 5n);
    const newKeyPrivate = generatePrivateKey();
    const newKey = privateKeyToAccount(newKeyPrivate);
    facts.newKey = newKey.address;
    await send(agreement.client, escrow, agreementEscrowAbi, "setSessionKey", [agreement.id, newKey.address]);
    const requestHash = keccak256(toHex("call 2"));
    const voucher = await signVoucher(newKey, { chainId: 31337, escrow }, { agreementId: agreement.id, calls: 2n, amount: 2n * PRICE, requestHash });
    const receiptsRoot = keccak256(toHex("receipts"));
    facts.receiptsRoot = receiptsRoot;
    facts.redeemed = await send(provider, escrow, agreementEscrowAbi, "redeem", [agreement.id, 2n, 2n * PRICE, requestHash, voucher.signature, receiptsRoot]);

    // worker: DEV key registered by the deployer (operator), validated, approved, pinned, then changed
    const workerKey = privateKeyToAccount(generatePrivateKey());
    facts.worker = workerKey.address;
    const measurement = keccak256(toHex("measurement"));
    const block = await stack.publicClient.getBlock();
    const expiresAt = block.timestamp + 86_400n;
    const registration = { worker: workerKey.address, operator: stack.deployer.address, teeType: 0, measurement, evidenceURI: "ipfs://evidence", endpoint: "http://127.0.0.1:1/mcp", expiresAt };
    const workerSignature = await workerKey.signTypedData({ domain: workerRegistryDomain(31337, workers), types: workerRegistrationTypes, primaryType: "WorkerRegistration", message: registration });
    await send(stack.deployer, workers, workerRegistryAbi, "registerWorker", [workerKey.address, 0, measurement, "ipfs://evidence", "http://127.0.0.1:1/mcp", expiresAt, workerSignature]);
    await makeEligible(stack, agentId, provider, workerKey.address);
    await send(stack.deployer, workers, workerRegistryAbi, "setWorkerEndpoint", [workerKey.address, "http://127.0.0.1:2/mcp"]);

    // feedback from the paying client, a response, verification, and a revoked second feedback
    const client = agreement.client;
    await send(client, reputation, reputationRegistryAbi, "giveFeedback", [agentId, 87n, 1, "quality", "speed", "https://hasher.example/mcp", "ipfs://feedback", keccak256(toHex("fb"))]);
    const index = await stack.publicClient.readContract({ address: reputation, abi: reputationRegistryAbi, functionName: "getLastIndex", args: [agentId, client.address] });
    facts.feedbackIndex = index;
    await send(provider, reputation, reputationRegistryAbi, "appendResponse", [agentId, client.address, index, "ipfs://response", keccak256(toHex("resp"))]);
    await send(client, reputation, reputationRegistryAbi, "verifyFeedback", [agentId, client.address, index, agreement.id]);
    await send(client, reputation, reputationRegistryAbi, "giveFeedback", [agentId, -5n, 0, "bad", "", "", "", keccak256(toHex("fb2"))]);
    await send(client, reputation, reputationRegistryAbi, "revokeFeedback", [agentId, index + 1n]);

    await send(provider, escrow, agreementEscrowAbi, "close", [agreement.id]);
    await send(stack.deployer, workers, workerRegistryAbi, "revokeValidation", [workerKey.address]);
    await send(stack.deployer, workers, workerRegistryAbi, "retireWorker", [workerKey.address]);
    const newOwner = privateKeyToAccount(DEV_KEYS[3]!);
    facts.newOwner = newOwner.address;
    const last = await send(provider, registry, agentRegistryAbi, "transferFrom", [provider.address, newOwner.address, agentId]);
    await runner.waitForBlock(Number(last.blockNumber));

    for (const entity of schema.entities.values()) {
      const field = collectionField(entity.name);
      const data = await gqlData<Record<string, Row[]>>(runner.url, `{ ${field}(first: 1000, orderBy: id) { ${selection(entity)} } }`);
      entities[entity.name] = data[field]!;
    }
  });

  after(async () => {
    await runner?.stop();
    await content?.close();
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(contentDir, { recursive: true, force: true });
  });

  it("indexes every entity type without an indexing error", async () => {
    const meta = await gqlData<{ _meta: { hasIndexingErrors: boolean } }>(runner.url, "{ _meta { hasIndexingErrors } }");
    assert.equal(meta._meta.hasIndexingErrors, false, logs.filter((l) => l.includes("ERROR")).join("\n"));
    for (const entity of schema.entities.values()) {
      assert.ok(entities[entity.name]!.length > 0, `no ${entity.name} entity`);
      for (const row of entities[entity.name]!) {
        for (const field of entity.fields) {
          assert.ok(field.name in row, `${entity.name}.${field.name} missing`);
          if (field.type.nonNull) assert.notEqual(row[field.name], null, `${entity.name}.${field.name} is null`);
        }
      }
    }
  });

  it("reads back the agent, its metadata, registration file, tools and prices", async () => {
    const agentId = facts.agentId as bigint;
    const registered = facts.registered as TransactionReceipt;
    const agent = entities.Agent!.find((a) => a.id === agentId.toString())!;
    const registeredBlock = await stack.publicClient.getBlock({ blockNumber: registered.blockNumber });
    assert.equal(agent.agentId, agentId.toString());
    assert.deepEqual(agent.owner, { id: (facts.newOwner as string).toLowerCase() });
    assert.equal(agent.agentURI, ipfsUri(facts.cid as string));
    assert.equal(agent.registrationCid, facts.cid);
    assert.deepEqual(agent.registrationFile, { id: facts.cid });
    assert.equal(agent.ethPrice, PRICE.toString());
    assert.equal(agent.registeredBlock, registered.blockNumber.toString());
    assert.equal(agent.registeredTimestamp, registeredBlock.timestamp.toString());
    assert.equal(agent.registeredTransaction, registered.transactionHash);
    const metadata = entities.AgentMetadata!.filter((m) => (m.agent as Row).id === agentId.toString());
    const byKey = Object.fromEntries(metadata.map((m) => [m.key, m.value]));
    assert.equal(byKey.category, "0xc0ffee");
    assert.equal(byKey.region, toHex("eu"));
    const file = entities.RegistrationFile!.find((f) => f.id === facts.cid)!;
    assert.equal(file.valid, true);
    assert.equal(file.name, "Hasher");
    assert.equal(file.description, "Hashes things");
    assert.equal(file.mcpEndpoint, "https://hasher.example/mcp");
    assert.deepEqual(file.supportedTrust, ["tee-attestation", "reputation"]);
    assert.deepEqual(file.toolNames, ["hash"]);
    assert.deepEqual(file.agents, [{ id: agentId.toString() }]);
    const tool = entities.Tool!.find((t) => (t.file as Row).id === facts.cid)!;
    assert.equal(tool.name, "hash");
    assert.equal(tool.price, PRICE.toString());
    assert.deepEqual(tool.tags, ["crypto", "hash"]);
    assert.equal(entities.Service!.find((s) => (s.file as Row).id === facts.cid)?.endpoint, "https://hasher.example/mcp");
    const price = entities.Price!.find((p) => (p.agent as Row).id === agentId.toString())!;
    assert.equal(price.price, PRICE.toString());
    assert.equal(price.token, zeroAddress);
    assert.equal(price.active, true);
    assert.equal(entities.Terms!.find((t) => (t.agent as Row).id === agentId.toString())?.price, PRICE.toString());
  });

  it("reads back the agreement, its top-up, session key change, redemption and closing", async () => {
    const agreement = facts.agreement as { id: bigint; client: PrivateKeyAccount; sessionKey: PrivateKeyAccount };
    const row = entities.Agreement!.find((a) => a.id === agreement.id.toString())!;
    assert.equal(row.state, "CLOSED");
    assert.deepEqual(row.client, { id: agreement.client.address.toLowerCase() });
    assert.equal(row.deposit, (PRICE * 15n).toString());
    assert.equal(row.redeemedCalls, "2");
    assert.equal(row.amountRedeemed, (PRICE * 2n).toString());
    assert.equal(row.sessionKey, (facts.newKey as string).toLowerCase());
    assert.equal(row.refund, (PRICE * 13n).toString());
    assert.equal((row.redemptions as unknown[]).length, 1);
    const redemption = entities.Redemption!.find((r) => (r.agreement as Row).id === agreement.id.toString())!;
    assert.equal(redemption.calls, "2");
    assert.equal(redemption.paid, (PRICE * 2n).toString());
    assert.equal(redemption.receiptsRoot, facts.receiptsRoot);
    assert.equal(redemption.transactionHash, (facts.redeemed as TransactionReceipt).transactionHash);
    const topUp = entities.TopUp!.find((t) => (t.agreement as Row).id === agreement.id.toString())!;
    assert.equal(topUp.amount, (PRICE * 5n).toString());
    const change = entities.SessionKeyChange!.find((c) => (c.agreement as Row).id === agreement.id.toString())!;
    assert.equal(change.sessionKey, (facts.newKey as string).toLowerCase());
    assert.equal(change.previousKey, agreement.sessionKey.address.toLowerCase());
  });

  it("reads back the worker, its validation, approval and pin, and the feedback with its response", async () => {
    const worker = entities.Worker!.find((w) => w.id === (facts.worker as string).toLowerCase())!;
    assert.equal(worker.teeType, "DEV");
    assert.equal(worker.endpoint, "http://127.0.0.1:2/mcp");
    assert.equal(worker.retired, true);
    assert.deepEqual(worker.operator, { id: stack.deployer.address.toLowerCase() });
    const validation = entities.Validation!.find((v) => (v.worker as Row).id === worker.id)!;
    assert.equal(validation.revoked, true);
    assert.deepEqual(validation.validator, { id: stack.deployer.address.toLowerCase() });
    assert.equal(entities.Validator!.find((v) => v.id === stack.deployer.address.toLowerCase())?.allowed, true);
    assert.equal(entities.WorkerApproval!.find((a) => (a.worker as Row).id === worker.id)?.approved, true);
    assert.equal(entities.MeasurementPin!.find((p) => (p.agent as Row).id === (facts.agentId as bigint).toString())?.pinned, true);
    const client = (facts.agreement as { client: PrivateKeyAccount }).client.address.toLowerCase();
    const feedback = entities.Feedback!.filter((f) => (f.client as Row).id === client).sort((a, b) => Number(a.feedbackIndex) - Number(b.feedbackIndex));
    assert.equal(feedback.length, 2);
    assert.equal(feedback[0]!.value, "87");
    assert.equal(feedback[0]!.valueDecimals, 1);
    assert.equal(feedback[0]!.tag1, "quality");
    assert.equal(feedback[0]!.verified, true);
    assert.deepEqual(feedback[0]!.verifiedBy, { id: (facts.agreement as { id: bigint }).id.toString() });
    assert.equal(feedback[0]!.revoked, false);
    assert.equal(feedback[1]!.value, "-5");
    assert.equal(feedback[1]!.revoked, true);
    const response = entities.FeedbackResponse!.find((r) => (r.feedback as Row).id === feedback[0]!.id)!;
    assert.equal(response.responseURI, "ipfs://response");
    assert.deepEqual(response.responder, { id: stack.provider.address.toLowerCase() });
    const accounts = new Set(entities.Account!.map((a) => a.id));
    for (const address of [stack.provider.address, client, stack.deployer.address]) assert.ok(accounts.has(address.toLowerCase()), `Account ${address}`);
  });

  it("serves the dApp's filters on this schema: agents by tool tag, price and owner", async () => {
    const data = await gqlData<{ byTag: { id: string }[]; cheap: { id: string }[]; owned: { id: string }[] }>(runner.url, `{
      byTag: agents(where: { registrationFile_: { tags_contains: ["hash"] } }) { id }
      cheap: agents(where: { ethPrice_lte: "${PRICE}" }, orderBy: ethPrice, orderDirection: asc) { id }
      owned: agents(where: { owner: "${(facts.newOwner as string).toLowerCase()}" }) { id }
    }`);
    const id = (facts.agentId as bigint).toString();
    assert.deepEqual(data, { byTag: [{ id }], cheap: [{ id }], owned: [{ id }] });
  });
});
