// AgentRegistry (ERC-8004 identity): agents, their owners, payment wallets, URIs and metadata.
// A registration emits Transfer (mint), MetadataSet("agentWallet"), then Registered: the agent
// entity is created by the mint, which always comes first.
import { Address, Bytes, ethereum, store } from "@graphprotocol/graph-ts";
import {
  MetadataSet,
  Registered,
  Transfer,
  URIUpdated,
} from "../generated/AgentRegistry/AgentRegistry";
import { Agent, AgentMetadata } from "../generated/schema";
import { RegistrationFile as RegistrationFileTemplate } from "../generated/templates";
import { ensureAccount } from "./common";

const AGENT_WALLET_KEY = "agentWallet";
const IPFS_SCHEME = "ipfs://";

export function handleTransfer(event: Transfer): void {
  const owner = ensureAccount(event.params.to, event);
  const id = event.params.tokenId.toString();
  let agent = Agent.load(id);
  if (agent == null) {
    agent = new Agent(id);
    agent.agentId = event.params.tokenId;
    agent.agentURI = "";
    agent.registeredBlock = event.block.number;
    agent.registeredTimestamp = event.block.timestamp;
    agent.registeredTransaction = event.transaction.hash;
  }
  // The wallet itself is announced by the MetadataSet event that follows (mint and transfer alike).
  agent.owner = owner.id;
  touch(agent, event);
  agent.save();
}

export function handleRegistered(event: Registered): void {
  const agent = Agent.load(event.params.agentId.toString());
  if (agent == null) return;
  setURI(agent, event.params.agentURI);
  touch(agent, event);
  agent.save();
}

export function handleURIUpdated(event: URIUpdated): void {
  const agent = Agent.load(event.params.agentId.toString());
  if (agent == null) return;
  setURI(agent, event.params.newURI);
  touch(agent, event);
  agent.save();
}

export function handleMetadataSet(event: MetadataSet): void {
  const agentId = event.params.agentId.toString();
  const key = event.params.metadataKey;
  const value = event.params.metadataValue;
  if (key == AGENT_WALLET_KEY) {
    const agent = Agent.load(agentId);
    if (agent == null) return;
    // 20 bytes: the wallet; empty: cleared (the escrow then pays the owner).
    agent.wallet = value.length == 20 ? (Address.fromBytes(value) as Bytes) : null;
    touch(agent, event);
    agent.save();
    return;
  }
  const id = agentId + "-" + key;
  if (value.length == 0) {
    // An empty value deletes the entry on-chain.
    if (AgentMetadata.load(id) != null) store.remove("AgentMetadata", id);
    return;
  }
  let entry = AgentMetadata.load(id);
  if (entry == null) {
    entry = new AgentMetadata(id);
    entry.agent = agentId;
    entry.key = key;
  }
  entry.value = value;
  entry.updatedBlock = event.block.number;
  entry.updatedTimestamp = event.block.timestamp;
  entry.save();
}

/** Points the agent at its URI; an ipfs:// URI starts a file data source that reads the file. */
function setURI(agent: Agent, uri: string): void {
  agent.agentURI = uri;
  const cid = uri.startsWith(IPFS_SCHEME) ? uri.substr(IPFS_SCHEME.length) : "";
  if (cid.length == 0) {
    agent.registrationCid = null;
    agent.registrationFile = null;
    return;
  }
  agent.registrationCid = cid;
  // The file entity's id is the CID: agents sharing a file share it, and the link holds even
  // before (or if never) IPFS delivers the content.
  agent.registrationFile = cid;
  RegistrationFileTemplate.create(cid);
}

function touch(agent: Agent, event: ethereum.Event): void {
  agent.updatedBlock = event.block.number;
  agent.updatedTimestamp = event.block.timestamp;
}
