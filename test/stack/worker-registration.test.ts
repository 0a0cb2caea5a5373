/**
 * Registering a worker through the real stack: `agentry-worker register` and `serve --register true`
 * publish the evidence to the content store and register its CID in WorkerRegistry on a hardhat node.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import type { Address } from "viem";
import { cidFromUri, decodeEvidence, DEV_MEASUREMENT, TeeType, verifyAttestation, workerRegistryAbi } from "../../protocol/src/index.ts";
import { openContentStore } from "../../protocol/src/content/store.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import { workerBundle } from "../../scripts/lib/worker-bundle.ts";
import { DEV_KEYS, localContracts, startStack, startWorker, waitForLog, type Stack } from "../support/stack.ts";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The worker's command line as `npm run worker` runs it: the bundle. */
async function workerCli(args: string[]): Promise<CliResult> {
  const entry = await workerBundle();
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("worker registration on the real stack", { timeout: 300_000 }, () => {
  let stack: Stack;
  let dir: string;
  let operatorKeyFile: string;
  const operator = privateKeyToAccount(DEV_KEYS[4]!);

  before(async () => {
    stack = await startStack();
    dir = await mkdtemp(path.join(tmpdir(), "agentry-registration-"));
    operatorKeyFile = path.join(dir, "operator-key");
    await writeFile(operatorKeyFile, `${DEV_KEYS[4]}\n`, { mode: 0o600 });
  });
  after(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const getWorker = (worker: Address) =>
    stack.publicClient.readContract({ address: localContracts.WorkerRegistry.address, abi: workerRegistryAbi, functionName: "getWorker", args: [worker] });

  it("`register` stores the evidence by CID, registers it on-chain, and is idempotent", async () => {
    const common = ["--rpc-url", stack.chain.url, "--data-dir", path.join(dir, "worker"), "--content-dir", path.join(dir, "ipfs"), "--operator-key-file", operatorKeyFile];
    const first = await workerCli(["register", ...common, "--public-url", "https://worker.example/mcp"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /collecting DEV evidence[\s\S]*evidence stored as ipfs:\/\/bafkrei[\s\S]*pending[\s\S]*confirmed in block/);
    const outcome = JSON.parse(first.stdout) as { action: string; worker: Address; evidenceURI: string };
    assert.equal(outcome.action, "registered");

    const onChain = await getWorker(outcome.worker);
    assert.equal(onChain.operator, operator.address);
    assert.equal(onChain.teeType, TeeType.DEV);
    assert.equal(onChain.measurement, DEV_MEASUREMENT);
    assert.equal(onChain.endpoint, "https://worker.example/mcp");
    assert.equal(onChain.evidenceURI, outcome.evidenceURI);

    // Anyone holding the CID gets evidence that verifies for the registered key.
    const store = await openContentStore(path.join(dir, "ipfs"));
    const bytes = await store.get(cidFromUri(onChain.evidenceURI)!);
    await store.close();
    assert.ok(bytes, "the evidence is in the content store under the on-chain CID");
    const verified = await verifyAttestation(decodeEvidence(bytes), { workerKey: outcome.worker, now: new Date() });
    assert.equal(verified.boundKey, outcome.worker);
    assert.equal(verified.attested, false);

    const again = await workerCli(["register", ...common, "--public-url", "https://worker.example/mcp"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { action: string }).action, "unchanged");
  });

  it("refuses to register without an operator key, or with a malformed one, saying what to set", async () => {
    const base = ["register", "--rpc-url", stack.chain.url, "--data-dir", path.join(dir, "w2"), "--content-dir", path.join(dir, "ipfs")];
    const missing = await workerCli(base);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--operator-key-file/);
    const badFile = path.join(dir, "bad-key");
    await writeFile(badFile, "not a key but a secret-looking string\n");
    const bad = await workerCli([...base, "--operator-key-file", badFile]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /does not hold a 32-byte hex private key/);
    assert.doesNotMatch(bad.stderr, /secret-looking/, "the key file's content is never echoed");
  });

  it("`serve --register true` registers its own endpoint at startup and reports DEV in /healthz", async () => {
    const worker = await startWorker(stack, {
      args: ["--register", "true", "--operator-key-file", operatorKeyFile, "--content-dir", path.join(dir, "ipfs")],
    });
    try {
      await waitForLog(worker.logs, /"msg":"worker registered".*"action":"registered"/);
      const onChain = await getWorker(worker.address);
      assert.equal(onChain.endpoint, worker.url);
      assert.equal(onChain.operator, operator.address);
      const health = (await (await fetch(`${worker.baseUrl}/healthz`)).json()) as { tee: string; attested: boolean };
      assert.deepEqual([health.tee, health.attested], ["DEV", false]);
    } finally {
      await worker.stop();
    }
  });
});
