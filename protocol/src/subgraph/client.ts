/**
 * A small typed client for Agentry's subgraph (subgraph/schema.graphql), in the GraphQL dialect
 * graph-node serves (and so the local subgraph runner): plain `fetch`, static queries with
 * variables, every answer validated with zod. Used by the CLI, the broker and the dApp.
 *
 * Failures are SubgraphError with a `kind` a caller can act on:
 *   - "unreachable": nothing answered, or not with GraphQL (down, wrong URL, proxy error page);
 *   - "lagging": the subgraph has not indexed the block asked for yet (retry shortly);
 *   - "refused": the subgraph answered with GraphQL errors (a query it does not accept, e.g. an
 *     older schema, or an indexing error);
 *   - "malformed": it answered data that does not have the expected shape.
 */
import { z } from "zod";
import type { Address, Hex } from "viem";

export type SubgraphErrorKind = "unreachable" | "lagging" | "refused" | "malformed";

export class SubgraphError extends Error {
  override readonly name = "SubgraphError";
  readonly kind: SubgraphErrorKind;
  readonly url: string;
  /** For "lagging": the block the subgraph has indexed up to, when it said. */
  readonly indexedBlock: bigint | undefined;
  constructor(kind: SubgraphErrorKind, url: string, message: string, options: { cause?: unknown; indexedBlock?: bigint } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.url = url;
    this.indexedBlock = options.indexedBlock;
  }
}

export function isSubgraphError(error: unknown, kind?: SubgraphErrorKind): error is SubgraphError {
  return error instanceof SubgraphError && (kind === undefined || error.kind === kind);
}

// ---------------------------------------------------------------------------------- wire values

const bigintString = z.string().regex(/^-?\d+$/, "must be an integer as a decimal string").transform((s) => BigInt(s));
const hexString = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "must be hex bytes").transform((s) => s.toLowerCase() as Hex);
const addressString = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address").transform((s) => s.toLowerCase() as Address);
const idRef = z.object({ id: z.string() });

const toolSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** The JSON Schema as JSON text (what the registration file gave). */
  inputSchema: z.string().nullable(),
  price: bigintString.nullable(),
  token: addressString.nullable(),
  tags: z.array(z.string()),
});
export type SubgraphTool = z.output<typeof toolSchema>;

const registrationFileSchema = z.object({
  id: z.string(),
  valid: z.boolean(),
  error: z.string().nullable(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  image: z.string().nullable(),
  mcpEndpoint: z.string().nullable(),
  mcpVersion: z.string().nullable(),
  supportedTrust: z.array(z.string()),
  tags: z.array(z.string()),
  toolNames: z.array(z.string()),
});

const agentSummarySchema = z.object({
  id: z.string(),
  agentId: bigintString,
  owner: idRef,
  agentURI: z.string(),
  ethPrice: bigintString.nullable(),
  registeredTimestamp: bigintString,
  registrationFile: registrationFileSchema.nullable(),
});
export type AgentSummary = z.output<typeof agentSummarySchema>;

const validationSchema = z.object({
  id: z.string(),
  validator: z.object({ id: addressString, allowed: z.boolean() }),
  measurement: hexString,
  expiresAt: bigintString,
  revoked: z.boolean(),
});

const workerSchema = z.object({
  id: addressString,
  operator: idRef,
  teeType: z.enum(["DEV", "SGX", "TDX", "NITRO"]),
  measurement: hexString,
  evidenceURI: z.string(),
  endpoint: z.string(),
  expiresAt: bigintString,
  retired: z.boolean(),
  validation: validationSchema.nullable(),
});
export type SubgraphWorker = z.output<typeof workerSchema>;

const feedbackSchema = z.object({ value: bigintString, valueDecimals: z.number().int(), verified: z.boolean() });

const agentDetailSchema = agentSummarySchema.extend({
  wallet: addressString.nullable(),
  registrationCid: z.string().nullable(),
  registrationFile: registrationFileSchema
    .extend({
      services: z.array(z.object({ name: z.string(), endpoint: z.string(), version: z.string().nullable() })),
      tools: z.array(toolSchema),
    })
    .nullable(),
  prices: z.array(z.object({ token: addressString, price: bigintString, terms: idRef.nullable() })),
  workerApprovals: z.array(z.object({ worker: workerSchema })),
  pinnedMeasurements: z.array(z.object({ measurement: hexString })),
  feedback: z.array(feedbackSchema),
});

const agreementSchema = z.object({
  id: z.string(),
  agreementId: bigintString,
  agent: z.object({ id: z.string(), agentId: bigintString }),
  client: idRef,
  token: addressString,
  price: bigintString,
  deposit: bigintString,
  fundedCalls: bigintString,
  maxCalls: bigintString,
  redeemedCalls: bigintString,
  amountRedeemed: bigintString,
  sessionKey: addressString,
  expiresAt: bigintString,
  state: z.enum(["OPEN", "CLOSED"]),
  refund: bigintString.nullable(),
  openedBlock: bigintString,
  openedTimestamp: bigintString,
  openedTransaction: hexString,
});
export type SubgraphAgreement = z.output<typeof agreementSchema>;

const redemptionSchema = z.object({
  id: z.string(),
  calls: bigintString,
  paid: bigintString,
  wallet: addressString,
  receiptsRoot: hexString,
  submitter: addressString,
  blockNumber: bigintString,
  timestamp: bigintString,
  transactionHash: hexString,
});
export type SubgraphRedemption = z.output<typeof redemptionSchema>;

const metaSchema = z.object({
  block: z.object({ number: z.number().int(), hash: hexString.nullable(), timestamp: z.number().int().nullable() }),
  deployment: z.string(),
  hasIndexingErrors: z.boolean(),
});
export type SubgraphMeta = z.output<typeof metaSchema>;

// ------------------------------------------------------------------------------------- queries

const AGENT_FIELDS = "id agentId owner { id } agentURI ethPrice registeredTimestamp";
const FILE_FIELDS = "id valid error name description image mcpEndpoint mcpVersion supportedTrust tags toolNames";

const WORKER_FIELDS = `
  id operator { id } teeType measurement evidenceURI endpoint expiresAt retired
  validation { id validator { id allowed } measurement expiresAt revoked }`;

const AGREEMENT_FIELDS = `
  id agreementId agent { id agentId } client { id } token price deposit fundedCalls maxCalls redeemedCalls
  amountRedeemed sessionKey expiresAt state refund openedBlock openedTimestamp openedTransaction`;

/** Every query the client sends, by operation name (a test validates each against schema.graphql). */
export const SUBGRAPH_QUERIES = {
  SearchAgents: `query SearchAgents($where: Agent_filter!, $orderBy: Agent_orderBy!, $orderDirection: OrderDirection!, $first: Int!, $skip: Int!, $block: Block_height) {
  agents(where: $where, orderBy: $orderBy, orderDirection: $orderDirection, first: $first, skip: $skip, block: $block) {
    ${AGENT_FIELDS}
    registrationFile { ${FILE_FIELDS} }
  }
}`,
  Agent: `query Agent($id: ID!, $block: Block_height) {
  agent(id: $id, block: $block) {
    ${AGENT_FIELDS} wallet registrationCid
    registrationFile {
      ${FILE_FIELDS}
      services(first: 32) { name endpoint version }
      tools(first: 256, orderBy: id) { id name description inputSchema price token tags }
    }
    prices(first: 100, where: { active: true }) { token price terms { id } }
    workerApprovals(first: 1000, where: { approved: true }) { worker {${WORKER_FIELDS} } }
    pinnedMeasurements(first: 1000, where: { pinned: true }) { measurement }
    feedback(first: 1000, where: { revoked: false }) { value valueDecimals verified }
  }
}`,
  WorkersForAgent: `query WorkersForAgent($agent: String!, $block: Block_height) {
  workerApprovals(first: 1000, where: { agent: $agent, approved: true }, block: $block) { worker {${WORKER_FIELDS} } }
  measurementPins(first: 1000, where: { agent: $agent, pinned: true }, block: $block) { measurement }
}`,
  Agreement: `query Agreement($id: ID!, $block: Block_height) {
  agreement(id: $id, block: $block) {${AGREEMENT_FIELDS}
  }
}`,
  AgreementsOf: `query AgreementsOf($client: String!, $first: Int!, $skip: Int!, $block: Block_height) {
  agreements(where: { client: $client }, orderBy: openedBlock, orderDirection: desc, first: $first, skip: $skip, block: $block) {${AGREEMENT_FIELDS}
  }
}`,
  RedemptionsOf: `query RedemptionsOf($agreement: String!, $block: Block_height) {
  redemptions(first: 1000, where: { agreement: $agreement }, orderBy: calls, orderDirection: asc, block: $block) {
    id calls paid wallet receiptsRoot submitter blockNumber timestamp transactionHash
  }
}`,
  Meta: `query Meta {
  _meta { block { number hash timestamp } deployment hasIndexingErrors }
}`,
} as const;
export type SubgraphOperation = keyof typeof SUBGRAPH_QUERIES;

// ------------------------------------------------------------------------------- result types

export interface ReputationSummary {
  /** Feedback not revoked. */
  count: number;
  verifiedCount: number;
  /** Mean value of the counted feedback, scaled to `decimals` (null without feedback). */
  average: bigint | null;
  /** Mean value of verified feedback only (null without any). */
  verifiedAverage: bigint | null;
  decimals: number;
}

export interface WorkerEligibility {
  eligible: boolean;
  /** Why not, for people (undefined when eligible). */
  reason?: string;
}

export type WorkerWithEligibility = SubgraphWorker & WorkerEligibility;

export interface AgentDetail extends Omit<z.output<typeof agentDetailSchema>, "workerApprovals" | "pinnedMeasurements" | "feedback"> {
  /** Tools of the registration file, in the file's order. */
  tools: SubgraphTool[];
  workers: WorkerWithEligibility[];
  pinnedMeasurements: Hex[];
  reputation: ReputationSummary;
}

export type AgentOrder = "newest" | "oldest" | "price" | "name";

export interface SearchAgentsOptions {
  /** Case-insensitive text in the name or description, or an exact tool name (any case). */
  text?: string;
  /** An exact tag of one of the agent's tools. */
  tag?: string;
  /** Only agents with an ETH price per call of at most this (wei). */
  maxPrice?: bigint;
  orderBy?: AgentOrder;
  first?: number;
  skip?: number;
}

export interface QueryOptions {
  /** Answer as of at least this block: a subgraph behind it fails with kind "lagging". */
  minBlock?: bigint;
  signal?: AbortSignal;
}

export interface SubgraphClientOptions {
  fetch?: typeof fetch;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

// ------------------------------------------------------------------------------- pure helpers

/**
 * Whether a worker may serve an agent now: the off-chain mirror of WorkerRegistry.isEligible
 * (registered, not retired, evidence unexpired, validated by an allowed validator for its current
 * measurement and unexpired, approved by the agent, measurement pinned by the agent).
 */
export function workerEligibility(worker: SubgraphWorker, pinned: readonly Hex[], nowSeconds: bigint): WorkerEligibility {
  const v = worker.validation;
  if (worker.retired) return { eligible: false, reason: "retired by its operator" };
  if (worker.expiresAt <= nowSeconds) return { eligible: false, reason: "its attestation evidence has expired" };
  if (!v || v.revoked) return { eligible: false, reason: "no validation in force" };
  if (!v.validator.allowed) return { eligible: false, reason: "its validator is no longer approved" };
  if (v.expiresAt <= nowSeconds) return { eligible: false, reason: "its validation has expired" };
  if (v.measurement !== worker.measurement) return { eligible: false, reason: "the validation is for another measurement" };
  if (!pinned.includes(worker.measurement)) return { eligible: false, reason: "the agent has not pinned its measurement" };
  return { eligible: true };
}

/** Averages feedback values scaled to the largest valueDecimals, as ReputationRegistry.getSummary does. */
export function summarizeReputation(feedback: readonly { value: bigint; valueDecimals: number; verified: boolean }[]): ReputationSummary {
  const decimals = feedback.reduce((max, f) => Math.max(max, f.valueDecimals), 0);
  const scaled = (f: { value: bigint; valueDecimals: number }) => f.value * 10n ** BigInt(decimals - f.valueDecimals);
  const mean = (items: readonly { value: bigint; valueDecimals: number }[]) =>
    items.length === 0 ? null : items.reduce((sum, f) => sum + scaled(f), 0n) / BigInt(items.length);
  const verified = feedback.filter((f) => f.verified);
  return { count: feedback.length, verifiedCount: verified.length, average: mean(feedback), verifiedAverage: mean(verified), decimals };
}

/** Tool ids are "<file id>-<index>": order them as the registration file lists them. */
function fileOrder(a: SubgraphTool, b: SubgraphTool): number {
  const index = (t: SubgraphTool) => Number(t.id.slice(t.id.lastIndexOf("-") + 1));
  return index(a) - index(b);
}

const ORDERS: Record<AgentOrder, { orderBy: string; orderDirection: "asc" | "desc" }> = {
  newest: { orderBy: "registeredBlock", orderDirection: "desc" },
  oldest: { orderBy: "registeredBlock", orderDirection: "asc" },
  price: { orderBy: "ethPrice", orderDirection: "asc" },
  name: { orderBy: "registrationFile__name", orderDirection: "asc" },
};

/** The `Agent_filter` for a search: every given criterion must hold. */
export function agentSearchFilter(options: SearchAgentsOptions): Record<string, unknown> {
  const all: Record<string, unknown>[] = [];
  const text = options.text?.trim();
  if (text) {
    all.push({
      or: [
        { registrationFile_: { name_contains_nocase: text } },
        { registrationFile_: { description_contains_nocase: text } },
        { registrationFile_: { toolNames_contains_nocase: [text] } },
      ],
    });
  }
  if (options.tag) all.push({ registrationFile_: { tags_contains: [options.tag] } });
  if (options.maxPrice !== undefined) all.push({ ethPrice_lte: options.maxPrice.toString() });
  return all.length === 0 ? {} : { and: all };
}

// ------------------------------------------------------------------------------------- client

const graphqlResponseSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

const LAGGING = /has only indexed up to block number (\d+)/;

export class SubgraphClient {
  readonly url: string;
  private readonly doFetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(url: string, options: SubgraphClientOptions = {}) {
    this.url = url;
    this.doFetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Sends one of SUBGRAPH_QUERIES and validates `data` with `schema`. */
  async query<T extends z.ZodType>(operation: SubgraphOperation, variables: Record<string, unknown>, schema: T, options: QueryOptions = {}): Promise<z.output<T>> {
    const block = options.minBlock === undefined ? null : { number_gte: Number(options.minBlock) };
    const body = JSON.stringify({ operationName: operation, query: SUBGRAPH_QUERIES[operation], variables: operation === "Meta" ? variables : { ...variables, block } });
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.doFetch(this.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body, signal });
    } catch (cause) {
      throw new SubgraphError("unreachable", this.url, `the subgraph at ${this.url} did not answer (${(cause as Error).message}): check --subgraph / AGENTRY_SUBGRAPH_URL and that the subgraph is running`, { cause });
    }
    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SubgraphError("unreachable", this.url, `the subgraph at ${this.url} answered HTTP ${response.status} without GraphQL JSON: is this the subgraph's GraphQL URL (…/subgraphs/name/agentry)?`);
    }
    const parsed = graphqlResponseSchema.safeParse(json);
    if (!parsed.success) throw new SubgraphError("unreachable", this.url, `the subgraph at ${this.url} answered HTTP ${response.status} with JSON that is not a GraphQL response`);
    const errors = parsed.data.errors ?? [];
    if (errors.length > 0) {
      const message = errors.map((e) => e.message).join("; ");
      const lagging = LAGGING.exec(message);
      if (lagging) {
        throw new SubgraphError("lagging", this.url, `the subgraph has indexed up to block ${lagging[1]}, not yet block ${options.minBlock}: retry in a few seconds`, { indexedBlock: BigInt(lagging[1]!) });
      }
      throw new SubgraphError("refused", this.url, `the subgraph refused the ${operation} query: ${message}`);
    }
    if (!response.ok) throw new SubgraphError("unreachable", this.url, `the subgraph at ${this.url} answered HTTP ${response.status}`);
    const data = schema.safeParse(parsed.data.data ?? null);
    if (!data.success) {
      const issues = data.error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; ");
      throw new SubgraphError("malformed", this.url, `the subgraph's answer to ${operation} has an unexpected shape (${issues}): is it Agentry's subgraph, at the same schema version?`);
    }
    return data.data;
  }

  async searchAgents(options: SearchAgentsOptions = {}, query: QueryOptions = {}): Promise<AgentSummary[]> {
    const order = ORDERS[options.orderBy ?? "newest"];
    const first = Math.min(Math.max(options.first ?? 20, 1), 1000);
    const skip = Math.max(options.skip ?? 0, 0);
    // An agent without an ETH price sorts last (graph-node puts nulls first in ascending order).
    const where = options.orderBy === "price" && options.maxPrice === undefined ? { ...agentSearchFilter(options), ethPrice_not: null } : agentSearchFilter(options);
    const data = await this.query("SearchAgents", { where, ...order, first, skip }, z.object({ agents: z.array(agentSummarySchema) }), query);
    return data.agents;
  }

  /** The agent with its registration file, tools, prices, workers and reputation; null when unknown. */
  async agent(agentId: bigint, query: QueryOptions = {}): Promise<AgentDetail | null> {
    const data = await this.query("Agent", { id: agentId.toString() }, z.object({ agent: agentDetailSchema.nullable() }), query);
    if (!data.agent) return null;
    const { workerApprovals, pinnedMeasurements, feedback, ...agent } = data.agent;
    const pinned = pinnedMeasurements.map((p) => p.measurement);
    const now = BigInt(Math.floor(Date.now() / 1000));
    return {
      ...agent,
      tools: [...(agent.registrationFile?.tools ?? [])].sort(fileOrder),
      workers: workerApprovals.map(({ worker }) => ({ ...worker, ...workerEligibility(worker, pinned, now) })),
      pinnedMeasurements: pinned,
      reputation: summarizeReputation(feedback),
    };
  }

  /** Workers the agent approves, with their registration and whether they may serve it now. */
  async workersForAgent(agentId: bigint, query: QueryOptions = {}): Promise<WorkerWithEligibility[]> {
    const data = await this.query(
      "WorkersForAgent",
      { agent: agentId.toString() },
      z.object({ workerApprovals: z.array(z.object({ worker: workerSchema })), measurementPins: z.array(z.object({ measurement: hexString })) }),
      query,
    );
    const pinned = data.measurementPins.map((p) => p.measurement);
    const now = BigInt(Math.floor(Date.now() / 1000));
    return data.workerApprovals.map(({ worker }) => ({ ...worker, ...workerEligibility(worker, pinned, now) }));
  }

  async agreement(agreementId: bigint, query: QueryOptions = {}): Promise<SubgraphAgreement | null> {
    const data = await this.query("Agreement", { id: agreementId.toString() }, z.object({ agreement: agreementSchema.nullable() }), query);
    return data.agreement;
  }

  /** The client's agreements, newest first. */
  async agreementsOf(client: Address, options: { first?: number; skip?: number } = {}, query: QueryOptions = {}): Promise<SubgraphAgreement[]> {
    const data = await this.query(
      "AgreementsOf",
      { client: client.toLowerCase(), first: Math.min(Math.max(options.first ?? 100, 1), 1000), skip: Math.max(options.skip ?? 0, 0) },
      z.object({ agreements: z.array(agreementSchema) }),
      query,
    );
    return data.agreements;
  }

  /** The agreement's redemptions in call order: the last one anchors receipts 1..calls. */
  async redemptionsOf(agreementId: bigint, query: QueryOptions = {}): Promise<SubgraphRedemption[]> {
    const data = await this.query("RedemptionsOf", { agreement: agreementId.toString() }, z.object({ redemptions: z.array(redemptionSchema) }), query);
    return data.redemptions;
  }

  /** The indexed head: block number, deployment, indexing errors. */
  async meta(options: { signal?: AbortSignal } = {}): Promise<SubgraphMeta> {
    const data = await this.query("Meta", {}, z.object({ _meta: metaSchema }), options);
    return data._meta;
  }
}

export function createSubgraphClient(url: string, options: SubgraphClientOptions = {}): SubgraphClient {
  return new SubgraphClient(url, options);
}
