/**
 * Builds the subgraph for every network it has a manifest for (one per chain in
 * protocol/deployments.json, see generate-subgraph.ts):
 *
 * - `graph codegen` → subgraph/generated/ (AssemblyScript types for the ABIs, the schema and the
 *   file data source template; the same for every network, so generated once);
 * - `graph build` → subgraph/build/<network>/ (subgraph.yaml, schema.graphql and the wasm mappings:
 *   what graph-node, or the local subgraph runner, executes).
 *
 * A contract change that breaks the mappings fails here. Both commands work offline.
 */
import path from "node:path";
import { run } from "./lib/cli.ts";
import { ROOT, SUBGRAPH_DIR } from "./lib/paths.ts";
import { manifestPaths } from "./generate-subgraph.ts";

const graph = path.join(ROOT, "node_modules", ".bin", "graph");

/** Builds every network's manifest; returns the build directories, by network. */
export async function buildSubgraph(): Promise<Map<string, string>> {
  const manifests = await manifestPaths();
  if (manifests.length === 0) {
    throw new Error("protocol/deployments.json records no deployment, so the subgraph has no manifest: run `npm run deploy` first.");
  }
  const env = { ...process.env, GRAPH_SKIP_NEW_VERSION_CHECK: "true" };
  const options = { cwd: SUBGRAPH_DIR, env };
  await run(graph, ["codegen", path.basename(manifests[0]!), "--output-dir", "generated"], options);
  const built = new Map<string, string>();
  for (const manifest of manifests) {
    const network = path.basename(manifest).replace(/^subgraph\.(.+)\.yaml$/, "$1");
    const outputDir = path.join("build", network);
    await run(graph, ["build", path.basename(manifest), "--output-dir", outputDir, "--skip-migrations"], options);
    built.set(network, path.join(SUBGRAPH_DIR, outputDir));
  }
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log("Subgraph: graph codegen and graph build for every network manifest");
    for (const [network, dir] of await buildSubgraph()) console.log(`  ${network}: ${path.relative(ROOT, dir)}/subgraph.yaml`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
