/** The broker of this server process, built once from the server configuration. */
import { createPublicClient, http, type PublicClient } from "viem";
import { contentStore } from "../content-store.ts";
import { serverConfig } from "../server-config.ts";
import { createBroker, defaultLimits, type Broker } from "./broker.ts";
import { WorkerHealth } from "./routing.ts";
import { subgraphCandidates, WorkerDirectory } from "./workers.ts";

let broker: Broker | undefined;

export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, component: "broker", ...fields }));
}

export function getBroker(): Broker {
  if (broker) return broker;
  const config = serverConfig();
  const publicClient = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 1, timeout: 10_000 }) }) as PublicClient;
  const content = { get: async (cid: string) => (await contentStore()).get(cid) };
  const directory = new WorkerDirectory({
    publicClient,
    chainId: config.chainId,
    content,
    candidates: config.subgraphUrl ? subgraphCandidates(config.subgraphUrl, publicClient) : undefined,
    cacheMs: config.cacheMs,
    evidenceCacheMs: 10 * 60_000,
    allowDev: config.devWallet,
    log: (msg, fields) => log("warn", msg, fields),
  });
  broker = createBroker({
    publicClient,
    chainId: config.chainId,
    directory,
    callTimeoutMs: config.callTimeoutMs,
    agreementCacheMs: 2_000,
    limits: defaultLimits(),
    health: new WorkerHealth({ failureBackoffMs: 10_000, maxInFlight: 256 }),
    log: (level, msg, fields) => log(level, msg, fields),
  });
  return broker;
}
