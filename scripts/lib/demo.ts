/**
 * The demo `npm start` seeds on a fresh local chain: agents with real tools served by the local
 * worker (one fronting an existing MCP server), the worker validated and approved, and a client
 * agreement with a few paid calls, so every page of the dApp has something true to show.
 *
 * Who is who (Hardhat's development accounts): #0 deploys and validates workers, #1 is the
 * provider owning the agents, #2 is the demo client, #4 operates the worker.
 */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, createWalletClient, http, parseEther, zeroAddress, type Abi, type Address, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  agentRegistryAbi, agreementEscrowAbi, deployments, encodeVoucher, ipfsUri, REGISTRATION_TYPE, requestHash, signVoucher,
  VOUCHER_META_KEY, workerRegistryAbi, type RegistrationFile,
} from "../../protocol/src/index.ts";
import type { ContentStore } from "../../protocol/src/content/store.ts";
import { DEV_KEYS, startWorker, waitForLog, type ChainAccess, type WorkerProcess } from "./local-stack.ts";
import { CONTENT_DIR } from "./indexer.ts";

/**
 * The demo's worker (DEV attestation, operated by account #4): registered on-chain with its
 * evidence in the local content store, its call database new (calls belong to one chain).
 * `upstreamCommand` fronts an existing MCP server over stdio.
 */
export async function startDemoWorker(
  stack: ChainAccess,
  options: { stateDir: string; name: string; upstreamCommand?: string; /** More `agentry-worker` flags (e.g. its redemption policy). */ args?: string[] },
): Promise<WorkerProcess> {
  const dataDir = path.join(options.stateDir, options.name);
  await rm(dataDir, { recursive: true, force: true });
  const operatorKeyFile = path.join(options.stateDir, `${options.name}-operator-key`);
  await writeFile(operatorKeyFile, `${DEV_KEYS[4]}\n`, { mode: 0o600 });
  const worker = await startWorker(stack, {
    dataDir,
    args: [
      "--register", "true", "--operator-key-file", operatorKeyFile, "--content-dir", CONTENT_DIR,
      ...(options.upstreamCommand ? ["--upstream-command", options.upstreamCommand] : []),
      ...(options.args ?? []),
    ],
  });
  try {
    await waitForLog(worker.logs, /"msg":"worker registered"/);
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return worker;
}

const local = deployments[31337].contracts;

export interface DemoAgentSpec {
  name: string;
  description: string;
  tags: string[];
  /** Tool names as the worker lists them. */
  tools: string[];
  priceWei: bigint;
}

/** The demo agents: each a real set of the worker's tools (the last one fronts an existing MCP server). */
export function demoAgents(frontedTools: string[]): DemoAgentSpec[] {
  return [
    { name: "Data Wrangler", description: "Query, reshape and compare JSON and CSV: JSONPath queries, CSV to JSON, structural diffs, Markdown tables.", tags: ["data", "json", "csv"], tools: ["json_query", "csv_to_json", "json_diff", "markdown_table"], priceWei: parseEther("0.0001") },
    { name: "Text Lab", description: "Text utilities with deterministic results: regex extraction, statistics, hashing and encodings.", tags: ["text", "regex", "crypto"], tools: ["regex_extract", "text_stats", "hash_encode"], priceWei: parseEther("0.00005") },
    { name: "Units & Time", description: "Unit conversion across length, mass, temperature, data and more, and time-zone conversion with DST rules.", tags: ["units", "time"], tools: ["convert_units", "convert_timezone"], priceWei: parseEther("0.00002") },
    ...(frontedTools.length
      ? [{ name: "Everything Bridge", description: "The MCP reference server's tools (an existing MCP server), served with receipts from an attested worker.", tags: ["mcp", "reference"], tools: frontedTools, priceWei: parseEther("0.00001") }]
      : []),
  ];
}

export interface DemoResult {
  agents: Array<{ id: string; name: string; uri: string }>;
  worker: Address;
  agreement: { id: string; agentId: string; client: Address; sessionKeyFile: string; calls: number };
}

interface Tool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export async function seedDemo(options: {
  rpcUrl: string;
  store: ContentStore;
  worker: { url: string; address: Address };
  stateDir: string;
  /** Tools of the fronted MCP server (from the worker's tools/list) for the bridge agent. */
  frontedTools: string[];
  onStep?: (message: string) => void;
}): Promise<DemoResult> {
  const step = options.onStep ?? (() => undefined);
  const publicClient = createPublicClient({ transport: http(options.rpcUrl) }) as PublicClient;
  const wallet = (account: PrivateKeyAccount) => createWalletClient({ account, transport: http(options.rpcUrl) });
  const send = async (account: PrivateKeyAccount, request: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint }) => {
    const hash = await wallet(account).writeContract({ ...request, account, chain: null } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${request.functionName} reverted`);
    return receipt;
  };
  const [deployer, provider, client] = [privateKeyToAccount(DEV_KEYS[0]!), privateKeyToAccount(DEV_KEYS[1]!), privateKeyToAccount(DEV_KEYS[2]!)];

  const mcp = new Client({ name: "agentry-demo-seed", version: "0.1.0" });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(options.worker.url)));
  const tools = new Map(((await mcp.listTools()).tools as Tool[]).map((t) => [t.name, t]));

  step("validating the worker (account #0 is the registry owner and approves itself as validator)");
  const registered = await publicClient.readContract({ address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "getWorker", args: [options.worker.address] });
  await send(deployer, { address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "setValidator", args: [deployer.address, true] });
  await send(deployer, { address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "validateWorker", args: [options.worker.address, registered.measurement, registered.expiresAt] });

  const agents: DemoResult["agents"] = [];
  for (const spec of demoAgents(options.frontedTools)) {
    const file: RegistrationFile = {
      type: REGISTRATION_TYPE,
      name: spec.name,
      description: spec.description,
      services: [{ name: "MCP", endpoint: options.worker.url, version: "2025-11-25" }],
      supportedTrust: ["tee-attestation", "reputation"],
      agentry: {
        tools: spec.tools.map((name) => {
          const tool = tools.get(name);
          if (!tool) throw new Error(`the worker does not serve the demo tool "${name}"`);
          return { name, description: tool.description, inputSchema: tool.inputSchema, price: spec.priceWei.toString(), tags: spec.tags };
        }),
      },
    };
    const cid = await options.store.put(new TextEncoder().encode(JSON.stringify(file, null, 2)));
    const uri = ipfsUri(cid);
    const id = await publicClient.readContract({ address: local.AgentRegistry.address, abi: agentRegistryAbi, functionName: "nextAgentId" });
    step(`agent ${id} "${spec.name}": ${spec.tools.length} tools, ${uri}`);
    await send(provider, { address: local.AgentRegistry.address, abi: agentRegistryAbi, functionName: "register", args: [uri] });
    await send(provider, { address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "setPrice", args: [id, zeroAddress, spec.priceWei] });
    await send(provider, { address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "setWorkerApproval", args: [id, options.worker.address, true] });
    await send(provider, { address: local.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "setMeasurementPinned", args: [id, registered.measurement, true] });
    agents.push({ id: id.toString(), name: spec.name, uri });
  }

  step("opening a demo agreement (account #2) with a session key, and making three paid calls");
  const first = demoAgents(options.frontedTools)[0]!;
  const agentId = BigInt(agents[0]!.id);
  const sessionKeyPrivate: Hex = generatePrivateKey();
  const sessionKey = privateKeyToAccount(sessionKeyPrivate);
  const sessionKeyFile = path.join(options.stateDir, "demo-session-key");
  await writeFile(sessionKeyFile, `${sessionKeyPrivate}\n`, { mode: 0o600 });
  const maxCalls = 50;
  const agreementId = await publicClient.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "nextAgreementId" });
  const expiresAt = (await publicClient.getBlock()).timestamp + 7n * 86_400n;
  await send(client, {
    address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "open",
    args: [agentId, zeroAddress, BigInt(maxCalls) * first.priceWei, maxCalls, expiresAt, sessionKey.address], value: BigInt(maxCalls) * first.priceWei,
  });
  const calls: Array<[string, Record<string, unknown>]> = [
    ["json_query", { document: { agents: [{ name: "Data Wrangler", tools: 4 }, { name: "Text Lab", tools: 3 }] }, path: "$.agents[*].name" }],
    ["csv_to_json", { csv: "city,population\nLisbon,545923\nPorto,231800" }],
    ["markdown_table", { rows: [{ agent: "Data Wrangler", price: "0.0001 ETH" }, { agent: "Text Lab", price: "0.00005 ETH" }] }],
  ];
  const ref = { chainId: 31337, escrow: local.AgreementEscrow.address };
  for (const [index, [tool, args]] of calls.entries()) {
    const n = BigInt(index + 1);
    const voucher = await signVoucher(sessionKey, ref, { agreementId, calls: n, amount: n * first.priceWei, requestHash: requestHash({ agentId, toolName: tool, arguments: args }) });
    const result = await mcp.callTool({ name: tool, arguments: args, _meta: { [VOUCHER_META_KEY]: encodeVoucher(voucher) } });
    if (result.isError) throw new Error(`demo call ${tool} failed: ${JSON.stringify(result.content)}`);
  }
  await mcp.close();
  const result: DemoResult = {
    agents,
    worker: options.worker.address,
    agreement: { id: agreementId.toString(), agentId: agentId.toString(), client: client.address, sessionKeyFile, calls: calls.length },
  };
  await writeFile(path.join(options.stateDir, "demo.json"), JSON.stringify(result, null, 2) + "\n");
  return result;
}

