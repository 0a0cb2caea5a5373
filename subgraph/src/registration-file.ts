// The file data source template "RegistrationFile": reads an agent's registration file from IPFS
// (ERC-8004 registration-v1 plus Agentry's `agentry` object, see docs/PROTOCOL.md). Its id is the
// CID the agent's ipfs:// URI names. Content that is not a JSON object is recorded as invalid
// rather than failing the subgraph: anyone can register any URI.
import {
  Address,
  BigInt,
  Bytes,
  dataSource,
  json,
  JSONValue,
  JSONValueKind,
  TypedMap,
} from "@graphprotocol/graph-ts";
import { RegistrationFile, Service, Tool } from "../generated/schema";

/** Bounds on what one file may add, so a hostile file cannot make indexing arbitrarily slow. */
const MAX_SERVICES = 32;
const MAX_TOOLS = 256;
const MAX_TAGS = 32;

export function handleRegistrationFile(content: Bytes): void {
  const id = dataSource.stringParam();
  const file = new RegistrationFile(id);
  file.valid = false;
  file.supportedTrust = [];
  file.tags = [];
  file.toolNames = [];

  const parsed = json.try_fromBytes(content);
  if (parsed.isError || parsed.value.kind != JSONValueKind.OBJECT) {
    file.error = "the registration file is not a JSON object";
    file.save();
    return;
  }
  const root = parsed.value.toObject();
  file.valid = true;
  file.type = stringField(root, "type");
  file.name = stringField(root, "name");
  file.description = stringField(root, "description");
  file.image = stringField(root, "image");
  file.supportedTrust = stringList(root.get("supportedTrust"), MAX_TAGS);

  // ERC-8004 calls the list "services"; earlier drafts called it "endpoints".
  let services = root.get("services");
  if (services == null || services.kind != JSONValueKind.ARRAY) services = root.get("endpoints");
  const serviceList = arrayOf(services);
  let serviceCount = 0;
  for (let i = 0; i < serviceList.length && serviceCount < MAX_SERVICES; i++) {
    if (serviceList[i].kind != JSONValueKind.OBJECT) continue;
    const entry = serviceList[i].toObject();
    const name = stringField(entry, "name");
    const endpoint = stringField(entry, "endpoint");
    if (name == null || endpoint == null) continue;
    const service = new Service(id + "-" + serviceCount.toString());
    service.file = id;
    service.name = name!;
    service.endpoint = endpoint!;
    service.version = stringField(entry, "version");
    service.save();
    serviceCount++;
    if (name == "MCP" && file.mcpEndpoint == null) {
      file.mcpEndpoint = endpoint;
      file.mcpVersion = service.version;
    }
  }

  const agentry = root.get("agentry");
  const tools = agentry != null && agentry.kind == JSONValueKind.OBJECT ? arrayOf(agentry.toObject().get("tools")) : [];
  const allTags: string[] = [];
  const toolNames: string[] = [];
  let toolCount = 0;
  for (let i = 0; i < tools.length && toolCount < MAX_TOOLS; i++) {
    if (tools[i].kind != JSONValueKind.OBJECT) continue;
    const entry = tools[i].toObject();
    const name = stringField(entry, "name");
    if (name == null) continue;
    const tool = new Tool(id + "-" + toolCount.toString());
    tool.file = id;
    tool.name = name!;
    tool.description = stringField(entry, "description");
    const schema = entry.get("inputSchema");
    tool.inputSchema = schema != null ? toJsonText(schema) : null;
    tool.price = decimalField(entry.get("price"));
    tool.token = addressField(entry.get("token"));
    const tags = stringList(entry.get("tags"), MAX_TAGS);
    tool.tags = tags;
    tool.save();
    toolCount++;
    toolNames.push(name!);
    for (let t = 0; t < tags.length; t++) {
      if (!allTags.includes(tags[t])) allTags.push(tags[t]);
    }
  }
  file.tags = allTags;
  file.toolNames = toolNames;
  file.save();
}

function stringField(object: TypedMap<string, JSONValue>, key: string): string | null {
  const value = object.get(key);
  if (value == null || value.kind != JSONValueKind.STRING) return null;
  return value.toString();
}

function arrayOf(value: JSONValue | null): JSONValue[] {
  if (value == null || value.kind != JSONValueKind.ARRAY) return [];
  return value.toArray();
}

function stringList(value: JSONValue | null, max: i32): string[] {
  const items = arrayOf(value);
  const out: string[] = [];
  for (let i = 0; i < items.length && out.length < max; i++) {
    if (items[i].kind == JSONValueKind.STRING) out.push(items[i].toString());
  }
  return out;
}

/** A non-negative integer given as a decimal string (or a JSON integer); null otherwise. */
function decimalField(value: JSONValue | null): BigInt | null {
  if (value == null) return null;
  let text: string;
  if (value.kind == JSONValueKind.STRING) text = value.toString();
  else if (value.kind == JSONValueKind.NUMBER) text = numberText(value);
  else return null;
  if (text.length == 0 || text.length > 78) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return BigInt.fromString(text);
}

/** A 0x-prefixed 20-byte hex address; null otherwise. */
function addressField(value: JSONValue | null): Bytes | null {
  if (value == null || value.kind != JSONValueKind.STRING) return null;
  const text = value.toString();
  if (text.length != 42 || !text.startsWith("0x")) return null;
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (!hex) return null;
  }
  return Address.fromString(text);
}

/** The number exactly as the file wrote it (graph-ts keeps JSON numbers as their text). */
function numberText(value: JSONValue): string {
  return changetype<string>(value.data as u32);
}

/** JSON text of a parsed value (graph-ts has no serializer): keeps member order and number text. */
function toJsonText(value: JSONValue): string {
  if (value.kind == JSONValueKind.NULL) return "null";
  if (value.kind == JSONValueKind.BOOL) return value.toBool() ? "true" : "false";
  if (value.kind == JSONValueKind.NUMBER) return numberText(value);
  if (value.kind == JSONValueKind.STRING) return quote(value.toString());
  if (value.kind == JSONValueKind.ARRAY) {
    const items = value.toArray();
    const parts: string[] = [];
    for (let i = 0; i < items.length; i++) parts.push(toJsonText(items[i]));
    return "[" + parts.join(",") + "]";
  }
  const entries = value.toObject().entries;
  const parts: string[] = [];
  for (let i = 0; i < entries.length; i++) parts.push(quote(entries[i].key) + ":" + toJsonText(entries[i].value));
  return "{" + parts.join(",") + "}";
}

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 34) out += '\\"';
    else if (c == 92) out += "\\\\";
    else if (c == 10) out += "\\n";
    else if (c == 13) out += "\\r";
    else if (c == 9) out += "\\t";
    else if (c < 32) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += String.fromCharCode(c);
  }
  return out + '"';
}
