/** Assembles and runs the worker node; `stop()` is the graceful shutdown. */
import { createPublicClient, createWalletClient, defineChain, http, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getDeployment } from "@agentry/protocol/core";
import { ChainView } from "./chain.ts";
import type { WorkerConfig } from "./config.ts";
import { Eip712Hasher, NativeSigner } from "@agentry/protocol/native-crypto";
import { createHttpServer } from "./http.ts";
import { resolveIdentity } from "./identity.ts";
import type { Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { PaymentMeter } from "./payments.ts";
import { Redeemer } from "./redeemer.ts";
import { CallStore } from "./store.ts";
import { BuiltinToolRunner } from "./tool-runner.ts";
import { builtinTools } from "./tools/index.ts";
import { UpstreamSet } from "./upstream.ts";

export interface RunningWorker {
  url: string;
  address: Address;
  chainId: number;
  stop(): Promise<void>;
}

/** Escrow's CLOSE_GRACE_PERIOD: vouchers stay redeemable this long after expiry. */
const CLOSE_GRACE_S = 86_400;

export async function serve(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const publicClient = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 2 }) }) as PublicClient;
  const chainId = await publicClient.getChainId().catch((error: unknown) => {
    throw new Error(`no chain answers at ${config.rpcUrl} (${(error as Error).message}); set --rpc-url`);
  });
  const escrow = getDeployment(chainId).contracts.AgreementEscrow.address;
  const ref = { chainId, escrow };

  const identity = await resolveIdentity(config);
  const { privateKey } = identity;
  const tee = identity.provider.tee;
  const attested = identity.provider.hardware;
  const signer = new NativeSigner(privateKey);
  const account = privateKeyToAccount(privateKey);
  const chain = defineChain({ id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [config.rpcUrl] } } });
  const wallet = createWalletClient({ account, chain, transport: http(config.rpcUrl) });

  const metrics = new Metrics();
  const store = new CallStore(config.dataDir);
  metrics.counterFrom("agentry_worker_store_commits_total", "durable commits of served calls (calls per commit shows group commit at work)", () => store.stats().commits);
  metrics.counterFrom("agentry_worker_store_rows_total", "served calls committed to the call database", () => store.stats().rows);
  const served = store.lastCalls();
  const view = new ChainView(publicClient, escrow, config.cacheMs);
  const hasher = new Eip712Hasher(ref);
  const meter = new PaymentMeter(view, hasher, config.agents, served);
  const tools = new BuiltinToolRunner(config.toolTimeoutMs);
  const upstreams = new UpstreamSet(
    [...config.upstreamCommand.map((command) => ({ kind: "stdio" as const, command })), ...config.upstreamUrl.map((url) => ({ kind: "http" as const, url }))],
    log,
  );
  await upstreams.start(new Set(builtinTools.map((t) => t.name)));
  const redeemer = new Redeemer(store, view, publicClient, wallet, log, metrics, {
    intervalMs: config.redeemIntervalMs,
    threshold: config.redeemThreshold,
    marginS: config.redeemMarginS,
    graceS: CLOSE_GRACE_S,
  });
  await redeemer.recover(served);
  redeemer.start();

  let shuttingDown = false;
  const startedAt = Date.now();
  const { server, inFlight } = createHttpServer({
    tools, upstreams, meter, store, signer, hasher, metrics, log,
    toolTimeoutMs: config.toolTimeoutMs,
    maxOutputBytes: config.maxOutputBytes,
    maxBodyBytes: config.maxBodyBytes,
    isShuttingDown: () => shuttingDown,
    onPaidCall: (agreementId, calls) => {
      void view.agreement(agreementId).then((a) => a && redeemer.noteCall(agreementId, calls, a.expiresAt));
    },
    health: () => ({
      status: shuttingDown ? "shutting_down" : "ok",
      worker: signer.address,
      chainId,
      escrow,
      tee,
      attested,
      inFlight: inFlight(),
      awaitingRedemption: redeemer.awaiting(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host}:${port}/mcp`;
  log.info("worker listening", { url, worker: signer.address, chainId, escrow, tee, attested, tools: builtinTools.length + upstreams.tools().length });
  if (config.register) {
    try {
      // Loaded only here: registration pulls in the attestation verifiers and the content store.
      const { registerFromConfig } = await import("./register.ts");
      const outcome = await registerFromConfig(config, identity, config.publicUrl ?? url, (message) => log.info("registration", { step: message }));
      log.info("worker registered", { action: outcome.action, evidenceURI: outcome.evidenceURI, measurement: outcome.measurement, expiresAt: Number(outcome.expiresAt) });
    } catch (error) {
      // A worker nobody can find on-chain serves no one: refuse to run half-configured.
      server.close();
      await Promise.allSettled([redeemer.stop(), tools.close(), upstreams.close()]);
      store.close();
      throw new Error(`registration failed: ${(error as Error).message}`);
    }
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shuttingDown = true;
      log.info("shutting down: finishing in-flight calls");
      server.close();
      while (inFlight() > 0) await new Promise((r) => setTimeout(r, 20));
      log.info("redeeming before exit", { awaiting: redeemer.awaiting() });
      await redeemer.stop();
      await tools.close();
      await upstreams.close();
      store.close();
      server.closeAllConnections();
      log.info("stopped");
    })());
  return { url, address: signer.address, chainId, stop };
}
