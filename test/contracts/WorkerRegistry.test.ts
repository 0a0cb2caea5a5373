/**
 * WorkerRegistry: registration with the worker key's EIP-712 consent, attestation updates,
 * validators, agent approvals and pins, and the isEligible filter.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { getAddress, keccak256, toHex, zeroAddress, zeroHash, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { deployAgentry, deployAgentryWithoutDevWorkers, networkHelpers, registerAgent, viem } from "../support/fixture.ts";
import { TeeType, workerRegistrationTypes, workerRegistryDomain } from "../../protocol/src/eip712.ts";

const DAY = 86_400n;
const MEASUREMENT = keccak256(toHex("mrenclave-v1"));
const MEASUREMENT_2 = keccak256(toHex("mrenclave-v2"));
const EVIDENCE = "ipfs://bafkreiepjypcrifzjfdjkkmu7wtednbsw6bj7uqvi5j72jhp6tf2bzgy4y";
const ENDPOINT = "https://worker.example/mcp";

async function base() {
  const a = await deployAgentry();
  const agentId = await registerAgent(a);
  const [operator, operator2] = a.others;
  if (!operator || !operator2) throw new Error("need more accounts");
  return { ...a, agentId, operator, operator2 };
}

/** A deployment that refuses DEV workers (named so loadFixture caches it). */
async function noDevDeployment() {
  const a = await deployAgentryWithoutDevWorkers();
  const [operator] = a.others;
  if (!operator) throw new Error("need more accounts");
  return { ...a, operator };
}

type F = Awaited<ReturnType<typeof base>>;
type Wallet = F["client"];
type Reg = {
  worker: Address;
  teeType: number;
  measurement: Hex;
  evidenceURI: string;
  endpoint: string;
  expiresAt: bigint;
};

async function now(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

/** The worker key's consent to `reg` being registered by `operator`. */
async function consent(
  f: { chainId: number; workerRegistry: { address: Address } },
  key: PrivateKeyAccount,
  operator: Address,
  reg: Reg,
  registry: Address = f.workerRegistry.address,
  chainId: number = f.chainId,
): Promise<Hex> {
  return key.signTypedData({
    domain: workerRegistryDomain(chainId, registry),
    types: workerRegistrationTypes,
    primaryType: "WorkerRegistration",
    message: { ...reg, operator },
  });
}

async function defaultReg(key: PrivateKeyAccount, over: Partial<Reg> = {}): Promise<Reg> {
  return {
    worker: key.address,
    teeType: TeeType.SGX,
    measurement: MEASUREMENT,
    evidenceURI: EVIDENCE,
    endpoint: ENDPOINT,
    expiresAt: (await now()) + 30n * DAY,
    ...over,
  };
}

function args(reg: Reg, signature: Hex) {
  return [reg.worker, reg.teeType, reg.measurement, reg.evidenceURI, reg.endpoint, reg.expiresAt, signature] as const;
}

async function register(f: F, over: Partial<Reg> = {}, operator: Wallet = f.operator) {
  const key = privateKeyToAccount(generatePrivateKey());
  const reg = await defaultReg(key, over);
  const signature = await consent(f, key, operator.account.address, reg);
  await f.workerRegistry.write.registerWorker(args(reg, signature), { account: operator.account });
  return { key, reg, worker: key.address };
}

/** A validated, approved, pinned worker: eligible for the agent. */
async function eligible() {
  const f = await base();
  const { key, reg, worker } = await register(f);
  await f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: f.deployer.account });
  const validationExpiry = reg.expiresAt - DAY;
  await f.workerRegistry.write.validateWorker([worker, MEASUREMENT, validationExpiry], { account: f.validator.account });
  await f.workerRegistry.write.setWorkerApproval([f.agentId, worker, true], { account: f.provider.account });
  await f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT, true], { account: f.provider.account });
  return { ...f, key, reg, worker, validationExpiry };
}

describe("WorkerRegistry", () => {
  describe("registerWorker", () => {
    it("registers with the worker key's consent; the caller becomes operator", async () => {
      const f = await networkHelpers.loadFixture(base);
      const key = privateKeyToAccount(generatePrivateKey());
      const reg = await defaultReg(key, { teeType: TeeType.TDX });
      const sig = await consent(f, key, f.operator.account.address, reg);
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.registerWorker(args(reg, sig), { account: f.operator.account }),
        f.workerRegistry,
        "WorkerRegistered",
        [key.address, f.operator.account.address, TeeType.TDX, MEASUREMENT, EVIDENCE, ENDPOINT, reg.expiresAt],
      );
      assert.deepEqual(await f.workerRegistry.read.getWorker([key.address]), {
        operator: getAddress(f.operator.account.address),
        teeType: TeeType.TDX,
        expiresAt: reg.expiresAt,
        retired: false,
        measurement: MEASUREMENT,
        evidenceURI: EVIDENCE,
        endpoint: ENDPOINT,
      });
      assert.equal((await f.workerRegistry.read.getValidation([key.address])).validator, zeroAddress);
      assert.equal(await f.workerRegistry.read.allowDevWorkers(), true);
      assert.equal(getAddress(await f.workerRegistry.read.agentRegistry()), getAddress(f.agentRegistry.address));
      assert.equal(await f.workerRegistry.read.MAX_URI_LENGTH(), 512n);
    });

    it("accepts every TEE type, DEV included, where DEV workers are allowed", async () => {
      const f = await networkHelpers.loadFixture(base);
      for (const teeType of [TeeType.DEV, TeeType.SGX, TeeType.TDX, TeeType.NITRO]) {
        const { worker } = await register(f, { teeType });
        assert.equal((await f.workerRegistry.read.getWorker([worker])).teeType, teeType);
      }
    });

    it("refuses DEV workers where the deployment disallows them, accepts attested ones", async () => {
      const f = await networkHelpers.loadFixture(noDevDeployment);
      assert.equal(await f.workerRegistry.read.allowDevWorkers(), false);
      const key = privateKeyToAccount(generatePrivateKey());
      const reg = await defaultReg(key, { teeType: TeeType.DEV });
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.registerWorker(args(reg, await consent(f, key, f.operator.account.address, reg)), { account: f.operator.account }),
        f.workerRegistry,
        "DevWorkersNotAllowed",
      );
      const nitro = { ...reg, teeType: TeeType.NITRO };
      await f.workerRegistry.write.registerWorker(args(nitro, await consent(f, key, f.operator.account.address, nitro)), { account: f.operator.account });
      assert.equal((await f.workerRegistry.read.getWorker([key.address])).teeType, TeeType.NITRO);
    });

    it("refuses the zero key (InvalidWorkerKey)", async () => {
      const f = await networkHelpers.loadFixture(base);
      const key = privateKeyToAccount(generatePrivateKey());
      const reg = await defaultReg(key, { worker: zeroAddress });
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.registerWorker(args(reg, await consent(f, key, f.operator.account.address, reg)), { account: f.operator.account }),
        f.workerRegistry,
        "InvalidWorkerKey",
      );
    });

    it("refuses a key already registered, by anyone (WorkerAlreadyRegistered)", async () => {
      const f = await networkHelpers.loadFixture(base);
      const { key, reg } = await register(f);
      for (const op of [f.operator, f.operator2]) {
        const again = { ...reg, endpoint: "https://other.example/mcp" };
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.workerRegistry.write.registerWorker(args(again, await consent(f, key, op.account.address, again)), { account: op.account }),
          f.workerRegistry,
          "WorkerAlreadyRegistered",
          [key.address],
        );
      }
      assert.equal((await f.workerRegistry.read.getWorker([key.address])).endpoint, ENDPOINT);
    });

    it("refuses an empty measurement and an expiry now or in the past", async () => {
      const f = await networkHelpers.loadFixture(base);
      const key = privateKeyToAccount(generatePrivateKey());
      const empty = await defaultReg(key, { measurement: zeroHash });
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.registerWorker(args(empty, await consent(f, key, f.operator.account.address, empty)), { account: f.operator.account }),
        f.workerRegistry,
        "EmptyMeasurement",
      );
      const t = (await now()) + 50n;
      for (const expiresAt of [t, t - 10n, 0n]) {
        const reg = await defaultReg(key, { expiresAt });
        const sig = await consent(f, key, f.operator.account.address, reg);
        await networkHelpers.time.setNextBlockTimestamp(t);
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.workerRegistry.write.registerWorker(args(reg, sig), { account: f.operator.account }),
          f.workerRegistry,
          "InvalidExpiry",
          [expiresAt],
        );
      }
      const ok = await defaultReg(key, { expiresAt: t + 1n });
      const sig = await consent(f, key, f.operator.account.address, ok);
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.workerRegistry.write.registerWorker(args(ok, sig), { account: f.operator.account });
      assert.equal((await f.workerRegistry.read.getWorker([key.address])).expiresAt, t + 1n);
    });

    for (const field of ["evidenceURI", "endpoint"] as const) {
      it(`refuses an empty or over-long ${field} (InvalidURI), accepts exactly 512 bytes`, async () => {
        const f = await networkHelpers.loadFixture(base);
        const key = privateKeyToAccount(generatePrivateKey());
        for (const value of ["", "x".repeat(513), "é".repeat(257)]) {
          const reg = await defaultReg(key, { [field]: value });
          const length = BigInt(new TextEncoder().encode(value).length);
          await viem.assertions.revertWithCustomErrorWithArgs(
            f.workerRegistry.write.registerWorker(args(reg, await consent(f, key, f.operator.account.address, reg)), { account: f.operator.account }),
            f.workerRegistry,
            "InvalidURI",
            [field, length, 512n],
          );
        }
        const max = await defaultReg(key, { [field]: "y".repeat(512) });
        await f.workerRegistry.write.registerWorker(args(max, await consent(f, key, f.operator.account.address, max)), { account: f.operator.account });
        assert.equal((await f.workerRegistry.read.getWorker([key.address]))[field], "y".repeat(512));
      });
    }

    it("refuses a signature by another key, for other fields, another operator, registry or chain", async () => {
      const f = await networkHelpers.loadFixture(base);
      const key = privateKeyToAccount(generatePrivateKey());
      const intruder = privateKeyToAccount(generatePrivateKey());
      const reg = await defaultReg(key);
      const op = f.operator.account.address;
      const bad: Array<[string, Hex]> = [
        ["another key", await consent(f, intruder, op, reg)],
        ["another teeType", await consent(f, key, op, { ...reg, teeType: TeeType.NITRO })],
        ["another measurement", await consent(f, key, op, { ...reg, measurement: MEASUREMENT_2 })],
        ["another evidenceURI", await consent(f, key, op, { ...reg, evidenceURI: "ipfs://other" })],
        ["another endpoint", await consent(f, key, op, { ...reg, endpoint: "https://evil.example/mcp" })],
        ["another expiry", await consent(f, key, op, { ...reg, expiresAt: reg.expiresAt + 1n })],
        ["another operator", await consent(f, key, f.operator2.account.address, reg)],
        ["another registry", await consent(f, key, op, reg, f.escrow.address)],
        ["another chain", await consent(f, key, op, reg, f.workerRegistry.address, f.chainId + 1)],
        ["empty", "0x"],
        ["garbage", `0x${"11".repeat(65)}`],
      ];
      for (const [label, sig] of bad) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.workerRegistry.write.registerWorker(args(reg, sig), { account: f.operator.account }),
          f.workerRegistry,
          "InvalidWorkerSignature",
          [key.address],
        ).catch((e: unknown) => {
          throw new Error(`${label}: ${String(e)}`);
        });
      }
      // the operator's consent cannot be used by someone else
      const good = await consent(f, key, op, reg);
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.registerWorker(args(reg, good), { account: f.operator2.account }),
        f.workerRegistry,
        "InvalidWorkerSignature",
      );
      await f.workerRegistry.write.registerWorker(args(reg, good), { account: f.operator.account });
      assert.equal((await f.workerRegistry.read.getWorker([key.address])).operator, getAddress(op));
    });
  });

  describe("operator actions", () => {
    it("updateAttestation replaces the evidence, clears the validation and emits", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      const newExpiry = (await now()) + 60n * DAY;
      const hash = await f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://new", newExpiry], { account: f.operator.account });
      await viem.assertions.emitWithArgs(hash, f.workerRegistry, "ValidationRevoked", [f.worker, f.operator.account.address]);
      await viem.assertions.emitWithArgs(hash, f.workerRegistry, "WorkerAttestationUpdated", [f.worker, MEASUREMENT_2, "ipfs://new", newExpiry]);
      const w = await f.workerRegistry.read.getWorker([f.worker]);
      assert.equal(w.measurement, MEASUREMENT_2);
      assert.equal(w.evidenceURI, "ipfs://new");
      assert.equal(w.expiresAt, newExpiry);
      assert.deepEqual(await f.workerRegistry.read.getValidation([f.worker]), { validator: zeroAddress, expiresAt: 0n, measurement: zeroHash });
      // a second update with nothing to clear emits only WorkerAttestationUpdated
      const hash2 = await f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://newer", newExpiry], { account: f.operator.account });
      const receipt = await (await viem.getPublicClient()).getTransactionReceipt({ hash: hash2 });
      assert.equal(receipt.logs.length, 1);
      await viem.assertions.emit(hash2, f.workerRegistry, "WorkerAttestationUpdated");
    });

    it("updateAttestation checks its inputs and its caller", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      const exp = (await now()) + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://x", exp], { account: f.operator2.account }),
        f.workerRegistry,
        "NotWorkerOperator",
        [f.worker, getAddress(f.operator2.account.address)],
      );
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://x", exp], { account: f.provider.account }),
        f.workerRegistry,
        "NotWorkerOperator",
      );
      const unknown = privateKeyToAccount(generatePrivateKey()).address;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.updateAttestation([unknown, MEASUREMENT_2, "ipfs://x", exp], { account: f.operator.account }),
        f.workerRegistry,
        "UnknownWorker",
        [unknown],
      );
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.updateAttestation([f.worker, zeroHash, "ipfs://x", exp], { account: f.operator.account }),
        f.workerRegistry,
        "EmptyMeasurement",
      );
      const past = (await now()) - 1n;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://x", past], { account: f.operator.account }),
        f.workerRegistry,
        "InvalidExpiry",
        [past],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "", exp], { account: f.operator.account }),
        f.workerRegistry,
        "InvalidURI",
        ["evidenceURI", 0n, 512n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "z".repeat(513), exp], { account: f.operator.account }),
        f.workerRegistry,
        "InvalidURI",
        ["evidenceURI", 513n, 512n],
      );
      // nothing changed
      assert.equal((await f.workerRegistry.read.getWorker([f.worker])).measurement, MEASUREMENT);
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
    });

    it("setWorkerEndpoint moves the endpoint; operator only; URI rules", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.setWorkerEndpoint([f.worker, "https://new.example/mcp"], { account: f.operator.account }),
        f.workerRegistry,
        "WorkerEndpointUpdated",
        [f.worker, "https://new.example/mcp"],
      );
      assert.equal((await f.workerRegistry.read.getWorker([f.worker])).endpoint, "https://new.example/mcp");
      // the endpoint is not attested: the validation stays
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setWorkerEndpoint([f.worker, "https://evil.example"], { account: f.stranger.account }),
        f.workerRegistry,
        "NotWorkerOperator",
        [f.worker, getAddress(f.stranger.account.address)],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setWorkerEndpoint([f.worker, ""], { account: f.operator.account }),
        f.workerRegistry,
        "InvalidURI",
        ["endpoint", 0n, 512n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setWorkerEndpoint([f.worker, "e".repeat(513)], { account: f.operator.account }),
        f.workerRegistry,
        "InvalidURI",
        ["endpoint", 513n, 512n],
      );
      const unknown = privateKeyToAccount(generatePrivateKey()).address;
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.setWorkerEndpoint([unknown, "https://x"], { account: f.operator.account }),
        f.workerRegistry,
        "UnknownWorker",
      );
    });

    it("retireWorker is final: no update, endpoint, retire, validation or re-registration afterwards", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.retireWorker([f.worker], { account: f.operator2.account }),
        f.workerRegistry,
        "NotWorkerOperator",
      );
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.retireWorker([f.worker], { account: f.operator.account }),
        f.workerRegistry,
        "WorkerRetired",
        [f.worker],
      );
      assert.equal((await f.workerRegistry.read.getWorker([f.worker])).retired, true);
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), false);
      const exp = (await now()) + DAY;
      const attempts = [
        () => f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://x", exp], { account: f.operator.account }),
        () => f.workerRegistry.write.setWorkerEndpoint([f.worker, "https://x"], { account: f.operator.account }),
        () => f.workerRegistry.write.retireWorker([f.worker], { account: f.operator.account }),
        () => f.workerRegistry.write.validateWorker([f.worker, MEASUREMENT, exp], { account: f.validator.account }),
      ];
      for (const attempt of attempts) {
        await viem.assertions.revertWithCustomErrorWithArgs(attempt(), f.workerRegistry, "WorkerIsRetired", [f.worker]);
      }
      const reg = { ...f.reg, expiresAt: exp };
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.registerWorker(args(reg, await consent(f, f.key, f.operator.account.address, reg)), { account: f.operator.account }),
        f.workerRegistry,
        "WorkerAlreadyRegistered",
      );
    });
  });

  describe("validators", () => {
    it("setValidator is owner only and emits", async () => {
      const f = await networkHelpers.loadFixture(base);
      assert.equal(await f.workerRegistry.read.isValidator([f.validator.account.address]), false);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setValidator([f.stranger.account.address, true], { account: f.stranger.account }),
        f.workerRegistry,
        "OwnableUnauthorizedAccount",
        [getAddress(f.stranger.account.address)],
      );
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: f.deployer.account }),
        f.workerRegistry,
        "ValidatorSet",
        [f.validator.account.address, true],
      );
      assert.equal(await f.workerRegistry.read.isValidator([f.validator.account.address]), true);
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.setValidator([f.validator.account.address, false], { account: f.deployer.account }),
        f.workerRegistry,
        "ValidatorSet",
        [f.validator.account.address, false],
      );
      assert.equal(await f.workerRegistry.read.isValidator([f.validator.account.address]), false);
    });

    it("ownership moves in two steps (Ownable2Step)", async () => {
      const f = await networkHelpers.loadFixture(base);
      const next = f.operator2;
      assert.equal(await f.workerRegistry.read.owner(), getAddress(f.deployer.account.address));
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.transferOwnership([next.account.address], { account: f.stranger.account }),
        f.workerRegistry,
        "OwnableUnauthorizedAccount",
      );
      await f.workerRegistry.write.transferOwnership([next.account.address], { account: f.deployer.account });
      assert.equal(await f.workerRegistry.read.pendingOwner(), getAddress(next.account.address));
      // still the old owner until accepted
      assert.equal(await f.workerRegistry.read.owner(), getAddress(f.deployer.account.address));
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: next.account }),
        f.workerRegistry,
        "OwnableUnauthorizedAccount",
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.acceptOwnership({ account: f.stranger.account }),
        f.workerRegistry,
        "OwnableUnauthorizedAccount",
        [getAddress(f.stranger.account.address)],
      );
      await f.workerRegistry.write.acceptOwnership({ account: next.account });
      assert.equal(await f.workerRegistry.read.owner(), getAddress(next.account.address));
      await f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: next.account });
      assert.equal(await f.workerRegistry.read.isValidator([f.validator.account.address]), true);
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.setValidator([f.validator.account.address, false], { account: f.deployer.account }),
        f.workerRegistry,
        "OwnableUnauthorizedAccount",
      );
    });

    it("validateWorker records the validation; checks validator, worker, measurement and expiry", async () => {
      const f = await networkHelpers.loadFixture(base);
      const { worker, reg } = await register(f);
      const exp = reg.expiresAt - DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.validateWorker([worker, MEASUREMENT, exp], { account: f.validator.account }),
        f.workerRegistry,
        "NotValidator",
        [getAddress(f.validator.account.address)],
      );
      // even the owner must be a validator
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.validateWorker([worker, MEASUREMENT, exp], { account: f.deployer.account }),
        f.workerRegistry,
        "NotValidator",
      );
      await f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: f.deployer.account });
      const unknown = privateKeyToAccount(generatePrivateKey()).address;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.validateWorker([unknown, MEASUREMENT, exp], { account: f.validator.account }),
        f.workerRegistry,
        "UnknownWorker",
        [unknown],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.validateWorker([worker, MEASUREMENT_2, exp], { account: f.validator.account }),
        f.workerRegistry,
        "MeasurementMismatch",
        [MEASUREMENT, MEASUREMENT_2],
      );
      const t = (await now()) + 20n;
      for (const bad of [t, t - 5n, 0n]) {
        await networkHelpers.time.setNextBlockTimestamp(t);
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.workerRegistry.write.validateWorker([worker, MEASUREMENT, bad], { account: f.validator.account }),
          f.workerRegistry,
          "InvalidExpiry",
          [bad],
        );
      }
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.validateWorker([worker, MEASUREMENT, reg.expiresAt + 1n], { account: f.validator.account }),
        f.workerRegistry,
        "ValidationOutlivesEvidence",
        [reg.expiresAt + 1n, reg.expiresAt],
      );
      // exactly the evidence's expiry is fine
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.validateWorker([worker, MEASUREMENT, reg.expiresAt], { account: f.validator.account }),
        f.workerRegistry,
        "WorkerValidated",
        [worker, f.validator.account.address, MEASUREMENT, reg.expiresAt],
      );
      assert.deepEqual(await f.workerRegistry.read.getValidation([worker]), {
        validator: getAddress(f.validator.account.address),
        expiresAt: reg.expiresAt,
        measurement: MEASUREMENT,
      });
    });

    it("a worker whose evidence has expired cannot be validated", async () => {
      const f = await networkHelpers.loadFixture(base);
      const { worker, reg } = await register(f, { expiresAt: (await now()) + 100n });
      await f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: f.deployer.account });
      await networkHelpers.time.increaseTo(reg.expiresAt + 10n);
      const exp = reg.expiresAt + DAY;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.validateWorker([worker, MEASUREMENT, exp], { account: f.validator.account }),
        f.workerRegistry,
        "ValidationOutlivesEvidence",
        [exp, reg.expiresAt],
      );
    });

    it("revokeValidation: any validator or the owner; NotValidator; NotValidated", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      const otherValidator = f.operator2;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.revokeValidation([f.worker], { account: f.stranger.account }),
        f.workerRegistry,
        "NotValidator",
        [getAddress(f.stranger.account.address)],
      );
      // the worker's own operator cannot drop it either
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.revokeValidation([f.worker], { account: f.operator.account }),
        f.workerRegistry,
        "NotValidator",
      );
      await f.workerRegistry.write.setValidator([otherValidator.account.address, true], { account: f.deployer.account });
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.revokeValidation([f.worker], { account: otherValidator.account }),
        f.workerRegistry,
        "ValidationRevoked",
        [f.worker, otherValidator.account.address],
      );
      assert.equal((await f.workerRegistry.read.getValidation([f.worker])).validator, zeroAddress);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.revokeValidation([f.worker], { account: f.validator.account }),
        f.workerRegistry,
        "NotValidated",
        [f.worker],
      );
      // validate again, then the owner (not a validator) revokes
      await f.workerRegistry.write.validateWorker([f.worker, MEASUREMENT, f.validationExpiry], { account: f.validator.account });
      assert.equal(await f.workerRegistry.read.isValidator([f.deployer.account.address]), false);
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.revokeValidation([f.worker], { account: f.deployer.account }),
        f.workerRegistry,
        "ValidationRevoked",
        [f.worker, f.deployer.account.address],
      );
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), false);
    });
  });

  describe("agent choices", () => {
    it("setWorkerApproval: agent owner or operator only; unknown worker refused when approving", async () => {
      const f = await networkHelpers.loadFixture(base);
      const { worker } = await register(f);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setWorkerApproval([f.agentId, worker, true], { account: f.operator.account }),
        f.workerRegistry,
        "NotAgentOperator",
        [f.agentId, getAddress(f.operator.account.address)],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setWorkerApproval([99n, worker, true], { account: f.provider.account }),
        f.agentRegistry,
        "ERC721NonexistentToken",
        [99n],
      );
      const unknown = privateKeyToAccount(generatePrivateKey()).address;
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setWorkerApproval([f.agentId, unknown, true], { account: f.provider.account }),
        f.workerRegistry,
        "UnknownWorker",
        [unknown],
      );
      // disapproving an unknown worker is harmless and allowed
      await f.workerRegistry.write.setWorkerApproval([f.agentId, unknown, false], { account: f.provider.account });
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.setWorkerApproval([f.agentId, worker, true], { account: f.provider.account }),
        f.workerRegistry,
        "WorkerApprovalSet",
        [f.agentId, worker, true],
      );
      assert.equal(await f.workerRegistry.read.isWorkerApproved([f.agentId, worker]), true);
      // an agent operator (ERC-721 operator) may disapprove
      await f.agentRegistry.write.setApprovalForAll([f.operator2.account.address, true], { account: f.provider.account });
      await f.workerRegistry.write.setWorkerApproval([f.agentId, worker, false], { account: f.operator2.account });
      assert.equal(await f.workerRegistry.read.isWorkerApproved([f.agentId, worker]), false);
    });

    it("setMeasurementPinned: agent operator only, not the empty measurement", async () => {
      const f = await networkHelpers.loadFixture(base);
      await viem.assertions.revertWithCustomError(
        f.workerRegistry.write.setMeasurementPinned([f.agentId, zeroHash, true], { account: f.provider.account }),
        f.workerRegistry,
        "EmptyMeasurement",
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT, true], { account: f.stranger.account }),
        f.workerRegistry,
        "NotAgentOperator",
        [f.agentId, getAddress(f.stranger.account.address)],
      );
      await viem.assertions.emitWithArgs(
        f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT, true], { account: f.provider.account }),
        f.workerRegistry,
        "MeasurementPinSet",
        [f.agentId, MEASUREMENT, true],
      );
      assert.equal(await f.workerRegistry.read.isMeasurementPinned([f.agentId, MEASUREMENT]), true);
      assert.equal(await f.workerRegistry.read.isMeasurementPinned([f.agentId, MEASUREMENT_2]), false);
      await f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT, false], { account: f.provider.account });
      assert.equal(await f.workerRegistry.read.isMeasurementPinned([f.agentId, MEASUREMENT]), false);
    });
  });

  describe("isEligible", () => {
    it("is true when every condition holds, for that agent only", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
      const otherAgent = await registerAgent(f);
      assert.equal(await f.workerRegistry.read.isEligible([otherAgent, f.worker]), false);
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, privateKeyToAccount(generatePrivateKey()).address]), false);
    });

    const breakers: Array<[string, (f: Awaited<ReturnType<typeof eligible>>) => Promise<unknown>]> = [
      ["worker not approved", (f) => f.workerRegistry.write.setWorkerApproval([f.agentId, f.worker, false], { account: f.provider.account })],
      ["measurement not pinned", (f) => f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT, false], { account: f.provider.account })],
      ["not validated (revoked)", (f) => f.workerRegistry.write.revokeValidation([f.worker], { account: f.validator.account })],
      ["validation expired (evidence still valid)", (f) => networkHelpers.time.increaseTo(f.validationExpiry)],
      // the validation can never outlive the evidence, so both have lapsed here: the evidence check fails first
      ["evidence expired", (f) => networkHelpers.time.increaseTo(f.reg.expiresAt)],
      ["retired", (f) => f.workerRegistry.write.retireWorker([f.worker], { account: f.operator.account })],
      ["validator removed", (f) => f.workerRegistry.write.setValidator([f.validator.account.address, false], { account: f.deployer.account })],
      [
        "attestation updated to a new measurement (even a pinned one)",
        async (f) => {
          await f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT_2, true], { account: f.provider.account });
          await f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://v2", f.reg.expiresAt], { account: f.operator.account });
        },
      ],
      [
        "attestation renewed with the same measurement (must be validated again)",
        (f) => f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT, "ipfs://renewed", f.reg.expiresAt + DAY], { account: f.operator.account }),
      ],
    ];
    for (const [label, breakIt] of breakers) {
      it(`is false when: ${label}`, async () => {
        const f = await networkHelpers.loadFixture(eligible);
        assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
        await breakIt(f);
        assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), false);
      });
    }

    it("one second before the validation expires it is still eligible", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      await networkHelpers.time.increaseTo(f.validationExpiry - 1n);
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
    });

    it("becomes eligible again after the new measurement is validated", async () => {
      const f = await networkHelpers.loadFixture(eligible);
      await f.workerRegistry.write.setMeasurementPinned([f.agentId, MEASUREMENT_2, true], { account: f.provider.account });
      await f.workerRegistry.write.updateAttestation([f.worker, MEASUREMENT_2, "ipfs://v2", f.reg.expiresAt], { account: f.operator.account });
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), false);
      await f.workerRegistry.write.validateWorker([f.worker, MEASUREMENT_2, f.validationExpiry], { account: f.validator.account });
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
      // and re-adding a removed validator restores eligibility of its validations
      await f.workerRegistry.write.setValidator([f.validator.account.address, false], { account: f.deployer.account });
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), false);
      await f.workerRegistry.write.setValidator([f.validator.account.address, true], { account: f.deployer.account });
      assert.equal(await f.workerRegistry.read.isEligible([f.agentId, f.worker]), true);
    });
  });
});
