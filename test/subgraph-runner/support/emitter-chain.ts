/**
 * A hardhat node with the fixture Emitter deployed at its manifest address, and a runner
 * (in-process, with a data directory and a content store) indexing it. Everything real.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex, type PublicClient, type TransactionReceipt } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { startChain, type LocalChain } from "../../../scripts/lib/chain.ts";
import { LOCAL_STATE_DIR } from "../../../scripts/lib/paths.ts";
import { openContentStore, type ContentStore } from "../../../protocol/src/content/store.ts";
import { startRunner, type Runner } from "../../../subgraph/runner/runner.ts";
import { textLogger } from "../../../subgraph/runner/log.ts";
import { buildMiniSubgraph, compileEmitter, EMITTER_ADDRESS, EMITTER_DEPLOYER_KEY } from "./mini-subgraph.ts";

export interface EmitterChain {
  chain: LocalChain;
  client: PublicClient;
  account: PrivateKeyAccount;
  address: Address;
  abi: Abi;
  /** Sends one Emitter transaction and waits for its receipt. */
  send(functionName: string, args: readonly unknown[]): Promise<TransactionReceipt>;
}

export async function startEmitterChain(): Promise<EmitterChain> {
  const chain = await startChain({ logFile: path.join(LOCAL_STATE_DIR, "test-subgraph-runner-chain.log") });
  const client = createPublicClient({ transport: http(chain.url), pollingInterval: 20 }) as PublicClient;
  const account = privateKeyToAccount(EMITTER_DEPLOYER_KEY);
  const wallet = createWalletClient({ account, transport: http(chain.url) });
  const { abi, bytecode } = compileEmitter();
  const receipt = await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ abi, bytecode, chain: null }) });
  if (receipt.contractAddress?.toLowerCase() !== EMITTER_ADDRESS.toLowerCase()) {
    await chain.stop();
    throw new Error(`Emitter deployed at ${receipt.contractAddress}, not at the manifest's ${EMITTER_ADDRESS}: was account #5 used before?`);
  }
  return {
    chain,
    client,
    account,
    address: receipt.contractAddress as Address,
    abi,
    send: async (functionName, args) => {
      const hash: Hex = await wallet.writeContract({ address: EMITTER_ADDRESS, abi, functionName, args, chain: null });
      const r = await client.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`${functionName} reverted`);
      return r;
    },
  };
}

export interface MiniRunner {
  runner: Runner;
  logs: string[];
}

export async function startMiniRunner(rpcUrl: string, dataDir: string, content: ContentStore): Promise<MiniRunner> {
  const logs: string[] = [];
  const manifest = await buildMiniSubgraph();
  const runner = await startRunner({
    manifest, rpcUrl, dataDir, port: 0, name: "mini", content: (cid) => content.get(cid), log: textLogger((line) => logs.push(line)), pollMs: 20,
  });
  return { runner, logs };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export { openContentStore };
