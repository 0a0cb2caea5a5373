/**
 * The registered workers as the chain records them: WorkerRegistered logs since the registry's
 * deployment, each re-read with getWorker/getValidation for its current state. Read from the
 * browser through the wallet stack's public client, so the pages work without a subgraph.
 */
import { workerRegistryAbi } from "@agentry/protocol/abis";
import { getAbiItem, type Address, type Hex, type PublicClient } from "viem";
import type { DeployedContract } from "./config";

const TEE_TYPES = ["DEV", "SGX", "TDX", "NITRO"] as const;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export interface RegisteredWorker {
  address: Address;
  operator: Address;
  teeType: (typeof TEE_TYPES)[number] | "unknown";
  measurement: Hex;
  endpoint: string;
  evidenceURI: string;
  /** When the attestation evidence itself expires (unix seconds). */
  expiresAt: bigint;
  retired: boolean;
  /** Null when no validator vouched for the worker (or the validation was revoked). */
  validation: { validator: Address; measurement: Hex; expiresAt: bigint } | null;
}

const registeredEvent = getAbiItem({ abi: workerRegistryAbi, name: "WorkerRegistered" });

export async function registeredWorkers(client: PublicClient, registry: DeployedContract): Promise<RegisteredWorker[]> {
  const logs = await client.getLogs({ address: registry.address, event: registeredEvent, fromBlock: BigInt(registry.startBlock) });
  const addresses = [...new Set(logs.map((log) => log.args.worker).filter((worker): worker is Address => Boolean(worker)))];
  return Promise.all(
    addresses.map(async (address) => {
      const [worker, validation] = await Promise.all([
        client.readContract({ address: registry.address, abi: workerRegistryAbi, functionName: "getWorker", args: [address] }),
        client.readContract({ address: registry.address, abi: workerRegistryAbi, functionName: "getValidation", args: [address] }),
      ]);
      return {
        address,
        operator: worker.operator,
        teeType: TEE_TYPES[worker.teeType] ?? "unknown",
        measurement: worker.measurement,
        endpoint: worker.endpoint,
        evidenceURI: worker.evidenceURI,
        expiresAt: worker.expiresAt,
        retired: worker.retired,
        validation:
          validation.validator === ZERO_ADDRESS
            ? null
            : { validator: validation.validator, measurement: validation.measurement, expiresAt: validation.expiresAt },
      };
    }),
  );
}

/** Validated, unexpired and measured as validated: what an agent can rely on. */
export function validationState(worker: RegisteredWorker, nowSeconds: bigint): "validated" | "expired" | "unvalidated" | "retired" {
  if (worker.retired) return "retired";
  if (!worker.validation || worker.validation.measurement !== worker.measurement) return "unvalidated";
  return worker.validation.expiresAt > nowSeconds && worker.expiresAt > nowSeconds ? "validated" : "expired";
}

export function formatTimestamp(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
