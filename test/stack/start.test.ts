/**
 * `npm start` against the real stack: a `hardhat node` process, an Ignition deployment, the
 * generated protocol record. Also the deploy script's errors when there is no chain.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createPublicClient, hashTypedData, http, keccak256, toHex, type Address } from "viem";
import { deployments, agreementEscrowAbi, agentRegistryAbi } from "../../protocol/src/deployments.ts";
import { escrowDomain, invocationTypes } from "../../protocol/src/eip712.ts";
import { existsSync, readFileSync } from "node:fs";
import { freePort } from "../../scripts/lib/chain.ts";
import { VECTORS_FILE, type VectorFile } from "../protocol/vectors.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import { RUNNING_STACK_FILE, runningStack } from "../../scripts/lib/running-stack.ts";

const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");

function spawnScript(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  // Its own process group, so a failed test can stop everything the script started (killGroup).
  return spawn(tsx, [script, ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, CI: "true", ...env },
  }) as ChildProcessWithoutNullStreams;
}

/** Resolves with everything printed once `marker` appears; rejects if the process exits first. */
function waitForOutput(child: ChildProcessWithoutNullStreams, marker: string, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${marker}":\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!out.includes(marker)) reject(new Error(`exited with ${code} before "${marker}":\n${out}`));
    });
  });
}

function killGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Runs a script to its end: exit code and everything it printed. */
async function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawnScript(script, args, env);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return { code: await exitCode(child), stdout, stderr };
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("npm start", () => {
  it("starts the chain, contracts, subgraph runner, worker, demo and dApp, prints the URLs, stops everything on Ctrl-C", async () => {
    const child = spawnScript("scripts/start.ts");
    try {
      const output = await waitForOutput(child, "Press Ctrl-C to stop.", 600_000);
      const url = /Chain\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      assert.ok(url, `no chain URL in:\n${output}`);

      const client = createPublicClient({ transport: http(url) });
      assert.equal(await client.getChainId(), 31337);
      const local = deployments[31337].contracts;
      for (const [name, c] of Object.entries(local)) {
        assert.match(output, new RegExp(`${name}\\s+${c.address}`), `${name} address not printed`);
        const code = await client.getCode({ address: c.address as Address });
        assert.ok(code && code.length > 2, `${name} has no code at ${c.address}`);
      }
      // The deployed contracts are the ones the record names, and the demo is seeded on them.
      assert.equal(
        await client.readContract({ address: local.AgentRegistry.address, abi: agentRegistryAbi, functionName: "nextAgentId" }),
        5n,
        "four demo agents",
      );
      const demoAgreement = await client.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [1n] });
      assert.equal(demoAgreement.agentId, 1n);
      // The dApp serves the agents the subgraph indexed (server-rendered from the subgraph).
      const dapp = /dApp\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      assert.ok(dapp, "dApp URL printed");
      const subgraph = /Subgraph\s+(http:\/\/\S+)/.exec(output)?.[1];
      assert.ok(subgraph, "subgraph URL printed");
      const deadline = Date.now() + 30_000;
      let explore = "";
      while (Date.now() < deadline && !explore.includes("Everything Bridge")) {
        explore = await (await fetch(dapp)).text();
        await new Promise((r) => setTimeout(r, 500));
      }
      for (const name of ["Data Wrangler", "Text Lab", "Units &amp; Time", "Everything Bridge"]) assert.ok(explore.includes(name), `Explore lists ${name}`);
      // Paid calls of the demo went through the worker fronting an existing MCP server.
      const worker = /Worker\s+(http:\/\/\S+)\/mcp/.exec(output)?.[1];
      const health = (await (await fetch(`${worker}/healthz`)).json()) as { status: string; tee: string };
      assert.deepEqual([health.status, health.tee], ["ok", "DEV"]);
      // Shared vector: the protocol's EIP-712 definition and the deployed escrow agree on a voucher digest.
      const message = { agreementId: 7n, calls: 3n, amount: 3_000n, requestHash: keccak256(toHex("request")) };
      const onChain = await client.readContract({
        address: local.AgreementEscrow.address,
        abi: agreementEscrowAbi,
        functionName: "hashInvocation",
        args: [message.agreementId, message.calls, message.amount, message.requestHash],
      });
      const offChain = hashTypedData({
        domain: escrowDomain(31337, local.AgreementEscrow.address),
        types: invocationTypes,
        primaryType: "Invocation",
        message,
      });
      assert.equal(onChain, offChain);
      // The committed shared vectors were computed for this very deployment address.
      const vectors = JSON.parse(readFileSync(VECTORS_FILE, "utf8")) as VectorFile;
      assert.equal(vectors.escrow, local.AgreementEscrow.address);
      for (const v of vectors.vouchers) {
        const digest = await client.readContract({
          address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "hashInvocation",
          args: [7n, BigInt(v.calls), BigInt(v.amount), vectors.request.requestHash],
        });
        assert.equal(digest, v.digest);
      }
      for (const r of vectors.receipts) {
        const digest = await client.readContract({
          address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "hashReceipt",
          args: [7n, BigInt(r.calls), vectors.request.requestHash, r.resultHash, vectors.worker, BigInt(r.timestamp)],
        });
        assert.equal(digest, r.digest);
      }
      assert.equal(
        await client.readContract({
          address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "hashRequest",
          args: [BigInt(vectors.request.agentId), vectors.request.toolName, keccak256(toHex(vectors.request.canonicalArguments))],
        }),
        vectors.request.requestHash,
      );

      // The paid call it suggests works as printed, with no flag or variable naming the stack:
      // `npm run agentry` finds the running one (and resyncs past the demo's three calls).
      const { pid: _pid, keyFile: _keyFile, ...recorded } = runningStack() ?? { pid: 0, keyFile: "" };
      assert.deepEqual(recorded, { rpcUrl: url, brokerUrl: dapp, subgraphUrl: subgraph });
      const suggested = /pay for a call:\s+npm run agentry -- (.+)$/m.exec(output)?.[1];
      assert.ok(suggested, "a paid call is suggested");
      const argv = suggested.match(/'[^']*'|\S+/g)!.map((word) => word.replace(/^'(.*)'$/, "$1"));
      const noStackSettings = { AGENTRY_RPC_URL: "", AGENTRY_BROKER_URL: "", AGENTRY_SUBGRAPH_URL: "", AGENTRY_STATE_DIR: "" };
      const cli = await runScript("scripts/agentry.ts", [...argv, "--json"], noStackSettings);
      assert.equal(cli.code, 0, cli.stderr);
      const paid = JSON.parse(cli.stdout) as { agreementId: string; calls: string; receipt: { worker: string }; result: { content: Array<{ text: string }> } };
      assert.deepEqual([paid.agreementId, paid.calls], ["1", "4"]);
      assert.equal(paid.receipt.worker.toLowerCase(), /Worker\s+\S+\s+\((0x[0-9a-f]{40})\)/.exec(output)?.[1]);
      assert.equal((JSON.parse(paid.result.content[0]!.text) as { count: number }).count, 3);
      // So does opening another agreement: the wallet defaults to the demo's client, account #2.
      const suggestedOpen = /open another:\s+npm run agentry -- (\S+(?: \S+)*?)\s{2,}/.exec(output)?.[1];
      assert.ok(suggestedOpen, "opening an agreement is suggested");
      const opener = await runScript("scripts/agentry.ts", [...suggestedOpen.split(" "), "--json"], { ...noStackSettings, AGENTRY_KEY_FILE: "" });
      assert.equal(opener.code, 0, opener.stderr);
      const opened = JSON.parse(opener.stdout) as { agreementId: string };
      const onChainOpened = await client.readContract({ address: local.AgreementEscrow.address, abi: agreementEscrowAbi, functionName: "getAgreement", args: [BigInt(opened.agreementId)] });
      assert.deepEqual([onChainOpened.agentId, onChainOpened.client], [2n, demoAgreement.client]);

      child.kill("SIGINT");
      assert.equal(await exitCode(child), 0);
      await assert.rejects(createPublicClient({ transport: http(url, { retryCount: 0 }) }).getChainId());
      assert.equal(existsSync(RUNNING_STACK_FILE), false, "the record of the running stack is removed on stop");
    } finally {
      if (child.exitCode === null) killGroup(child);
    }
  });

  it("fails with a clear message when the requested port is taken", async () => {
    // Occupy a port with a server we own, then ask npm start for it.
    const { createServer } = await import("node:net");
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const run = await runScript("scripts/start.ts", [], { AGENTRY_CHAIN_PORT: String(port) });
      assert.equal(run.code, 1);
      assert.match(run.stdout + run.stderr, /did not start/);
    } finally {
      server.close();
    }
  });
});

describe("npm run deploy", () => {
  it("says what to do when no chain answers", async () => {
    const port = await freePort();
    const run = await runScript("scripts/deploy.ts", ["--network", "localhost"], { AGENTRY_RPC_URL: `http://127.0.0.1:${port}` });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No chain answers at http:\/\/127\.0\.0\.1:\d+\. Start one with `npm start`/);
  });

  it("rejects an unknown network and lists the known ones", async () => {
    const run = await runScript("scripts/deploy.ts", ["--network", "mainnett"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Unknown network "mainnett"\. Use one of: localhost, sepolia, baseSepolia/);
  });
});
