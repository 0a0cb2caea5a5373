/**
 * A provider's agent of one test, served by workers of its own, so a test may kill them or watch
 * their redemptions without touching the demo agents the other tests use. Set up as a provider
 * would: the registration file uploaded through the dApp (POST /api/ipfs, into the content store
 * the subgraph reads), the agent registered and priced in ETH by a fresh provider account, each
 * worker started, registered (DEV evidence), validated by the registry owner, approved by the agent
 * and its measurement pinned.
 */
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { REGISTRATION_TYPE, type RegistrationFile } from "@agentry/protocol";
import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { startDemoWorker } from "../../../scripts/lib/demo.ts";
import { connectChain, createPricedAgent, makeEligible, mcpClient, type WorkerProcess } from "../../../scripts/lib/local-stack.ts";
import { LOCAL_STATE_DIR } from "../../../scripts/lib/paths.ts";
import { setBalance } from "./fixtures.ts";

/** Redeem every served call within half a second, so a test sees its calls paid on-chain. */
const REDEEM_AT_ONCE = ["--redeem-threshold", "1", "--redeem-interval-ms", "500"];

const uploadedSchema = z.object({ uri: z.string().startsWith("ipfs://") });
const toolsSchema = z.object({ tools: z.array(z.object({ name: z.string(), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()) })) });

export interface ServingAgent {
  agentId: bigint;
  name: string;
  price: bigint;
  workers: WorkerProcess[];
  /** Stops the workers still running and removes their state. */
  stop(): Promise<void>;
}

export async function startServingAgent(options: {
  rpcUrl: string;
  webUrl: string;
  name: string;
  /** Tool names as the workers list them. */
  tools: string[];
  workerCount: number;
  price?: bigint;
}): Promise<ServingAgent> {
  const chain = connectChain(options.rpcUrl);
  const price = options.price ?? parseEther("0.0001");
  const stateDir = await mkdtemp(path.join(LOCAL_STATE_DIR, "e2e-agent-"));
  const workers: WorkerProcess[] = [];
  const stop = async () => {
    for (const worker of workers) await worker.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    // One after another: every worker registers from the same operator account.
    for (let i = 0; i < options.workerCount; i++) {
      workers.push(await startDemoWorker(chain, { stateDir, name: `worker-${i}`, args: REDEEM_AT_ONCE }));
    }
    const provider = privateKeyToAccount(generatePrivateKey());
    await setBalance(chain.publicClient, provider.address, parseEther("10"));

    const mcp = await mcpClient(workers[0]!.url);
    const listed = toolsSchema.parse(await mcp.listTools()).tools;
    await mcp.close();
    const file: RegistrationFile = {
      type: REGISTRATION_TYPE,
      name: options.name,
      description: `${options.name}: a test agent with workers of its own.`,
      services: [{ name: "MCP", endpoint: workers[0]!.url, version: "2025-11-25" }],
      supportedTrust: ["tee-attestation", "reputation"],
      agentry: {
        tools: options.tools.map((name) => {
          const tool = listed.find((t) => t.name === name);
          if (!tool) throw new Error(`the worker does not serve the tool "${name}"`);
          return { name, description: tool.description, inputSchema: tool.inputSchema, price: price.toString(), tags: ["test"] };
        }),
      },
    };
    const response = await fetch(new URL("/api/ipfs", options.webUrl), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(file) });
    if (response.status !== 201) throw new Error(`uploading the registration file answered HTTP ${response.status}: ${await response.text()}`);
    const { uri } = uploadedSchema.parse(await response.json());

    const agentId = await createPricedAgent(chain, provider, price, uri);
    for (const worker of workers) await makeEligible(chain, agentId, provider, worker.address);
    return { agentId, name: options.name, price, workers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
