/**
 * ERC-8004 compatibility: the standard's function and event signatures, written out here as plain
 * strings, must match the compiled ABIs selector for selector and topic for topic (with the same
 * indexed flags, return types and mutability), so ERC-8004 explorers, indexers and SDKs work
 * against Agentry's registries unchanged.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  keccak256,
  parseEventLogs,
  toEventSelector,
  toFunctionSelector,
  toHex,
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type Hex,
} from "viem";
import { deployAgentry, networkHelpers, registerAgent } from "../support/fixture.ts";

type Mutability = "view" | "nonpayable" | "pure" | "payable";
interface FunctionSpec {
  signature: string;
  outputs: string[];
  mutability: Mutability;
}
interface EventSpec {
  signature: string;
  indexed: boolean[];
}

const fn = (signature: string, outputs: string[], mutability: Mutability): FunctionSpec => ({ signature, outputs, mutability });
const ev = (signature: string, ...indexed: boolean[]): EventSpec => ({ signature, indexed });

// ----------------------------------------------------------------------- the standard, as text

const ERC721_FUNCTIONS: FunctionSpec[] = [
  fn("balanceOf(address)", ["uint256"], "view"),
  fn("ownerOf(uint256)", ["address"], "view"),
  fn("safeTransferFrom(address,address,uint256,bytes)", [], "nonpayable"),
  fn("safeTransferFrom(address,address,uint256)", [], "nonpayable"),
  fn("transferFrom(address,address,uint256)", [], "nonpayable"),
  fn("approve(address,uint256)", [], "nonpayable"),
  fn("setApprovalForAll(address,bool)", [], "nonpayable"),
  fn("getApproved(uint256)", ["address"], "view"),
  fn("isApprovedForAll(address,address)", ["bool"], "view"),
];
const ERC721_METADATA_FUNCTIONS: FunctionSpec[] = [
  fn("name()", ["string"], "view"),
  fn("symbol()", ["string"], "view"),
  fn("tokenURI(uint256)", ["string"], "view"),
];
const ERC165_FUNCTIONS: FunctionSpec[] = [fn("supportsInterface(bytes4)", ["bool"], "view")];

const IDENTITY_FUNCTIONS: FunctionSpec[] = [
  fn("register()", ["uint256"], "nonpayable"),
  fn("register(string)", ["uint256"], "nonpayable"),
  fn("register(string,(string,bytes)[])", ["uint256"], "nonpayable"),
  fn("setAgentURI(uint256,string)", [], "nonpayable"),
  fn("getMetadata(uint256,string)", ["bytes"], "view"),
  fn("setMetadata(uint256,string,bytes)", [], "nonpayable"),
  fn("setAgentWallet(uint256,address,uint256,bytes)", [], "nonpayable"),
  fn("unsetAgentWallet(uint256)", [], "nonpayable"),
  fn("getAgentWallet(uint256)", ["address"], "view"),
  fn("isAuthorizedOrOwner(address,uint256)", ["bool"], "view"),
  ...ERC721_FUNCTIONS,
  ...ERC721_METADATA_FUNCTIONS,
  ...ERC165_FUNCTIONS,
];

const IDENTITY_EVENTS: EventSpec[] = [
  ev("Registered(uint256,string,address)", true, false, true),
  ev("MetadataSet(uint256,string,string,bytes)", true, true, false, false),
  ev("URIUpdated(uint256,string,address)", true, false, true),
  ev("MetadataUpdate(uint256)", false), // ERC-4906
  ev("BatchMetadataUpdate(uint256,uint256)", false, false), // ERC-4906
  ev("Transfer(address,address,uint256)", true, true, true),
  ev("Approval(address,address,uint256)", true, true, true),
  ev("ApprovalForAll(address,address,bool)", true, true, false),
];

const REPUTATION_FUNCTIONS: FunctionSpec[] = [
  fn("giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)", [], "nonpayable"),
  fn("revokeFeedback(uint256,uint64)", [], "nonpayable"),
  fn("appendResponse(uint256,address,uint64,string,bytes32)", [], "nonpayable"),
  fn("getSummary(uint256,address[],string,string)", ["uint64", "int128", "uint8"], "view"),
  fn("readFeedback(uint256,address,uint64)", ["int128", "uint8", "string", "string", "bool"], "view"),
  fn("readAllFeedback(uint256,address[],string,string,bool)",
    ["address[]", "uint64[]", "int128[]", "uint8[]", "string[]", "string[]", "bool[]"], "view"),
  fn("getResponseCount(uint256,address,uint64,address[])", ["uint64"], "view"),
  fn("getClients(uint256)", ["address[]"], "view"),
  fn("getLastIndex(uint256,address)", ["uint64"], "view"),
  fn("getIdentityRegistry()", ["address"], "view"),
];

const REPUTATION_EVENTS: EventSpec[] = [
  ev("NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)",
    true, true, false, false, false, true, false, false, false, false, false),
  ev("FeedbackRevoked(uint256,address,uint64)", true, true, true),
  ev("ResponseAppended(uint256,address,uint64,address,string,bytes32)", true, true, false, true, false, false),
];

// -------------------------------------------------------------------------------------- checks

function abiFunctions(abi: Abi): AbiFunction[] {
  return abi.filter((item): item is AbiFunction => item.type === "function");
}

function abiEvents(abi: Abi): AbiEvent[] {
  return abi.filter((item): item is AbiEvent => item.type === "event");
}

function assertFunctions(abi: Abi, specs: FunctionSpec[]): void {
  const compiled = new Map<Hex, AbiFunction>();
  for (const item of abiFunctions(abi)) compiled.set(toFunctionSelector(item), item);
  for (const spec of specs) {
    const selector = toFunctionSelector(spec.signature);
    const item = compiled.get(selector);
    assert.ok(item, `missing ${spec.signature} (${selector})`);
    assert.deepEqual(item.outputs.map((o) => o.type), spec.outputs, `return types of ${spec.signature}`);
    assert.equal(item.stateMutability, spec.mutability, `mutability of ${spec.signature}`);
  }
}

function assertEvents(abi: Abi, specs: EventSpec[]): void {
  const compiled = abiEvents(abi);
  for (const spec of specs) {
    const topic = toEventSelector(spec.signature);
    const matches = compiled.filter((e) => toEventSelector(e) === topic);
    assert.equal(matches.length, 1, `event ${spec.signature} (${topic})`);
    assert.deepEqual(matches[0]!.inputs.map((i) => i.indexed === true), spec.indexed, `indexed flags of ${spec.signature}`);
    assert.equal(matches[0]!.anonymous ?? false, false);
  }
}

function interfaceId(specs: FunctionSpec[]): Hex {
  const id = specs.reduce((acc, s) => acc ^ Number.parseInt(toFunctionSelector(s.signature).slice(2), 16), 0);
  return `0x${(id >>> 0).toString(16).padStart(8, "0")}`;
}

describe("ERC-8004 compatibility: Identity Registry", () => {
  it("exposes every standard function with the same selector, return types and mutability", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    assertFunctions(a.agentRegistry.abi, IDENTITY_FUNCTIONS);
  });

  it("declares every standard event with the same topic and indexed flags", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    assertEvents(a.agentRegistry.abi, IDENTITY_EVENTS);
  });

  it("emits logs whose topics are the standard ones (indexed key hashed, owner indexed)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const hash = await a.agentRegistry.write.register(["ipfs://x"], { account: a.provider.account });
    const { logs } = await a.publicClient.waitForTransactionReceipt({ hash });
    const owner = `0x${a.provider.account.address.slice(2).toLowerCase().padStart(64, "0")}`;
    const one = `0x${"1".padStart(64, "0")}`;
    assert.deepEqual(logs.map((l) => l.topics), [
      [toEventSelector("Transfer(address,address,uint256)"), `0x${"0".repeat(64)}`, owner, one],
      [toEventSelector("MetadataSet(uint256,string,string,bytes)"), one, keccak256(toHex("agentWallet"))],
      [toEventSelector("MetadataUpdate(uint256)")],
      [toEventSelector("Registered(uint256,string,address)"), one, owner],
    ]);
    const hash2 = await a.agentRegistry.write.setAgentURI([1n, "ipfs://y"], { account: a.provider.account });
    const r2 = await a.publicClient.waitForTransactionReceipt({ hash: hash2 });
    assert.deepEqual(r2.logs.map((l) => l.topics), [
      [toEventSelector("MetadataUpdate(uint256)")],
      [toEventSelector("URIUpdated(uint256,string,address)"), one, owner],
    ]);
  });

  it("computes the ERC-165 ids of ERC-721 and its metadata extension from the signatures above", () => {
    assert.equal(interfaceId(ERC721_FUNCTIONS), "0x80ac58cd");
    assert.equal(interfaceId(ERC721_METADATA_FUNCTIONS), "0x5b5e139f");
    assert.equal(interfaceId(ERC165_FUNCTIONS), "0x01ffc9a7");
  });

  it("supportsInterface: ERC-165, ERC-721, ERC-721 metadata and ERC-4906, nothing else", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const supports = (id: Hex) => a.agentRegistry.read.supportsInterface([id]);
    assert.equal(await supports("0x01ffc9a7"), true);
    assert.equal(await supports("0x80ac58cd"), true);
    assert.equal(await supports("0x5b5e139f"), true);
    assert.equal(await supports("0x49064906"), true);
    assert.equal(await supports("0xffffffff"), false); // ERC-165 requires false
    assert.equal(await supports("0x780e9d63"), false); // ERC-721 enumerable: not implemented
    assert.equal(await supports("0x00000000"), false);
  });
});

describe("ERC-8004 compatibility: Reputation Registry", () => {
  it("exposes every standard function with the same selector, return types and mutability", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    assertFunctions(a.reputation.abi, REPUTATION_FUNCTIONS);
  });

  it("declares every standard event with the same topic and indexed flags", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    assertEvents(a.reputation.abi, REPUTATION_EVENTS);
  });

  it("emits NewFeedback, ResponseAppended and FeedbackRevoked with the standard topics", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const agentId = await registerAgent(a);
    const pad = (hex: string) => `0x${hex.replace(/^0x/, "").toLowerCase().padStart(64, "0")}`;
    const client = pad(a.client.account.address);
    const h1 = await a.reputation.write.giveFeedback([agentId, 87n, 0, "starred", "", "", "", `0x${"00".repeat(32)}`], { account: a.client.account });
    const r1 = await a.publicClient.waitForTransactionReceipt({ hash: h1 });
    assert.deepEqual(r1.logs.map((l) => l.topics), [[
      toEventSelector("NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)"),
      pad(agentId.toString(16)), client, keccak256(toHex("starred")),
    ]]);
    const parsed = parseEventLogs({ abi: a.reputation.abi, logs: r1.logs, eventName: "NewFeedback" });
    assert.equal(parsed[0]!.args.feedbackIndex, 1n);

    const h2 = await a.reputation.write.appendResponse([agentId, a.client.account.address, 1n, "ipfs://r", `0x${"00".repeat(32)}`], { account: a.stranger.account });
    const r2 = await a.publicClient.waitForTransactionReceipt({ hash: h2 });
    assert.deepEqual(r2.logs.map((l) => l.topics), [[
      toEventSelector("ResponseAppended(uint256,address,uint64,address,string,bytes32)"),
      pad(agentId.toString(16)), client, pad(a.stranger.account.address),
    ]]);

    const h3 = await a.reputation.write.revokeFeedback([agentId, 1n], { account: a.client.account });
    const r3 = await a.publicClient.waitForTransactionReceipt({ hash: h3 });
    assert.deepEqual(r3.logs.map((l) => l.topics), [[
      toEventSelector("FeedbackRevoked(uint256,address,uint64)"), pad(agentId.toString(16)), client, pad("1"),
    ]]);
  });
});
