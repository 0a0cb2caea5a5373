/**
 * The chain over JSON-RPC: head, logs over a block range, blocks with their transactions and
 * receipts, batched into one HTTP request per call. Every response is validated before use.
 */
import { z } from "zod";
import type { Address, Hex } from "viem";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/).transform((s) => s.toLowerCase() as Hex);
const quantity = hex.transform((s) => BigInt(s));

export const logSchema = z.object({
  address: hex,
  topics: z.array(hex),
  data: hex,
  blockNumber: quantity,
  blockHash: hex,
  transactionHash: hex,
  transactionIndex: quantity,
  logIndex: quantity,
  removed: z.boolean().optional(),
});
export type RpcLog = z.infer<typeof logSchema>;

export const transactionSchema = z.object({
  hash: hex,
  transactionIndex: quantity,
  from: hex,
  to: hex.nullable(),
  value: quantity,
  gas: quantity,
  gasPrice: quantity.optional(),
  input: hex,
  nonce: quantity,
});
export type RpcTransaction = z.infer<typeof transactionSchema>;

const blockFields = {
  number: quantity,
  hash: hex,
  parentHash: hex,
  sha3Uncles: hex,
  miner: hex,
  stateRoot: hex,
  transactionsRoot: hex,
  receiptsRoot: hex,
  gasUsed: quantity,
  gasLimit: quantity,
  timestamp: quantity,
  difficulty: quantity.optional(),
  totalDifficulty: quantity.optional(),
  size: quantity.optional(),
  baseFeePerGas: quantity.optional(),
};
export const blockSchema = z.object({ ...blockFields, transactions: z.array(transactionSchema) });
export type RpcBlock = z.infer<typeof blockSchema>;
export const headerSchema = z.object({ number: quantity, hash: hex, timestamp: quantity });
export type RpcHeader = z.infer<typeof headerSchema>;

export const receiptSchema = z.object({
  transactionHash: hex,
  transactionIndex: quantity,
  blockHash: hex,
  blockNumber: quantity,
  cumulativeGasUsed: quantity,
  gasUsed: quantity,
  contractAddress: hex.nullable().optional(),
  logs: z.array(logSchema),
  status: quantity.optional(),
  root: hex.optional(),
  logsBloom: hex,
});
export type RpcReceipt = z.infer<typeof receiptSchema>;

const response = z.object({
  id: z.number(),
  result: z.unknown().optional(),
  error: z.object({ code: z.number(), message: z.string() }).optional(),
});

export class RpcError extends Error {}

export interface RpcCall<T> {
  method: string;
  params: unknown[];
  schema: z.ZodType<T>;
}

export class ChainRpc {
  private nextId = 1;

  constructor(readonly url: string, private readonly timeoutMs = 30_000) {}

  /** Sends the calls as one JSON-RPC batch; results come back in call order. */
  async batch<T>(calls: RpcCall<T>[]): Promise<T[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params }));
    const payload = await this.post(JSON.stringify(body.length === 1 ? body[0] : body));
    const answers = z.array(response).safeParse(Array.isArray(payload) ? payload : [payload]);
    if (!answers.success) throw new RpcError(`${this.url} sent a malformed JSON-RPC response`);
    const byId = new Map(answers.data.map((a) => [a.id, a]));
    return calls.map((call, i) => {
      const answer = byId.get(first + i);
      if (!answer) throw new RpcError(`${call.method}: no answer in the batch`);
      if (answer.error) throw new RpcError(`${call.method} failed: ${answer.error.message} (code ${answer.error.code})`);
      const parsed = call.schema.safeParse(answer.result);
      if (!parsed.success) throw new RpcError(`${call.method} returned an unexpected result: ${parsed.error.issues[0]?.message ?? ""} at ${parsed.error.issues[0]?.path.join(".") ?? ""}`);
      return parsed.data;
    });
  }

  /** POSTs a request; retries a dropped connection (the node closes idle keep-alive sockets). */
  private async post(body: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!res.ok) throw new RpcError(`${this.url} answered HTTP ${res.status}`);
        return await res.json();
      } catch (error) {
        if (error instanceof RpcError) throw error;
        if (attempt < 3 && error instanceof TypeError) continue;
        const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
        throw new RpcError(`cannot reach the chain at ${this.url}: ${error instanceof Error ? error.message : String(error)}${cause}`);
      }
    }
  }

  async call<T>(method: string, params: unknown[], schema: z.ZodType<T>): Promise<T> {
    return (await this.batch([{ method, params, schema }]))[0]!;
  }

  head(): Promise<bigint> {
    return this.call("eth_blockNumber", [], quantity);
  }

  header(number: bigint): RpcCall<RpcHeader | null> {
    return { method: "eth_getBlockByNumber", params: [`0x${number.toString(16)}`, false], schema: headerSchema.nullable() };
  }

  block(number: bigint): RpcCall<RpcBlock | null> {
    return { method: "eth_getBlockByNumber", params: [`0x${number.toString(16)}`, true], schema: blockSchema.nullable() };
  }

  receipt(hash: Hex): RpcCall<RpcReceipt | null> {
    return { method: "eth_getTransactionReceipt", params: [hash], schema: receiptSchema.nullable() };
  }

  logs(from: bigint, to: bigint, addresses: Address[], topic0s: Hex[]): Promise<RpcLog[]> {
    const filter = { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: addresses, topics: [topic0s] };
    return this.call("eth_getLogs", [filter], z.array(logSchema));
  }

  headQuantity(): RpcCall<bigint> {
    return { method: "eth_blockNumber", params: [], schema: quantity };
  }
}
