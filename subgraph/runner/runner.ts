/**
 * The local subgraph runner, assembled: a built manifest, the chain's JSON-RPC, an embedded
 * Postgres under a data directory, the indexing loop and the GraphQL server. One call starts it
 * all; `stop()` ends it cleanly (the current batch is written first).
 */
import path from "node:path";
import { EntityDatabase } from "./database.ts";
import { buildApi } from "./graphql-api.ts";
import { Indexer, type ContentSource, type Logger } from "./indexer.ts";
import { loadManifest, type Manifest } from "./manifest.ts";
import { ChainRpc } from "./rpc.ts";
import { GraphqlServer } from "./server.ts";

export interface RunnerOptions {
  /** The manifest `graph build` wrote (e.g. subgraph/build/localhost/subgraph.yaml). */
  manifest: string;
  rpcUrl: string;
  /** Where PGlite keeps the entities; in memory when undefined. */
  dataDir?: string;
  /** GraphQL port; 0 picks a free one. */
  port: number;
  host?: string;
  /** The name in /subgraphs/name/<name>. */
  name: string;
  /** File data sources read their bytes here. */
  content: ContentSource;
  log: Logger;
  pollMs?: number;
  rangeSize?: number;
}

export interface Runner {
  url: string;
  manifest: Manifest;
  indexer: Indexer;
  db: EntityDatabase;
  /** Resolves once the runner has indexed `block` (or stopped at an indexing error). */
  waitForBlock(block: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const manifest = loadManifest(options.manifest);
  const rpc = new ChainRpc(options.rpcUrl);
  const db = await EntityDatabase.open(options.dataDir ? path.resolve(options.dataDir) : undefined);
  let server: GraphqlServer | undefined;
  try {
    const indexer = new Indexer({ manifest, rpc, db, content: options.content, log: options.log, pollMs: options.pollMs, rangeSize: options.rangeSize });
    await indexer.init();
    const schema = buildApi(manifest.schema);
    server = new GraphqlServer({
      schema,
      name: options.name,
      port: options.port,
      host: options.host,
      context: () => ({ db, state: () => indexer.indexingState, deployment: manifest.deploymentId }),
    });
    const url = await server.listen();
    const loop = indexer.run().catch((error: unknown) => {
      options.log("critical", `the indexer stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
    const running = server;
    return {
      url,
      manifest,
      indexer,
      db,
      waitForBlock: (block) => indexer.waitForBlock(block),
      async stop() {
        indexer.stop();
        await loop;
        await running.close();
        await db.close();
      },
    };
  } catch (error) {
    await server?.close();
    await db.close();
    throw error;
  }
}
