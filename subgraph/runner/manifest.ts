/**
 * A built subgraph manifest (`graph build` output: subgraph.yaml next to the wasm, ABIs and
 * schema it names), validated with zod and resolved to what the runner executes: per data source
 * the wasm module, the ABI, and the event handlers with their topic0; templates for dynamic
 * contract and file data sources. Anything the runner cannot execute is rejected here, by name.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { getAddress, toEventSelector, type Abi, type AbiEvent, type Address, type Hex } from "viem";
import { parseSchema, type SubgraphSchema } from "./schema.ts";

export class ManifestError extends Error {}

const abiRef = z.object({ name: z.string(), file: z.string() });
const eventHandler = z.object({
  event: z.string(),
  handler: z.string(),
  topic1: z.array(z.string()).optional(),
  topic2: z.array(z.string()).optional(),
  topic3: z.array(z.string()).optional(),
  receipt: z.boolean().optional(),
  calls: z.record(z.string(), z.string()).optional(),
});
const ethereumMapping = z.object({
  kind: z.literal("ethereum/events"),
  apiVersion: z.string(),
  language: z.literal("wasm/assemblyscript"),
  entities: z.array(z.string()),
  abis: z.array(abiRef),
  eventHandlers: z.array(eventHandler).default([]),
  blockHandlers: z.array(z.unknown()).optional(),
  callHandlers: z.array(z.unknown()).optional(),
  file: z.string(),
});
const ethereumSource = z.object({
  kind: z.literal("ethereum/contract").or(z.literal("ethereum")),
  name: z.string(),
  network: z.string(),
  source: z.object({ address: z.string().optional(), abi: z.string(), startBlock: z.number().int().nonnegative().default(0), endBlock: z.number().int().optional() }),
  mapping: ethereumMapping,
});
const ethereumTemplate = ethereumSource.extend({ source: z.object({ abi: z.string() }) });
const fileTemplate = z.object({
  kind: z.literal("file/ipfs"),
  name: z.string(),
  network: z.string().optional(),
  mapping: z.object({ apiVersion: z.string(), language: z.literal("wasm/assemblyscript"), entities: z.array(z.string()), handler: z.string(), file: z.string() }),
});
const manifestSchema = z.object({
  specVersion: z.string(),
  schema: z.object({ file: z.string() }),
  dataSources: z.array(ethereumSource).min(1),
  templates: z.array(z.discriminatedUnion("kind", [ethereumTemplate, fileTemplate])).default([]),
  features: z.array(z.string()).optional(),
});

export interface EventHandler {
  /** The manifest's signature, e.g. `Transfer(indexed address,indexed address,indexed uint256)`. */
  signature: string;
  handler: string;
  topic0: Hex;
  abiEvent: AbiEvent;
  /** topic1..3 filters, lower-case 32-byte hex; undefined = any. */
  topics: (Hex[] | undefined)[];
  receipt: boolean;
}

export interface ContractSource {
  kind: "ethereum";
  name: string;
  network: string;
  /** undefined for templates (the address comes with dataSource.create) */
  address?: Address;
  startBlock: number;
  endBlock?: number;
  wasm: string;
  entities: string[];
  abi: Abi;
  handlers: EventHandler[];
}

export interface FileTemplate {
  kind: "file";
  name: string;
  network: string;
  wasm: string;
  entities: string[];
  handler: string;
}

export interface Manifest {
  file: string;
  dir: string;
  network: string;
  schema: SubgraphSchema;
  dataSources: ContractSource[];
  templates: Map<string, ContractSource | FileTemplate>;
  /** Hash of the manifest, schema, wasm and ABIs: a new build is a new deployment (reindex). */
  deploymentId: string;
}

/** `Transfer(indexed address,uint256)` -> `Transfer(address,uint256)` */
function canonical(signature: string): string {
  return signature.replace(/\bindexed\s+/g, "").replace(/\s+/g, "");
}

function abiSignature(event: AbiEvent): string {
  const type = (input: AbiEvent["inputs"][number]): string => {
    if (!input.type.startsWith("tuple")) return input.type;
    const components = "components" in input ? (input.components as AbiEvent["inputs"]) : [];
    return `(${components.map(type).join(",")})${input.type.slice(5)}`;
  };
  return `${event.name}(${event.inputs.map(type).join(",")})`;
}

export function loadManifest(file: string): Manifest {
  const dir = path.dirname(path.resolve(file));
  const hash = createHash("sha256");
  const read = (relative: string, encoding?: "utf8") => {
    const full = path.resolve(dir, relative);
    try {
      const content = readFileSync(full);
      hash.update(content);
      return encoding ? content.toString(encoding) : content;
    } catch {
      throw new ManifestError(`${file}: cannot read ${relative} (${full}); is this the manifest \`graph build\` wrote?`);
    }
  };
  let raw: unknown;
  try {
    raw = parseYaml(read(path.basename(file), "utf8") as string);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw new ManifestError(`${file} is not valid YAML: ${String(error)}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ManifestError(`${file} is not a manifest the runner can execute: ${issues}`);
  }
  const manifest = parsed.data;
  const schema = parseSchema(read(manifest.schema.file, "utf8") as string);
  const abis = new Map<string, Abi>();
  const wasmPath = (relative: string) => (read(relative), path.resolve(dir, relative));

  const contract = (source: z.infer<typeof ethereumTemplate> & { source: { address?: string; startBlock?: number; endBlock?: number } }): ContractSource => {
    const where = `data source ${source.name}`;
    if (source.mapping.blockHandlers?.length) throw new ManifestError(`${where}: block handlers are not supported by the local runner`);
    if (source.mapping.callHandlers?.length) throw new ManifestError(`${where}: call handlers are not supported by the local runner`);
    for (const ref of source.mapping.abis) {
      if (!abis.has(`${source.name}/${ref.name}`)) {
        const abi = JSON.parse(read(ref.file, "utf8") as string) as Abi;
        abis.set(`${source.name}/${ref.name}`, abi);
      }
    }
    const abi = abis.get(`${source.name}/${source.source.abi}`);
    if (!abi) throw new ManifestError(`${where}: source.abi ${source.source.abi} is not among mapping.abis`);
    const events = abi.filter((item): item is AbiEvent => item.type === "event");
    const handlers = source.mapping.eventHandlers.map((h): EventHandler => {
      if (h.calls && Object.keys(h.calls).length > 0) throw new ManifestError(`${where}: declared eth_calls (${h.handler}) are not supported by the local runner`);
      const wanted = canonical(h.event);
      const abiEvent = events.find((e) => abiSignature(e) === wanted);
      if (!abiEvent) throw new ManifestError(`${where}: event ${h.event} is not in ABI ${source.source.abi}`);
      const topic = (values?: string[]) => values?.map((v) => `0x${v.toLowerCase().replace(/^0x/, "").padStart(64, "0")}` as Hex);
      return {
        signature: h.event,
        handler: h.handler,
        topic0: toEventSelector(abiEvent),
        abiEvent,
        topics: [topic(h.topic1), topic(h.topic2), topic(h.topic3)],
        receipt: h.receipt ?? false,
      };
    });
    const out: ContractSource = {
      kind: "ethereum",
      name: source.name,
      network: source.network,
      startBlock: source.source.startBlock ?? 0,
      wasm: wasmPath(source.mapping.file),
      entities: source.mapping.entities,
      abi,
      handlers,
    };
    if (source.source.address) out.address = getAddress(source.source.address);
    if (source.source.endBlock !== undefined) out.endBlock = source.source.endBlock;
    return out;
  };

  const dataSources = manifest.dataSources.map(contract);
  const network = dataSources[0]!.network;
  const templates = new Map<string, ContractSource | FileTemplate>();
  for (const template of manifest.templates) {
    if (template.kind === "file/ipfs") {
      templates.set(template.name, {
        kind: "file",
        name: template.name,
        network: template.network ?? network,
        wasm: wasmPath(template.mapping.file),
        entities: template.mapping.entities,
        handler: template.mapping.handler,
      });
    } else {
      templates.set(template.name, contract(template));
    }
  }
  for (const source of [...dataSources, ...templates.values()]) {
    for (const entity of source.entities) {
      if (!schema.entities.has(entity)) throw new ManifestError(`data source ${source.name}: entity ${entity} is not in the schema`);
    }
  }
  return { file: path.resolve(file), dir, network, schema, dataSources, templates, deploymentId: hash.digest("hex") };
}
