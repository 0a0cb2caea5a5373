/**
 * Registers the worker key in WorkerRegistry: collect evidence from the attestation provider, check
 * it with the same verifier brokers and browsers use, store it in the content store (its CID is what
 * goes on-chain), and send `registerWorker` from the operator's account with the worker key's
 * EIP-712 consent. Idempotent: a key already registered with this evidence is left alone; one
 * registered with other evidence gets `updateAttestation`.
 */
import { createPublicClient, createWalletClient, getAddress, http, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  encodeEvidence,
  getDeployment,
  ipfsUri,
  TeeType,
  verifyAttestation,
  workerRegistrationTypes,
  workerRegistryAbi,
  workerRegistryDomain,
} from "@agentry/protocol";
import { openContentStore } from "@agentry/protocol/content-store";
import type { AttestationProvider } from "./attestation/provider.ts";
import type { WorkerConfig } from "./config.ts";
import type { WorkerIdentity } from "./identity.ts";
import { readPrivateKeyFile } from "./keys.ts";

/** Where evidence is published: the embedded content store, or any store with the same `put`. */
export interface EvidenceStore {
  put(bytes: Uint8Array): Promise<string>;
}

export interface RegisterWorkerOptions {
  publicClient: PublicClient;
  /** The operator's wallet: pays gas and becomes the worker's operator. */
  operator: WalletClient;
  workerPrivateKey: Hex;
  provider: AttestationProvider;
  store: EvidenceStore;
  /** Public URL of the worker's MCP endpoint. */
  endpoint: string;
  /** How long the registration stays valid (seconds from the chain's current time). */
  validitySeconds: number;
  /** Progress lines for people. */
  onStep?: (message: string) => void;
}

export interface RegistrationOutcome {
  action: "registered" | "updated" | "unchanged";
  worker: Address;
  operator: Address;
  tee: string;
  measurement: Hex;
  evidenceURI: string;
  expiresAt: bigint;
  transactionHash?: Hex;
}

export async function registerWorker(options: RegisterWorkerOptions): Promise<RegistrationOutcome> {
  const { publicClient, operator, provider, store } = options;
  const step = options.onStep ?? (() => undefined);
  const workerAccount = privateKeyToAccount(options.workerPrivateKey);
  const operatorAccount = operator.account;
  if (!operatorAccount) throw new Error("the operator wallet has no account");
  const chainId = await publicClient.getChainId();
  const registry = getDeployment(chainId).contracts.WorkerRegistry.address;
  const chainNow = (await publicClient.getBlock()).timestamp;

  step(`collecting ${provider.tee} evidence for worker key ${workerAccount.address}`);
  const evidence = await provider.collect(workerAccount.address);
  const verified = await verifyAttestation(evidence, { workerKey: workerAccount.address, now: new Date(Number(chainNow) * 1000) });
  step(`evidence verified: ${verified.tee}, measurement ${verified.measurement}${verified.attested ? "" : " (DEV: not attested)"}`);

  const cid = await store.put(encodeEvidence(evidence));
  const evidenceURI = ipfsUri(cid);
  step(`evidence stored as ${evidenceURI}`);

  const expiresAt = chainNow + BigInt(options.validitySeconds);
  const current = await publicClient.readContract({ address: registry, abi: workerRegistryAbi, functionName: "getWorker", args: [workerAccount.address] });
  const base = { worker: workerAccount.address, operator: getAddress(operatorAccount.address), tee: verified.tee, measurement: verified.measurement, evidenceURI, expiresAt };

  if (current.operator !== "0x0000000000000000000000000000000000000000") {
    if (getAddress(current.operator) !== base.operator) {
      throw new Error(`worker ${workerAccount.address} is registered by another operator (${current.operator}); use that operator's key`);
    }
    if (current.retired) throw new Error(`worker ${workerAccount.address} is retired; start the worker with a new key`);
    if (current.evidenceURI === evidenceURI && current.measurement === verified.measurement && current.expiresAt > chainNow) {
      step("already registered with this evidence: nothing to do");
      return { ...base, action: "unchanged", expiresAt: current.expiresAt };
    }
    step("updating the registered attestation (this clears any validation: ask a validator again)");
    const hash = await operator.writeContract({
      address: registry, abi: workerRegistryAbi, functionName: "updateAttestation",
      args: [workerAccount.address, verified.measurement, evidenceURI, expiresAt], account: operatorAccount, chain: null,
    });
    await confirm(publicClient, hash, step);
    return { ...base, action: "updated", transactionHash: hash };
  }

  const message = {
    worker: workerAccount.address,
    operator: base.operator,
    teeType: TeeType[verified.tee],
    measurement: verified.measurement,
    evidenceURI,
    endpoint: options.endpoint,
    expiresAt,
  };
  const workerSignature = await workerAccount.signTypedData({
    domain: workerRegistryDomain(chainId, registry),
    types: workerRegistrationTypes,
    primaryType: "WorkerRegistration",
    message,
  });
  step(`sending registerWorker from operator ${base.operator}`);
  const hash = await operator.writeContract({
    address: registry, abi: workerRegistryAbi, functionName: "registerWorker",
    args: [message.worker, message.teeType, message.measurement, evidenceURI, options.endpoint, expiresAt, workerSignature],
    account: operatorAccount, chain: null,
  });
  await confirm(publicClient, hash, step);
  return { ...base, action: "registered", transactionHash: hash };
}

async function confirm(publicClient: PublicClient, hash: Hex, step: (message: string) => void): Promise<void> {
  step(`transaction ${hash} pending`);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  step(`confirmed in block ${receipt.blockNumber}`);
}

/** `agentry-worker register` and `serve --register true`: clients, content store and key from the configuration. */
export async function registerFromConfig(
  config: WorkerConfig,
  identity: WorkerIdentity,
  endpoint: string,
  onStep: (message: string) => void,
): Promise<RegistrationOutcome> {
  if (!config.operatorKeyFile) throw new Error("registering needs the operator's key: set --operator-key-file (AGENTRY_OPERATOR_KEY_FILE)");
  const operatorKey = readPrivateKeyFile(config.operatorKeyFile);
  const publicClient = createPublicClient({ transport: http(config.rpcUrl) }) as PublicClient;
  const operator = createWalletClient({ account: privateKeyToAccount(operatorKey), transport: http(config.rpcUrl) });
  const store = await openContentStore(config.contentDir);
  try {
    return await registerWorker({
      publicClient, operator, store, endpoint, onStep,
      workerPrivateKey: identity.privateKey,
      provider: identity.provider,
      validitySeconds: config.attestationValidityDays * 86_400,
    });
  } finally {
    await store.close();
  }
}
