/**
 * The subgraph's manifests and built mappings against the contracts and the deployment record:
 * every recorded chain has a manifest with its addresses and start blocks, every event the design
 * needs is handled (a renamed or removed event fails here), every other event is ignored on
 * purpose, and the built wasm exports each handler the manifest names.
 *
 * Reads subgraph/build/<network>/, which `npm test` builds just before (scripts/build-subgraph.ts).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { z } from "zod";
import { readAbi, readRecord } from "../../scripts/generate-protocol.ts";
import { abiEvents, graphEventSignature, GRAPH_NETWORKS, manifestPath, NOT_INDEXED } from "../../scripts/generate-subgraph.ts";
import { CONTRACTS, SUBGRAPH_DIR, type ContractName } from "../../scripts/lib/paths.ts";

/** The events the subgraph's entities are built from, written out here independently of the generator. */
const REQUIRED_EVENTS: Record<ContractName, string[]> = {
  AgentRegistry: ["Transfer", "Registered", "URIUpdated", "MetadataSet"],
  WorkerRegistry: [
    "WorkerRegistered",
    "WorkerAttestationUpdated",
    "WorkerEndpointUpdated",
    "WorkerRetired",
    "ValidatorSet",
    "WorkerValidated",
    "ValidationRevoked",
    "WorkerApprovalSet",
    "MeasurementPinSet",
  ],
  AgreementEscrow: ["PriceSet", "AgreementOpened", "ToppedUp", "SessionKeySet", "Redeemed", "AgreementClosed"],
  ReputationRegistry: ["NewFeedback", "FeedbackRevoked", "FeedbackVerified", "ResponseAppended"],
};

const handlerSchema = z.object({ event: z.string(), handler: z.string() });
const manifestSchema = z.object({
  specVersion: z.string(),
  schema: z.object({ file: z.string() }),
  dataSources: z.array(
    z.object({
      kind: z.literal("ethereum/contract"),
      name: z.string(),
      network: z.string(),
      source: z.object({ address: z.string(), abi: z.string(), startBlock: z.number() }),
      mapping: z.object({
        apiVersion: z.string(),
        file: z.string(),
        entities: z.array(z.string()),
        abis: z.array(z.object({ name: z.string(), file: z.string() })),
        eventHandlers: z.array(handlerSchema),
      }),
    }),
  ),
  templates: z.array(
    z.object({
      kind: z.string(),
      name: z.string(),
      mapping: z.object({ apiVersion: z.string(), file: z.string(), handler: z.string(), entities: z.array(z.string()) }),
    }),
  ),
});
type Manifest = z.infer<typeof manifestSchema>;

async function readManifest(file: string): Promise<Manifest> {
  return manifestSchema.parse(parse(await readFile(file, "utf8")));
}

/** Node's WebAssembly global (the root tsconfig has no DOM lib, which is where its types live). */
interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<object>;
  Module: { exports(module: object): { name: string }[] };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

async function wasmExports(file: string): Promise<string[]> {
  return wasm.Module.exports(await wasm.compile(await readFile(file))).map((e) => e.name);
}

const record = await readRecord();
const abis = new Map<ContractName, unknown[]>();
for (const name of CONTRACTS) abis.set(name, await readAbi(name));

describe("subgraph manifests", () => {
  it("the deployment record has at least the local chain", () => {
    assert.ok(record["31337"], "protocol/deployments.json must record the local chain (31337)");
  });

  for (const [chainId, chain] of Object.entries(record)) {
    const network = GRAPH_NETWORKS[chainId];
    describe(`chain ${chainId} (${network ?? "unknown network"})`, () => {
      it("has a manifest with the recorded addresses and start blocks", async () => {
        assert.ok(network, `chain ${chainId} has no graph-node network name`);
        const manifest = await readManifest(manifestPath(chainId));
        assert.deepEqual(manifest.dataSources.map((d) => d.name).sort(), [...CONTRACTS].sort());
        for (const source of manifest.dataSources) {
          const deployed = chain.contracts[source.name as ContractName];
          assert.ok(deployed, `${source.name} is not in the record`);
          assert.equal(source.network, network);
          assert.equal(source.source.address, deployed.address, `${source.name} address`);
          assert.equal(source.source.startBlock, deployed.startBlock, `${source.name} startBlock`);
          assert.equal(source.source.abi, source.name);
          for (const abi of source.mapping.abis) {
            assert.ok(existsSync(path.join(SUBGRAPH_DIR, abi.file)), `${abi.file} exists`);
          }
        }
      });

      it("handles every event the design needs, with the ABI's exact signature", async () => {
        const manifest = await readManifest(manifestPath(chainId));
        for (const name of CONTRACTS) {
          const source = manifest.dataSources.find((d) => d.name === name)!;
          const events = abiEvents(abis.get(name)!);
          const signatures = new Map(events.map((e) => [e.name, graphEventSignature(e)]));
          const handled = new Map(source.mapping.eventHandlers.map((h) => [h.event, h.handler]));
          for (const required of REQUIRED_EVENTS[name]) {
            const signature = signatures.get(required);
            assert.ok(signature, `${name} no longer emits ${required}: the subgraph's entities depend on it`);
            assert.ok(handled.has(signature), `${name}.${required} (${signature}) has no handler in ${path.basename(manifestPath(chainId))}`);
          }
          for (const event of events) {
            const isHandled = handled.has(graphEventSignature(event));
            assert.ok(isHandled || event.name in NOT_INDEXED, `${name}.${event.name} is neither handled nor deliberately ignored`);
          }
          for (const event of handled.keys()) {
            assert.ok([...signatures.values()].includes(event), `${name} handler for ${event}, which the ABI does not have`);
          }
        }
      });

      it("reads registration files with a file/ipfs template", async () => {
        const manifest = await readManifest(manifestPath(chainId));
        const template = manifest.templates.find((t) => t.name === "RegistrationFile");
        assert.ok(template, "RegistrationFile template");
        assert.equal(template.kind, "file/ipfs");
        assert.deepEqual(template.mapping.entities.sort(), ["RegistrationFile", "Service", "Tool"]);
      });

      it("builds mappings that export every handler the manifest names", async () => {
        const buildDir = path.join(SUBGRAPH_DIR, "build", network ?? chainId);
        const builtManifest = path.join(buildDir, "subgraph.yaml");
        assert.ok(existsSync(builtManifest), `${builtManifest} is missing: run \`node --import tsx scripts/build-subgraph.ts\``);
        const built = await readManifest(builtManifest);
        for (const source of built.dataSources) {
          const exports = await wasmExports(path.join(buildDir, source.mapping.file));
          for (const { handler } of source.mapping.eventHandlers) {
            assert.ok(exports.includes(handler), `${source.name} wasm exports ${handler}`);
          }
        }
        for (const template of built.templates) {
          const exports = await wasmExports(path.join(buildDir, template.mapping.file));
          assert.ok(exports.includes(template.mapping.handler), `${template.name} wasm exports ${template.mapping.handler}`);
        }
      });
    });
  }
});
