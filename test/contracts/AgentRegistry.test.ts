/**
 * AgentRegistry: registration, URIs, metadata, authorization and the ERC-8004 agent wallet.
 * URI storage forms (compact CIDs vs verbatim) are covered in IpfsUri.test.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  getAddress,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployAgentry, networkHelpers, registerAgent, SAMPLE_URI, viem, type Agentry } from "../support/fixture.ts";
import { agentWalletSetTypes, identityRegistryDomain } from "../../protocol/src/eip712.ts";

const AGENT_WALLET = "agentWallet";
const AGENT_WALLET_TOPIC = keccak256(toHex(AGENT_WALLET));
const OTHER_URI = "https://agents.example.com/agent.json";

type Registry = Agentry["agentRegistry"];
type EventName = ReturnType<typeof parseEventLogs<Registry["abi"]>>[number]["eventName"];

/** The registry's events in a transaction, in log order. */
async function registryEvents(a: Agentry, hash: Hex) {
  const receipt = await a.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === a.agentRegistry.address.toLowerCase());
  return parseEventLogs({ abi: a.agentRegistry.abi, logs });
}

function names(events: { eventName: EventName }[]): EventName[] {
  return events.map((e) => e.eventName);
}

/** Finds the single event of `name` and returns its args. */
function only<N extends EventName>(events: Awaited<ReturnType<typeof registryEvents>>, name: N) {
  const found = events.filter((e) => e.eventName === name);
  assert.equal(found.length, 1, `expected one ${name}, got ${found.length}`);
  return found[0]! as Extract<(typeof found)[number], { eventName: N }>;
}

async function latest(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

interface WalletProof {
  agentId: bigint;
  newWallet: Address;
  owner: Address;
  deadline: bigint;
}

/** EIP-712 AgentWalletSet proof signed by `signer` (by default in the registry's own domain). */
async function signWalletProof(
  a: Agentry,
  signer: LocalAccount,
  proof: WalletProof,
  domain: { chainId?: number; verifyingContract?: Address } = {},
): Promise<Hex> {
  return signer.signTypedData({
    domain: identityRegistryDomain(domain.chainId ?? a.chainId, domain.verifyingContract ?? a.agentRegistry.address),
    types: agentWalletSetTypes,
    primaryType: "AgentWalletSet",
    message: proof,
  });
}

function freshAccount(): LocalAccount {
  return privateKeyToAccount(generatePrivateKey());
}

describe("AgentRegistry: registration", () => {
  it("registers with the three overloads: ids start at 1, events in order, owner and tokenURI", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const provider = getAddress(a.provider.account.address);
    assert.equal(await reg.read.nextAgentId(), 1n);

    // register()
    const sim0 = await reg.simulate.register({ account: a.provider.account.address });
    assert.equal(sim0.result, 1n);
    const e0 = await registryEvents(a, await reg.write.register({ account: a.provider.account }));
    assert.deepEqual(names(e0), ["Transfer", "MetadataSet", "Registered"]);
    assert.deepEqual(only(e0, "Transfer").args, { from: zeroAddress, to: provider, tokenId: 1n });
    assert.deepEqual(only(e0, "MetadataSet").args, {
      agentId: 1n,
      indexedMetadataKey: AGENT_WALLET_TOPIC,
      metadataKey: AGENT_WALLET,
      metadataValue: provider.toLowerCase(),
    });
    assert.deepEqual(only(e0, "Registered").args, { agentId: 1n, agentURI: "", owner: provider });
    assert.equal(await reg.read.ownerOf([1n]), provider);
    assert.equal(await reg.read.tokenURI([1n]), "");
    assert.equal(await reg.read.balanceOf([provider]), 1n);

    // register(string)
    const e1 = await registryEvents(a, await reg.write.register([SAMPLE_URI], { account: a.client.account }));
    assert.deepEqual(names(e1), ["Transfer", "MetadataSet", "MetadataUpdate", "Registered"]);
    assert.deepEqual(only(e1, "MetadataUpdate").args, { _tokenId: 2n });
    assert.deepEqual(only(e1, "Registered").args, { agentId: 2n, agentURI: SAMPLE_URI, owner: getAddress(a.client.account.address) });
    assert.equal(await reg.read.ownerOf([2n]), getAddress(a.client.account.address));
    assert.equal(await reg.read.tokenURI([2n]), SAMPLE_URI);

    // register(string, MetadataEntry[])
    const metadata = [
      { metadataKey: "name", metadataValue: toHex("Weather agent") },
      { metadataKey: "price", metadataValue: "0x01" as Hex },
    ];
    const sim2 = await reg.simulate.register([OTHER_URI, metadata], { account: a.provider.account.address });
    assert.equal(sim2.result, 3n);
    const e2 = await registryEvents(a, await reg.write.register([OTHER_URI, metadata], { account: a.provider.account }));
    assert.deepEqual(names(e2), ["Transfer", "MetadataSet", "MetadataUpdate", "Registered", "MetadataSet", "MetadataSet"]);
    const metadataEvents = e2.filter((e) => e.eventName === "MetadataSet").map((e) => e.args);
    assert.deepEqual(metadataEvents.slice(1), [
      { agentId: 3n, indexedMetadataKey: keccak256(toHex("name")), metadataKey: "name", metadataValue: toHex("Weather agent") },
      { agentId: 3n, indexedMetadataKey: keccak256(toHex("price")), metadataKey: "price", metadataValue: "0x01" },
    ]);
    assert.equal(await reg.read.tokenURI([3n]), OTHER_URI);
    assert.equal(await reg.read.getMetadata([3n, "name"]), toHex("Weather agent"));
    assert.equal(await reg.read.getMetadata([3n, "price"]), "0x01");
    assert.equal(await reg.read.nextAgentId(), 4n);
    assert.equal(await reg.read.balanceOf([provider]), 2n);
  });

  it("register(string) and register(string, []) with an empty URI emit no MetadataUpdate", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const e1 = await registryEvents(a, await a.agentRegistry.write.register([""], { account: a.provider.account }));
    assert.deepEqual(names(e1), ["Transfer", "MetadataSet", "Registered"]);
    const e2 = await registryEvents(a, await a.agentRegistry.write.register(["", []], { account: a.provider.account }));
    assert.deepEqual(names(e2), ["Transfer", "MetadataSet", "Registered"]);
    assert.equal(await a.agentRegistry.read.tokenURI([1n]), "");
    assert.equal(await a.agentRegistry.read.tokenURI([2n]), "");
  });

  it("has the ERC-721 name and symbol and the documented limits", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    assert.equal(await reg.read.name(), "AgentIdentity");
    assert.equal(await reg.read.symbol(), "AGENT");
    assert.equal(await reg.read.MAX_URI_LENGTH(), 8192n);
    assert.equal(await reg.read.MAX_METADATA_KEY_LENGTH(), 64n);
    assert.equal(await reg.read.MAX_METADATA_VALUE_LENGTH(), 4096n);
    assert.equal(await reg.read.MAX_METADATA_ENTRIES(), 16n);
    assert.equal(await reg.read.MAX_DEADLINE_DELAY(), 300n);
  });

  it("tokenURI of an unknown agent reverts", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    await viem.assertions.revertWithCustomErrorWithArgs(a.agentRegistry.read.tokenURI([1n]), a.agentRegistry, "ERC721NonexistentToken", [1n]);
    await registerAgent(a);
    await viem.assertions.revertWithCustomErrorWithArgs(a.agentRegistry.read.tokenURI([0n]), a.agentRegistry, "ERC721NonexistentToken", [0n]);
    await viem.assertions.revertWithCustomErrorWithArgs(a.agentRegistry.read.tokenURI([2n]), a.agentRegistry, "ERC721NonexistentToken", [2n]);
  });

  it("accepts a URI of exactly MAX_URI_LENGTH bytes and rejects one byte more, at registration and update", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const max = `data:,${"a".repeat(8192 - 6)}`;
    assert.equal(max.length, 8192);
    const id = await registerAgent(a, max);
    assert.equal(await reg.read.tokenURI([id]), max);
    const tooLong = `${max}b`;
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.register([tooLong], { account: a.provider.account }), reg, "InputTooLong", ["agentURI", 8193n, 8192n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.register([tooLong, []], { account: a.provider.account }), reg, "InputTooLong", ["agentURI", 8193n, 8192n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentURI([id, tooLong], { account: a.provider.account }), reg, "InputTooLong", ["agentURI", 8193n, 8192n]);
    // the limit is in bytes: 4097 two-byte characters are 8194 bytes
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentURI([id, "é".repeat(4097)], { account: a.provider.account }), reg, "InputTooLong", ["agentURI", 8194n, 8192n]);
    await reg.write.setAgentURI([id, "é".repeat(4096)], { account: a.provider.account });
    assert.equal(await reg.read.tokenURI([id]), "é".repeat(4096));
    assert.equal(await reg.read.nextAgentId(), id + 1n);
  });

  it("setAgentURI emits MetadataUpdate and URIUpdated with the caller", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const id = await registerAgent(a);
    await a.agentRegistry.write.setApprovalForAll([getAddress(a.others[0]!.account.address), true], { account: a.provider.account });
    const events = await registryEvents(
      a, await a.agentRegistry.write.setAgentURI([id, OTHER_URI], { account: a.others[0]!.account }));
    assert.deepEqual(names(events), ["MetadataUpdate", "URIUpdated"]);
    assert.deepEqual(only(events, "MetadataUpdate").args, { _tokenId: id });
    assert.deepEqual(only(events, "URIUpdated").args, { agentId: id, newURI: OTHER_URI, updatedBy: getAddress(a.others[0]!.account.address) });
    assert.equal(await a.agentRegistry.read.tokenURI([id]), OTHER_URI);
  });
});

describe("AgentRegistry: registration by contracts (ERC-721 receiver check)", () => {
  it("a contract that accepts ERC-721 tokens can register with every overload", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const registrar = await viem.deployContract("AgentRegistrarMock", [a.agentRegistry.address, 0]);
    await registrar.write.registerEmpty();
    assert.equal(await registrar.read.received(), 1n);
    await registrar.write.registerWithURI([SAMPLE_URI]);
    assert.equal(await registrar.read.received(), 2n);
    await registrar.write.registerWithMetadata([SAMPLE_URI, [{ metadataKey: "k", metadataValue: "0xaa" }]]);
    assert.equal(await registrar.read.received(), 3n);
    for (const id of [1n, 2n, 3n]) assert.equal(await a.agentRegistry.read.ownerOf([id]), getAddress(registrar.address));
    assert.equal(await a.agentRegistry.read.getAgentWallet([3n]), getAddress(registrar.address));
  });

  it("a contract whose receiver hook reverts cannot register (the whole registration reverts)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const registrar = await viem.deployContract("AgentRegistrarMock", [a.agentRegistry.address, 2]);
    await viem.assertions.revertWithCustomErrorWithArgs(registrar.write.registerEmpty(), registrar, "ReceiverRejected", [1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(registrar.write.registerWithURI([SAMPLE_URI]), registrar, "ReceiverRejected", [1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      registrar.write.registerWithMetadata([SAMPLE_URI, [{ metadataKey: "k", metadataValue: "0xaa" }]]), registrar, "ReceiverRejected", [1n]);
    assert.equal(await a.agentRegistry.read.nextAgentId(), 1n);
    assert.equal(await a.agentRegistry.read.balanceOf([getAddress(registrar.address)]), 0n);
  });

  it("a contract returning the wrong magic value, or without the hook, cannot register", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const wrong = await viem.deployContract("AgentRegistrarMock", [a.agentRegistry.address, 1]);
    await viem.assertions.revertWithCustomErrorWithArgs(wrong.write.registerEmpty(), a.agentRegistry, "ERC721InvalidReceiver", [getAddress(wrong.address)]);
    await viem.assertions.revertWithCustomErrorWithArgs(wrong.write.registerWithURI([SAMPLE_URI]), a.agentRegistry, "ERC721InvalidReceiver", [getAddress(wrong.address)]);
    const none = await viem.deployContract("NonReceiverRegistrarMock", [a.agentRegistry.address]);
    await viem.assertions.revertWithCustomErrorWithArgs(none.write.registerWithURI([SAMPLE_URI]), a.agentRegistry, "ERC721InvalidReceiver", [getAddress(none.address)]);
    assert.equal(await a.agentRegistry.read.nextAgentId(), 1n);
  });
});

describe("AgentRegistry: metadata", () => {
  it("sets, reads, overwrites and deletes a value", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    assert.equal(await reg.read.getMetadata([id, "endpoint"]), "0x");
    const e1 = await registryEvents(a, await reg.write.setMetadata([id, "endpoint", toHex("https://mcp.example")], { account: a.provider.account }));
    assert.deepEqual(names(e1), ["MetadataSet"]);
    assert.deepEqual(only(e1, "MetadataSet").args, {
      agentId: id, indexedMetadataKey: keccak256(toHex("endpoint")), metadataKey: "endpoint", metadataValue: toHex("https://mcp.example"),
    });
    assert.equal(await reg.read.getMetadata([id, "endpoint"]), toHex("https://mcp.example"));
    await reg.write.setMetadata([id, "endpoint", "0x01"], { account: a.provider.account });
    assert.equal(await reg.read.getMetadata([id, "endpoint"]), "0x01");
    const e2 = await registryEvents(a, await reg.write.setMetadata([id, "endpoint", "0x"], { account: a.provider.account }));
    assert.deepEqual(only(e2, "MetadataSet").args.metadataValue, "0x");
    assert.equal(await reg.read.getMetadata([id, "endpoint"]), "0x");
    // keys are per agent
    const other = await registerAgent(a);
    await reg.write.setMetadata([other, "endpoint", "0x02"], { account: a.provider.account });
    assert.equal(await reg.read.getMetadata([id, "endpoint"]), "0x");
    assert.equal(await reg.read.getMetadata([99n, "endpoint"]), "0x");
  });

  it("enforces key and value limits with their exact boundaries", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const opts = { account: a.provider.account };
    await viem.assertions.revertWithCustomError(reg.write.setMetadata([id, "", "0x01"], opts), reg, "EmptyMetadataKey");
    const key64 = "k".repeat(64);
    await reg.write.setMetadata([id, key64, "0x01"], opts);
    assert.equal(await reg.read.getMetadata([id, key64]), "0x01");
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setMetadata([id, `${key64}k`, "0x01"], opts), reg, "InputTooLong", ["metadataKey", 65n, 64n]);
    const value4096 = toHex(new Uint8Array(4096).fill(7));
    await reg.write.setMetadata([id, "big", value4096], opts);
    assert.equal(await reg.read.getMetadata([id, "big"]), value4096);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setMetadata([id, "big", toHex(new Uint8Array(4097).fill(7))], opts), reg, "InputTooLong", ["metadataValue", 4097n, 4096n]);
    // the same checks apply to register's metadata array
    await viem.assertions.revertWithCustomError(
      reg.write.register([SAMPLE_URI, [{ metadataKey: "", metadataValue: "0x01" }]], opts), reg, "EmptyMetadataKey");
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.register([SAMPLE_URI, [{ metadataKey: `${key64}k`, metadataValue: "0x01" }]], opts), reg, "InputTooLong", ["metadataKey", 65n, 64n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.register([SAMPLE_URI, [{ metadataKey: "v", metadataValue: toHex(new Uint8Array(4097)) }]], opts), reg, "InputTooLong", ["metadataValue", 4097n, 4096n]);
  });

  it("accepts 16 metadata entries in register and rejects 17", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ metadataKey: `key${i}`, metadataValue: toHex(i + 1, { size: 1 }) }));
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.register([SAMPLE_URI, entries(17)], { account: a.provider.account }), reg, "InputTooLong", ["metadata", 17n, 16n]);
    await reg.write.register([SAMPLE_URI, entries(16)], { account: a.provider.account });
    assert.equal(await reg.read.nextAgentId(), 2n);
    assert.equal(await reg.read.getMetadata([1n, "key0"]), "0x01");
    assert.equal(await reg.read.getMetadata([1n, "key15"]), "0x10");
  });

  it("rejects the reserved agentWallet key in setMetadata and in register", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const stranger = getAddress(a.stranger.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setMetadata([id, AGENT_WALLET, stranger], { account: a.provider.account }), reg, "ReservedMetadataKey", [AGENT_WALLET]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setMetadata([id, AGENT_WALLET, "0x"], { account: a.provider.account }), reg, "ReservedMetadataKey", [AGENT_WALLET]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.register([SAMPLE_URI, [{ metadataKey: "ok", metadataValue: "0x01" }, { metadataKey: AGENT_WALLET, metadataValue: stranger }]], { account: a.stranger.account }),
      reg, "ReservedMetadataKey", [AGENT_WALLET]);
    assert.equal(await reg.read.getAgentWallet([id]), getAddress(a.provider.account.address));
    assert.equal(await reg.read.nextAgentId(), id + 1n);
    // the reservation is exact: other spellings are ordinary keys
    await reg.write.setMetadata([id, "AgentWallet", "0x01"], { account: a.provider.account });
    assert.equal(await reg.read.getMetadata([id, "AgentWallet"]), "0x01");
    assert.equal(await reg.read.getMetadata([id, AGENT_WALLET]), getAddress(a.provider.account.address).toLowerCase());
  });
});

describe("AgentRegistry: authorization", () => {
  it("owner, approved address and operator may update; a stranger reverts NotAgentOperator", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const approved = a.others[0]!;
    const operator = a.others[1]!;
    await reg.write.approve([getAddress(approved.account.address), id], { account: a.provider.account });
    await reg.write.setApprovalForAll([getAddress(operator.account.address), true], { account: a.provider.account });
    for (const [who, uri] of [[a.provider, "https://owner"], [approved, "https://approved"], [operator, "https://operator"]] as const) {
      await reg.write.setAgentURI([id, uri], { account: who.account });
      assert.equal(await reg.read.tokenURI([id]), uri);
      await reg.write.setMetadata([id, "by", toHex(uri)], { account: who.account });
      assert.equal(await reg.read.getMetadata([id, "by"]), toHex(uri));
      await reg.write.unsetAgentWallet([id], { account: who.account });
      assert.equal(await reg.read.isAuthorizedOrOwner([getAddress(who.account.address), id]), true);
    }
    const s = { ...a.stranger.account, address: getAddress(a.stranger.account.address) };
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.setAgentURI([id, "x"], { account: s }), reg, "NotAgentOperator", [id, s.address]);
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.setMetadata([id, "k", "0x01"], { account: s }), reg, "NotAgentOperator", [id, s.address]);
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.unsetAgentWallet([id], { account: s }), reg, "NotAgentOperator", [id, s.address]);
    const deadline = (await latest()) + 60n;
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, s.address, deadline, "0x"], { account: s }), reg, "NotAgentOperator", [id, s.address]);
    assert.equal(await reg.read.isAuthorizedOrOwner([s.address, id]), false);
    // an approval for another agent does not help
    const other = await registerAgent(a);
    await reg.write.approve([s.address, other], { account: a.provider.account });
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.setAgentURI([id, "x"], { account: s }), reg, "NotAgentOperator", [id, s.address]);
    assert.equal(await reg.read.isAuthorizedOrOwner([s.address, other]), true);
  });

  it("operators of the previous owner lose their rights after a transfer", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const operator = a.others[0]!;
    await reg.write.setApprovalForAll([getAddress(operator.account.address), true], { account: a.provider.account });
    await reg.write.approve([getAddress(a.stranger.account.address), id], { account: a.provider.account });
    await reg.write.transferFrom([getAddress(a.provider.account.address), getAddress(a.client.account.address), id], { account: a.provider.account });
    assert.equal(await reg.read.isAuthorizedOrOwner([getAddress(operator.account.address), id]), false);
    assert.equal(await reg.read.isAuthorizedOrOwner([getAddress(a.stranger.account.address), id]), false);
    assert.equal(await reg.read.isAuthorizedOrOwner([getAddress(a.provider.account.address), id]), false);
    assert.equal(await reg.read.isAuthorizedOrOwner([getAddress(a.client.account.address), id]), true);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentURI([id, "x"], { account: a.provider.account }), reg, "NotAgentOperator", [id, getAddress(a.provider.account.address)]);
  });

  it("calls on an unknown agent revert ERC721NonexistentToken", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const opts = { account: a.provider.account };
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.setAgentURI([7n, "x"], opts), reg, "ERC721NonexistentToken", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.setMetadata([7n, "k", "0x01"], opts), reg, "ERC721NonexistentToken", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(reg.write.unsetAgentWallet([7n], opts), reg, "ERC721NonexistentToken", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(reg.read.isAuthorizedOrOwner([getAddress(a.provider.account.address), 7n]), reg, "ERC721NonexistentToken", [7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(reg.read.getAgentWallet([7n]), reg, "ERC721NonexistentToken", [7n]);
    assert.equal(await reg.read.getMetadata([7n, AGENT_WALLET]), "0x");
  });
});

describe("AgentRegistry: agent wallet", () => {
  it("defaults to the minter, through getAgentWallet and getMetadata (20 packed bytes)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const id = await registerAgent(a);
    assert.equal(await a.agentRegistry.read.getAgentWallet([id]), getAddress(a.provider.account.address));
    const packed = await a.agentRegistry.read.getMetadata([id, AGENT_WALLET]);
    assert.equal(packed, getAddress(a.provider.account.address).toLowerCase());
    assert.equal((packed.length - 2) / 2, 20);
  });

  it("sets a wallet with the EOA's EIP-712 proof; the proof works only once", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const wallet = freshAccount();
    const deadline = (await latest()) + 120n;
    const proof = { agentId: id, newWallet: wallet.address, owner: getAddress(a.provider.account.address), deadline };
    const sig = await signWalletProof(a, wallet, proof);
    const events = await registryEvents(a, await reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.provider.account }));
    assert.deepEqual(names(events), ["MetadataSet"]);
    assert.deepEqual(only(events, "MetadataSet").args, {
      agentId: id, indexedMetadataKey: AGENT_WALLET_TOPIC, metadataKey: AGENT_WALLET, metadataValue: wallet.address.toLowerCase(),
    });
    assert.equal(await reg.read.getAgentWallet([id]), wallet.address);
    assert.equal(await reg.read.getMetadata([id, AGENT_WALLET]), wallet.address.toLowerCase());
    await viem.assertions.revertWithCustomError(
      reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.provider.account }), reg, "WalletProofAlreadyUsed");
    // still used after the wallet was unset
    await reg.write.unsetAgentWallet([id], { account: a.provider.account });
    await viem.assertions.revertWithCustomError(
      reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.provider.account }), reg, "WalletProofAlreadyUsed");
    // a fresh proof (other deadline) works
    const sig2 = await signWalletProof(a, wallet, { ...proof, deadline: deadline + 1n });
    await reg.write.setAgentWallet([id, wallet.address, deadline + 1n, sig2], { account: a.provider.account });
    assert.equal(await reg.read.getAgentWallet([id]), wallet.address);
  });

  it("an approved address or operator may submit the owner's proof (the signed owner is the agent's owner)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const operator = a.others[0]!;
    await reg.write.setApprovalForAll([getAddress(operator.account.address), true], { account: a.provider.account });
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    // signed with the operator as "owner": refused
    const bad = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner: getAddress(operator.account.address), deadline });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, bad], { account: operator.account }), reg, "InvalidWalletSignature", [wallet.address]);
    const good = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner: getAddress(a.provider.account.address), deadline });
    await reg.write.setAgentWallet([id, wallet.address, deadline, good], { account: operator.account });
    assert.equal(await reg.read.getAgentWallet([id]), wallet.address);
  });

  it("sets an ERC-1271 contract wallet; a proof its signer did not make is refused", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const signer = freshAccount();
    const smartWallet = await viem.deployContract("ERC1271WalletMock", [signer.address]);
    const deadline = (await latest()) + 60n;
    const proof = { agentId: id, newWallet: smartWallet.address, owner: getAddress(a.provider.account.address), deadline };
    const forged = await signWalletProof(a, freshAccount(), proof);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, smartWallet.address, deadline, forged], { account: a.provider.account }), reg, "InvalidWalletSignature", [getAddress(smartWallet.address)]);
    const sig = await signWalletProof(a, signer, proof);
    await reg.write.setAgentWallet([id, smartWallet.address, deadline, sig], { account: a.provider.account });
    assert.equal(await reg.read.getAgentWallet([id]), getAddress(smartWallet.address));
    assert.equal(await reg.read.getMetadata([id, AGENT_WALLET]), smartWallet.address.toLowerCase());
    await viem.assertions.revertWithCustomError(
      reg.write.setAgentWallet([id, smartWallet.address, deadline, sig], { account: a.provider.account }), reg, "WalletProofAlreadyUsed");
  });

  it("refuses proofs for another agent, by another key, or malformed", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const otherId = await registerAgent(a);
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    const owner = getAddress(a.provider.account.address);
    const opts = { account: a.provider.account };
    const forOther = await signWalletProof(a, wallet, { agentId: otherId, newWallet: wallet.address, owner, deadline });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, forOther], opts), reg, "InvalidWalletSignature", [wallet.address]);
    const byOtherKey = await signWalletProof(a, freshAccount(), { agentId: id, newWallet: wallet.address, owner, deadline });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, byOtherKey], opts), reg, "InvalidWalletSignature", [wallet.address]);
    const otherDeadline = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner, deadline: deadline - 1n });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, otherDeadline], opts), reg, "InvalidWalletSignature", [wallet.address]);
    for (const malformed of ["0x", "0x1234", `0x${"00".repeat(65)}`] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        reg.write.setAgentWallet([id, wallet.address, deadline, malformed], opts), reg, "InvalidWalletSignature", [wallet.address]);
    }
    // the valid one for `otherId` still works there
    await reg.write.setAgentWallet([otherId, wallet.address, deadline, forOther], opts);
    assert.equal(await reg.read.getAgentWallet([otherId]), wallet.address);
    assert.equal(await reg.read.getAgentWallet([id]), owner);
  });

  it("refuses proofs signed for another chainId or another registry address", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    const proof = { agentId: id, newWallet: wallet.address, owner: getAddress(a.provider.account.address), deadline };
    const otherChain = await signWalletProof(a, wallet, proof, { chainId: a.chainId + 1 });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, otherChain], { account: a.provider.account }), reg, "InvalidWalletSignature", [wallet.address]);
    const otherRegistry = await viem.deployContract("AgentRegistry");
    const otherRegistrySig = await signWalletProof(a, wallet, proof, { verifyingContract: otherRegistry.address });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, otherRegistrySig], { account: a.provider.account }), reg, "InvalidWalletSignature", [wallet.address]);
    // ... and that proof is valid on the registry it was made for
    await otherRegistry.write.register([SAMPLE_URI], { account: a.provider.account });
    await otherRegistry.write.setAgentWallet([id, wallet.address, deadline, otherRegistrySig], { account: a.provider.account });
    assert.equal(await otherRegistry.read.getAgentWallet([id]), wallet.address);
    assert.equal(await reg.read.getAgentWallet([id]), getAddress(a.provider.account.address));
  });

  it("exposes the ERC-8004 EIP-712 domain and AgentWalletSet type hash", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const [, name, version, chainId, verifyingContract] = await a.agentRegistry.read.eip712Domain();
    const expected = identityRegistryDomain(a.chainId, a.agentRegistry.address);
    assert.equal(name, expected.name);
    assert.equal(version, expected.version);
    assert.equal(chainId, BigInt(a.chainId));
    assert.equal(verifyingContract, getAddress(a.agentRegistry.address));
    const typeString = `AgentWalletSet(${agentWalletSetTypes.AgentWalletSet.map((f) => `${f.type} ${f.name}`).join(",")})`;
    assert.equal(typeString, "AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");
    assert.equal(await a.agentRegistry.read.AGENT_WALLET_SET_TYPEHASH(), keccak256(toHex(typeString)));
  });

  it("enforces the deadline window: expired reverts SignatureExpired, > 5 minutes ahead reverts DeadlineTooFar", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const wallet = freshAccount();
    const owner = getAddress(a.provider.account.address);
    const opts = { account: a.provider.account };
    const sign = (deadline: bigint) => signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner, deadline });

    let t = (await latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, t - 1n, await sign(t - 1n)], opts), reg, "SignatureExpired", [t - 1n, t]);

    t = (await latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, t + 301n, await sign(t + 301n)], opts), reg, "DeadlineTooFar", [t + 301n, t + 300n]);

    // both ends of the window are accepted
    t = (await latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    await reg.write.setAgentWallet([id, wallet.address, t, await sign(t)], opts);
    assert.equal(await reg.read.getAgentWallet([id]), wallet.address);
    t = (await latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    await reg.write.setAgentWallet([id, wallet.address, t + 300n, await sign(t + 300n)], opts);

    // a proof that was fine when signed expires
    const deadline = (await latest()) + 60n;
    const sig = await sign(deadline);
    await networkHelpers.time.increase(61);
    await viem.assertions.revertWithCustomError(reg.write.setAgentWallet([id, wallet.address, deadline, sig], opts), reg, "SignatureExpired");
  });

  it("refuses the zero wallet", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const id = await registerAgent(a);
    const deadline = (await latest()) + 60n;
    await viem.assertions.revertWithCustomError(
      a.agentRegistry.write.setAgentWallet([id, zeroAddress, deadline, "0x"], { account: a.provider.account }), a.agentRegistry, "InvalidWallet");
  });

  it("unsetAgentWallet clears it (address(0), empty metadata, MetadataSet with an empty value)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const id = await registerAgent(a);
    const events = await registryEvents(a, await reg.write.unsetAgentWallet([id], { account: a.provider.account }));
    assert.deepEqual(names(events), ["MetadataSet"]);
    assert.deepEqual(only(events, "MetadataSet").args, { agentId: id, indexedMetadataKey: AGENT_WALLET_TOPIC, metadataKey: AGENT_WALLET, metadataValue: "0x" });
    assert.equal(await reg.read.getAgentWallet([id]), zeroAddress);
    assert.equal(await reg.read.getMetadata([id, AGENT_WALLET]), "0x");
    // a set wallet is cleared too
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    const sig = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner: getAddress(a.provider.account.address), deadline });
    await reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.provider.account });
    await reg.write.unsetAgentWallet([id], { account: a.provider.account });
    assert.equal(await reg.read.getAgentWallet([id]), zeroAddress);
    // the owner stays the owner
    assert.equal(await reg.read.ownerOf([id]), getAddress(a.provider.account.address));
  });

  it("a transfer clears the wallet (default and set) and announces it", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const provider = getAddress(a.provider.account.address);
    const client = getAddress(a.client.account.address);
    const id = await registerAgent(a);
    const events = await registryEvents(a, await reg.write.transferFrom([provider, client, id], { account: a.provider.account }));
    assert.deepEqual(names(events), ["Transfer", "MetadataSet"]);
    assert.deepEqual(only(events, "MetadataSet").args, { agentId: id, indexedMetadataKey: AGENT_WALLET_TOPIC, metadataKey: AGENT_WALLET, metadataValue: "0x" });
    assert.equal(await reg.read.getAgentWallet([id]), zeroAddress);
    assert.equal(await reg.read.getMetadata([id, AGENT_WALLET]), "0x");

    // the new owner sets a wallet; a safeTransferFrom clears it again
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    const sig = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner: client, deadline });
    await reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.client.account });
    assert.equal(await reg.read.getAgentWallet([id]), wallet.address);
    const e2 = await registryEvents(a, await reg.write.safeTransferFrom([client, provider, id], { account: a.client.account }));
    assert.deepEqual(names(e2), ["Transfer", "MetadataSet"]);
    assert.equal(await reg.read.getAgentWallet([id]), zeroAddress);
    assert.equal(await reg.read.ownerOf([id]), provider);
  });

  it("a self-transfer does not clear the wallet", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const provider = getAddress(a.provider.account.address);
    const id = await registerAgent(a);
    const e1 = await registryEvents(a, await reg.write.transferFrom([provider, provider, id], { account: a.provider.account }));
    assert.deepEqual(names(e1), ["Transfer"]);
    assert.equal(await reg.read.getAgentWallet([id]), provider);
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    const sig = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner: provider, deadline });
    await reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.provider.account });
    await reg.write.transferFrom([provider, provider, id], { account: a.provider.account });
    assert.equal(await reg.read.getAgentWallet([id]), wallet.address);
  });

  it("a proof made before a transfer is invalid after it (the owner is in the signed struct)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const reg = a.agentRegistry;
    const provider = getAddress(a.provider.account.address);
    const client = getAddress(a.client.account.address);
    const id = await registerAgent(a);
    const wallet = freshAccount();
    const deadline = (await latest()) + 60n;
    const sig = await signWalletProof(a, wallet, { agentId: id, newWallet: wallet.address, owner: provider, deadline });
    await reg.write.transferFrom([provider, client, id], { account: a.provider.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reg.write.setAgentWallet([id, wallet.address, deadline, sig], { account: a.client.account }), reg, "InvalidWalletSignature", [wallet.address]);
    assert.equal(await reg.read.getAgentWallet([id]), zeroAddress);
  });

  it("each agent's default wallet is its own minter", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const id = await registerAgent(a);
    const second = await a.agentRegistry.read.nextAgentId();
    await a.agentRegistry.write.register([SAMPLE_URI], { account: a.client.account });
    assert.equal(await a.agentRegistry.read.getAgentWallet([id]), getAddress(a.provider.account.address));
    assert.equal(await a.agentRegistry.read.getAgentWallet([second]), getAddress(a.client.account.address));
  });
});
