/**
 * A local stack for tests and benchmarks: a fresh `hardhat node` process with the contracts deployed, worker
 * processes, and an MCP client that pays with vouchers. Nothing here is mocked.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createPublicClient, createWalletClient, http, parseEther, zeroAddress, type Abi, type Address, type Hex, type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  agentRegistryAbi, agreementEscrowAbi, deployments, encodeVoucher, requestHash, signVoucher, VOUCHER_META_KEY, workerRegistryAbi,
} from "../../protocol/src/index.ts";
import { startChain, freePort, type LocalChain } from "./chain.ts";
import { ENV as WORKER_ENV, NODE_FLAGS as WORKER_NODE_FLAGS } from "../../worker/src/runtime.ts";
import { ARTIFACTS_DIR, LOCAL_STATE_DIR, ROOT } from "./paths.ts";
import { workerBundle } from "./worker-bundle.ts";

/** Hardhat's well-known development keys (accounts #0..#4 of `hardhat node`). */
export const DEV_KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];

const local = deployments[31337].contracts;

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  return JSON.parse(readFileSync(path.join(ARTIFACTS_DIR, `${name}.sol`, `${name}.json`), "utf8")) as { abi: Abi; bytecode: Hex };
}

/**
 * What the helpers below need of a local chain with the contracts deployed: its URL and clients.
 * A Stack is one; `connectChain` makes one for a chain started elsewhere (the browser tests').
 */
export interface ChainAccess {
  chain: { url: string };
  publicClient: PublicClient;
  /** Account #0: deployed the contracts and owns the WorkerRegistry. */
  deployer: PrivateKeyAccount;
  wallet(account: PrivateKeyAccount): ReturnType<typeof createWalletClient>;
}

export interface Stack extends ChainAccess {
  chain: LocalChain;
  provider: PrivateKeyAccount;
  stop(): Promise<void>;
}

export function connectChain(url: string): ChainAccess {
  return {
    chain: { url },
    publicClient: createPublicClient({ transport: http(url) }) as PublicClient,
    deployer: privateKeyToAccount(DEV_KEYS[0]!),
    wallet: (account: PrivateKeyAccount) => createWalletClient({ account, chain: undefined, transport: http(url) }),
  };
}

/** Starts a chain and deploys the four contracts in Ignition's order (same addresses as the record). */
export async function startStack(): Promise<Stack> {
  const chain = await startChain({ logFile: path.join(LOCAL_STATE_DIR, "test-chain.log") });
  const { publicClient, deployer, wallet } = connectChain(chain.url);
  const w = wallet(deployer);
  const deploy = async (name: string, args: unknown[]): Promise<Address> => {
    const { abi, bytecode } = artifact(name);
    const hash = await w.deployContract({ abi, bytecode, args, account: deployer, chain: null });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    return receipt.contractAddress!;
  };
  const agentRegistry = await deploy("AgentRegistry", []);
  const escrow = await deploy("AgreementEscrow", [agentRegistry]);
  const workerRegistry = await deploy("WorkerRegistry", [deployer.address, agentRegistry, true]);
  const reputation = await deploy("ReputationRegistry", [agentRegistry, escrow]);
  const expected = [local.AgentRegistry.address, local.AgreementEscrow.address, local.WorkerRegistry.address, local.ReputationRegistry.address];
  const actual = [agentRegistry, escrow, workerRegistry, reputation];
  if (actual.some((a, i) => a.toLowerCase() !== expected[i]!.toLowerCase())) {
    throw new Error(`test deployment ${actual.join(",")} differs from protocol/deployments.json ${expected.join(",")}`);
  }
  return { chain, publicClient, deployer, provider: privateKeyToAccount(DEV_KEYS[1]!), wallet, stop: () => chain.stop() };
}

/** Registers an agent owned by `owner` (with `agentURI` as its registration file), prices it in ETH, and returns its id. */
export async function createPricedAgent(
  stack: ChainAccess,
  owner: PrivateKeyAccount,
  price: bigint,
  agentURI = "ipfs://bafkreiepjypcrifzjfdjkkmu7wtednbsw6bj7uqvi5j72jhp6tf2bzgy4y",
): Promise<bigint> {
  const w = stack.wallet(owner);
  const id = await stack.publicClient.readContract({ address: local.AgentRegistry.address, abi: agentRegistryAbi, functionName: "nextAgentId" });
  await stack.publicClient.waitForTransactionReceipt({
    hash: await w.writeContract({ address: local.AgentRegistry.address, abi: agentRegistryAbi, functionName: "register", args: [agentURI], account: owner, chain: null }),
  });
  await stack.publicClient.waitForTransactionReceipt({
    hash: await w.writeContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "setPrice", args: [id, zeroAddress, price], account: owner, chain: null }),
  });
  return id;
}

export interface Agreement {
  id: bigint;
  agentId: bigint;
  price: bigint;
  client: PrivateKeyAccount;
  sessionKey: PrivateKeyAccount;
  /** The session key's private key (benchmarks sign natively with it). */
  sessionKeyPrivate: Hex;
}

/** Funds a fresh client from a dev account and opens an ETH agreement with a session key. */
export async function openAgreement(
  stack: ChainAccess,
  agentId: bigint,
  price: bigint,
  options: { calls?: number; maxCalls?: number; ttlSeconds?: number; funder?: PrivateKeyAccount; /** Default: a new, funded account. */ client?: PrivateKeyAccount } = {},
): Promise<Agreement> {
  const client = options.client ?? privateKeyToAccount(generatePrivateKey());
  const sessionKeyPrivate = generatePrivateKey();
  const sessionKey = privateKeyToAccount(sessionKeyPrivate);
  const funder = options.funder ?? privateKeyToAccount(DEV_KEYS[2]!);
  await stack.publicClient.waitForTransactionReceipt({
    hash: await stack.wallet(funder).sendTransaction({ to: client.address, value: parseEther("10"), account: funder, chain: null }),
  });
  const calls = BigInt(options.calls ?? 100);
  const block = await stack.publicClient.getBlock();
  const id = await stack.publicClient.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "nextAgreementId" });
  await stack.publicClient.waitForTransactionReceipt({
    hash: await stack.wallet(client).writeContract({
      address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "open",
      args: [agentId, zeroAddress, calls * price, options.maxCalls ?? Number(calls), block.timestamp + BigInt(options.ttlSeconds ?? 3600), sessionKey.address],
      value: calls * price, account: client, chain: null,
    }),
  });
  return { id, agentId, price, client, sessionKey, sessionKeyPrivate };
}

export interface WorkerProcess {
  url: string;
  baseUrl: string;
  address: Address;
  dataDir: string;
  process: ChildProcessWithoutNullStreams;
  logs(): string;
  /** SIGTERM and wait for exit (graceful). */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill(): Promise<void>;
}

/** Starts `agentry-worker` as a real process; resolves once it listens. */
export async function startWorker(stack: ChainAccess, options: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<WorkerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "agentry-worker-"));
  const port = await freePort();
  // One node process on Node's own type stripping (no loader), launched as the bin launches it;
  // its SIGKILL reaches the worker itself.
  const child = spawn(process.execPath, [
    ...WORKER_NODE_FLAGS, await workerBundle(), "--rpc-url", stack.chain.url, "--port", String(port), "--data-dir", dataDir, ...(options.args ?? []),
  ], { cwd: ROOT, env: { ...process.env, ...WORKER_ENV, ...options.env } }) as ChildProcessWithoutNullStreams;
  let logs = "";
  child.stdout.on("data", (c: Buffer) => (logs += c.toString()));
  child.stderr.on("data", (c: Buffer) => (logs += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const address = await new Promise<Address>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL"); // never leave a half-started worker behind
      reject(new Error(`worker did not start:\n${logs}`));
    }, 60_000);
    const check = () => {
      const m = /"msg":"worker listening".*?"worker":"(0x[0-9a-fA-F]{40})"/.exec(logs);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as Address);
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before listening:\n${logs}`));
    });
  });
  // The worker pays gas for its redemptions.
  const funder = privateKeyToAccount(DEV_KEYS[3]!);
  await stack.publicClient.waitForTransactionReceipt({
    hash: await stack.wallet(funder).sendTransaction({ to: address, value: parseEther("5"), account: funder, chain: null }),
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    baseUrl: `http://127.0.0.1:${port}`,
    address,
    dataDir,
    process: child,
    logs: () => logs,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** An MCP client (official SDK) connected to a worker. */
export async function mcpClient(url: string): Promise<Client> {
  const client = new Client({ name: "agentry-test-client", version: "0.1.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Signs the voucher for call `calls` and calls the tool with it. */
export async function paidCall(
  client: Client,
  agreement: Agreement,
  calls: bigint,
  tool: string,
  args: Record<string, unknown>,
  overrides: { amount?: bigint; signer?: PrivateKeyAccount; requestArgs?: Record<string, unknown> } = {},
) {
  const voucher = await signVoucher(overrides.signer ?? agreement.sessionKey, { chainId: 31337, escrow: local.AgreementEscrow.address }, {
    agreementId: agreement.id,
    calls,
    amount: overrides.amount ?? calls * agreement.price,
    requestHash: requestHash({ agentId: agreement.agentId, toolName: tool, arguments: overrides.requestArgs ?? args }),
  });
  return client.callTool({ name: tool, arguments: args, _meta: { [VOUCHER_META_KEY]: encodeVoucher(voucher) } });
}

/**
 * Makes a registered worker eligible for an agent, as the three parties would: the registry owner
 * (the deployer) approves itself as a validator and validates the worker's registered measurement;
 * the agent's owner approves the worker and pins that measurement.
 */
export async function makeEligible(stack: ChainAccess, agentId: bigint, agentOwner: PrivateKeyAccount, worker: Address): Promise<void> {
  const registry = local.WorkerRegistry.address;
  const registered = await stack.publicClient.readContract({ address: registry, abi: workerRegistryAbi, functionName: "getWorker", args: [worker] });
  const send = async (account: PrivateKeyAccount, functionName: "setValidator" | "validateWorker" | "setWorkerApproval" | "setMeasurementPinned", args: readonly unknown[]) => {
    const hash = await stack.wallet(account).writeContract({ address: registry, abi: workerRegistryAbi, functionName, args: args as never, account, chain: null });
    const receipt = await stack.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  };
  await send(stack.deployer, "setValidator", [stack.deployer.address, true]);
  await send(stack.deployer, "validateWorker", [worker, registered.measurement, registered.expiresAt]);
  await send(agentOwner, "setWorkerApproval", [agentId, worker, true]);
  await send(agentOwner, "setMeasurementPinned", [agentId, registered.measurement, true]);
}

/** Waits until `logs()` matches `pattern` (a process's output), failing with the logs after `timeoutMs`. */
export async function waitForLog(logs: () => string, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(logs());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { local as localContracts };
