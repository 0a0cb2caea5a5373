/**
 * The workers that may serve an agent, as the broker sees them: discovered through the subgraph
 * (falling back to WorkerRegistry's logs when the subgraph is down, lags behind the chain head, or
 * proposes no worker that is eligible now: its newest approvals may not be indexed yet),
 * confirmed on-chain by `isEligible` (validated, unexpired, approved by the agent, running a pinned
 * measurement), and with their evidence re-verified from the content store (cached by CID).
 * Nothing here trusts the subgraph for eligibility: it only proposes candidates.
 */
import { type Address, type Hex, type PublicClient } from "viem";
import {
  approvedWorkerAddresses, cidFromUri, createSubgraphClient, decodeEvidence, getDeployment, isAttestationError, teeTypeName, verifyAttestation, workerRegistryAbi, type TeeTypeName,
} from "@agentry/protocol";

export interface EligibleWorker {
  address: Address;
  endpoint: string;
  tee: TeeTypeName;
  measurement: Hex;
  evidenceURI: string;
  /** False for DEV evidence (accepted only where the deployment allows DEV workers). */
  attested: boolean;
}

export interface ContentSource {
  get(cid: string): Promise<Uint8Array | undefined>;
}

/** Candidate worker addresses for an agent, from an index; throws when the index cannot answer. */
export type CandidateSource = (agentId: bigint) => Promise<Address[]>;

/** How far behind the chain head the subgraph may be before the broker reads the chain instead. */
export const SUBGRAPH_MAX_LAG_BLOCKS = 5n;

/**
 * The agent's approved workers from the subgraph, as of at most SUBGRAPH_MAX_LAG_BLOCKS behind the
 * chain head: a subgraph further behind fails ("lagging"), as one that is down does.
 */
export function subgraphCandidates(url: string, publicClient: PublicClient): CandidateSource {
  const subgraph = createSubgraphClient(url, { timeoutMs: 2_000 });
  return async (agentId) => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    const minBlock = head > SUBGRAPH_MAX_LAG_BLOCKS ? head - SUBGRAPH_MAX_LAG_BLOCKS : 0n;
    return (await subgraph.workersForAgent(agentId, { minBlock })).map((worker) => worker.id);
  };
}

export interface WorkerDirectoryOptions {
  publicClient: PublicClient;
  chainId: number;
  content: ContentSource;
  /** The subgraph (optional); WorkerRegistry logs are read when it is missing or fails. */
  candidates?: CandidateSource;
  /** How long an agent's eligible set is reused. */
  cacheMs: number;
  /** How long a verified (or refused) piece of evidence is reused. */
  evidenceCacheMs: number;
  /** Accept DEV evidence (local chains only). */
  allowDev: boolean;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
}

interface Cached<T> {
  value: Promise<T>;
  until: number;
}

export class WorkerDirectory {
  readonly #o: WorkerDirectoryOptions;
  readonly #registry: Address;
  readonly #byAgent = new Map<string, Cached<EligibleWorker[]>>();
  readonly #evidence = new Map<string, Cached<{ ok: true; attested: boolean } | { ok: false; reason: string }>>();
  readonly #now: () => number;

  constructor(options: WorkerDirectoryOptions) {
    this.#o = options;
    const registry = getDeployment(options.chainId).contracts.WorkerRegistry;
    this.#registry = registry.address;
    this.#now = options.now ?? Date.now;
  }

  /** The workers that may serve `agentId` now (cached for `cacheMs`). */
  eligible(agentId: bigint): Promise<EligibleWorker[]> {
    return cached(this.#byAgent, agentId.toString(), this.#o.cacheMs, this.#now, () => this.#resolve(agentId));
  }

  /** Forgets what is known about an agent's workers (after a worker misbehaved). */
  invalidate(agentId: bigint): void {
    this.#byAgent.delete(agentId.toString());
  }

  async #resolve(agentId: bigint): Promise<EligibleWorker[]> {
    const checked = new Set<string>();
    const checkAll = async (candidates: Address[]) => {
      const fresh = candidates.filter((address) => !checked.has(address.toLowerCase()));
      for (const address of fresh) checked.add(address.toLowerCase());
      const workers = await Promise.all(fresh.map((address) => this.#check(agentId, address)));
      return workers.filter((w): w is EligibleWorker => w !== undefined);
    };
    const indexed = await this.#indexedCandidates(agentId);
    if (indexed) {
      const eligible = await checkAll(indexed);
      if (eligible.length > 0) return eligible;
      this.#o.log?.("the subgraph proposes no eligible worker: reading WorkerRegistry logs for approvals it has not indexed", { agentId: agentId.toString() });
    }
    return checkAll(await approvedWorkerAddresses(this.#o.publicClient, this.#o.chainId, agentId));
  }

  /** The index's candidates, or undefined when there is no index or it cannot answer (down, lagging). */
  async #indexedCandidates(agentId: bigint): Promise<Address[] | undefined> {
    if (!this.#o.candidates) return undefined;
    try {
      return await this.#o.candidates(agentId);
    } catch (error) {
      this.#o.log?.("subgraph unavailable: reading WorkerRegistry logs instead", { error: (error as Error).message });
      return undefined;
    }
  }

  async #check(agentId: bigint, address: Address): Promise<EligibleWorker | undefined> {
    const [eligible, worker] = await Promise.all([
      this.#o.publicClient.readContract({ address: this.#registry, abi: workerRegistryAbi, functionName: "isEligible", args: [agentId, address] }),
      this.#o.publicClient.readContract({ address: this.#registry, abi: workerRegistryAbi, functionName: "getWorker", args: [address] }),
    ]);
    if (!eligible) return undefined;
    const evidence = await this.#verifyEvidence(address, worker.evidenceURI, worker.measurement);
    if (!evidence.ok) {
      this.#o.log?.("worker skipped: its evidence does not verify", { worker: address, evidenceURI: worker.evidenceURI, reason: evidence.reason });
      return undefined;
    }
    return {
      address,
      endpoint: worker.endpoint,
      tee: teeTypeName(worker.teeType) ?? "DEV",
      measurement: worker.measurement,
      evidenceURI: worker.evidenceURI,
      attested: evidence.attested,
    };
  }

  #verifyEvidence(worker: Address, evidenceURI: string, measurement: Hex) {
    const key = `${worker.toLowerCase()}|${evidenceURI}|${measurement}`;
    return cached(this.#evidence, key, this.#o.evidenceCacheMs, this.#now, async () => {
      try {
        const cid = cidFromUri(evidenceURI);
        if (!cid) return { ok: false as const, reason: `evidence URI ${evidenceURI} is not ipfs://` };
        const bytes = await this.#o.content.get(cid);
        if (!bytes) return { ok: false as const, reason: `evidence ${cid} is not in the content store` };
        const result = await verifyAttestation(decodeEvidence(bytes), { workerKey: worker, expectedMeasurement: measurement, now: new Date(this.#now()) });
        if (!result.attested && !this.#o.allowDev) return { ok: false as const, reason: "DEV evidence is not accepted on this chain" };
        return { ok: true as const, attested: result.attested };
      } catch (error) {
        return { ok: false as const, reason: isAttestationError(error) ? `${error.code}: ${error.message}` : (error as Error).message };
      }
    });
  }
}

/** A promise cache whose failures are not kept (the next caller retries). */
function cached<T>(map: Map<string, Cached<T>>, key: string, ttlMs: number, now: () => number, load: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit && hit.until > now()) return hit.value;
  const value = load();
  map.set(key, { value, until: now() + ttlMs });
  value.catch(() => {
    if (map.get(key)?.value === value) map.delete(key);
  });
  if (map.size > 10_000) map.delete(map.keys().next().value!);
  return value;
}
