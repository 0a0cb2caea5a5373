/**
 * The indexing loop: reads the data sources' logs over JSON-RPC in block ranges, runs their
 * handlers in block and log order (then the file data sources they created, with bytes from the
 * content store), and writes each batch of blocks to the database in one transaction. Resumes
 * from the last indexed block; a different chain (new genesis, or the last indexed block gone)
 * means reindexing from scratch; a failing handler stops indexing at that block, as graph-node
 * does with a deterministic error.
 */
import { getAddress, type Address, type Hex } from "viem";
import { EntityDatabase, type DynamicDataSource, type IndexerState, type IndexingError } from "./database.ts";
import { EntityStore } from "./entity-store.ts";
import { decodeParams, EventDecodeError, writeEvent } from "./ethereum-event.ts";
import type { LogLevel, TriggerContext } from "./host.ts";
import type { ContractSource, EventHandler, FileTemplate, Manifest } from "./manifest.ts";
import { HandlerError, Mapping } from "./mapping.ts";
import { ChainRpc, RpcError, type RpcBlock, type RpcCall, type RpcHeader, type RpcLog, type RpcReceipt } from "./rpc.ts";
import type { TaggedEntry } from "./tagged-values.ts";

/** Bytes of a file in the content store by CID, or undefined when the store does not have it. */
export type ContentSource = (cid: string) => Promise<Uint8Array | undefined>;

export interface Logger {
  (level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export interface IndexerOptions {
  manifest: Manifest;
  rpc: ChainRpc;
  db: EntityDatabase;
  content: ContentSource;
  log: Logger;
  /** How often to ask the chain for new blocks (ms). */
  pollMs?: number;
  /** Blocks per eth_getLogs request while catching up. */
  rangeSize?: number;
}

interface ActiveSource {
  source: ContractSource;
  /** lower-case; undefined = every contract */
  address?: string;
  context: TaggedEntry[] | null;
  startBlock: number;
}

interface PendingFile {
  record: DynamicDataSource;
  template: FileTemplate;
  /** 0 until the first attempt; then when to try again. */
  nextAttempt: number;
  attempts: number;
}

/** A data source created by a handler of the block being indexed. */
interface Created {
  record: DynamicDataSource;
  active?: ActiveSource;
}

interface Trigger {
  log: RpcLog;
  active: ActiveSource;
  handler: EventHandler;
}

const FILE_RETRY_MS = 1_000;
const BLOCK_FETCH_CHUNK = 100;

export class Indexer {
  readonly store: EntityStore;
  private state!: IndexerState;
  private readonly mappings = new Map<string, Mapping>();
  private active: ActiveSource[] = [];
  private pendingFiles: PendingFile[] = [];
  private dataSourceRecords: DynamicDataSource[] = [];
  private changedDataSources = new Map<number, DynamicDataSource>();
  private nextDataSourceId = 1;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly rangeSize: number;
  /** Waiters for the indexed block to advance (tests, benchmarks); true = done. */
  private listeners: (() => boolean)[] = [];

  constructor(private readonly options: IndexerOptions) {
    this.store = new EntityStore(options.manifest.schema);
    this.pollMs = options.pollMs ?? 100;
    this.rangeSize = options.rangeSize ?? 2_000;
    const handlersByWasm = new Map<string, string[]>();
    const sources: (ContractSource | FileTemplate)[] = [...options.manifest.dataSources, ...options.manifest.templates.values()];
    for (const source of sources) {
      const names = source.kind === "file" ? [source.handler] : source.handlers.map((h) => h.handler);
      handlersByWasm.set(source.wasm, [...(handlersByWasm.get(source.wasm) ?? []), ...names]);
    }
    for (const [wasm, handlers] of handlersByWasm) this.mappings.set(wasm, new Mapping(wasm, handlers));
  }

  get indexingState(): IndexerState {
    return this.state;
  }

  /** Checks the stored state against the chain and the build; restores or resets it. */
  async init(): Promise<void> {
    const { manifest, rpc, db, log } = this.options;
    const genesis = await rpc.call("eth_getBlockByNumber", ["0x0", false], rpc.header(0n).schema);
    if (!genesis) throw new RpcError("the chain has no genesis block");
    const stored = await db.state();
    let reason: string | undefined;
    if (!stored) reason = "new data directory";
    else if (stored.deploymentId !== manifest.deploymentId) reason = "the subgraph build changed";
    else if (stored.genesisHash !== genesis.hash) reason = `a different chain (genesis ${genesis.hash}, indexed ${stored.genesisHash})`;
    else if (stored.blockNumber !== null) {
      const [header] = (await rpc.batch([rpc.header(BigInt(stored.blockNumber))])) as (RpcHeader | null)[];
      if (!header || header.hash !== stored.blockHash) reason = `block ${stored.blockNumber} is no longer on the chain`;
    }
    if (reason) {
      log("info", `indexing from scratch: ${reason}`);
      await db.reset(manifest.schema, manifest.deploymentId, genesis.hash);
      this.store.clear();
    } else {
      const count = await db.restore(this.store);
      log("info", `resuming after block ${stored!.blockNumber ?? "(none)"} with ${count} entities`);
    }
    this.state = (await db.state())!;
    if (this.state.error) log("warning", "retrying the block that failed before the restart", { ...this.state.error });
    this.state.error = null;
    this.active = manifest.dataSources.map((source) => ({ source, address: source.address?.toLowerCase(), context: null, startBlock: source.startBlock }));
    this.pendingFiles = [];
    this.dataSourceRecords = await db.dataSources();
    this.nextDataSourceId = 1 + Math.max(0, ...this.dataSourceRecords.map((d) => d.id));
    for (const record of this.dataSourceRecords) this.activate(record);
  }

  private activate(record: DynamicDataSource): ActiveSource | undefined {
    const template = this.options.manifest.templates.get(record.template);
    if (!template) throw new Error(`data source ${record.id} uses template ${record.template}, which the manifest no longer has`);
    if (template.kind === "file") {
      if (!record.done) this.pendingFiles.push({ record, template, nextAttempt: 0, attempts: 0 });
      return undefined;
    }
    const active: ActiveSource = { source: template, address: record.params[0]!.toLowerCase(), context: record.context, startBlock: record.createdBlock };
    this.active.push(active);
    return active;
  }

  /** Runs until stop(): indexes new blocks as they come. */
  async run(): Promise<void> {
    const { log } = this.options;
    let failures = 0;
    while (!this.stopped) {
      let caughtUp = true;
      try {
        caughtUp = await this.step();
        failures = 0;
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        failures += 1;
        if (failures === 1 || failures % 50 === 0) log("warning", `chain unavailable, retrying: ${error.message}`);
      }
      if (caughtUp && !this.stopped) await this.sleep(failures > 0 ? Math.min(5_000, this.pollMs * 2 ** Math.min(failures, 6)) : this.pollMs);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Resolves once the indexed block is at least `block`, or indexing failed. */
  waitForBlock(block: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if ((this.state.blockNumber ?? -1) >= block || this.state.error) {
          resolve();
          return true;
        }
        return false;
      };
      if (!check()) this.listeners.push(check);
    });
  }

  private notify(): void {
    this.listeners = this.listeners.filter((check) => !check());
  }

  /** One pass: returns true when there was nothing left to index. */
  async step(): Promise<boolean> {
    const { rpc, log } = this.options;
    const last = this.state.blockNumber;
    const calls: RpcCall<unknown>[] = [rpc.headQuantity()];
    if (last !== null) calls.push(rpc.header(BigInt(last)));
    const [head, lastHeader] = (await rpc.batch(calls)) as [bigint, RpcHeader | null | undefined];
    if (last !== null && (!lastHeader || lastHeader.hash !== this.state.blockHash)) {
      log("info", `block ${last} is no longer on the chain (a fresh or rewound chain): reindexing`);
      await this.init();
      return false;
    }
    await this.retryFiles();
    if (this.state.error) return true;
    const start = this.nextBlock();
    if (BigInt(start) > head) return true;
    const end = Math.min(Number(head), start + this.rangeSize - 1);
    await this.indexRange(start, end);
    return end >= Number(head);
  }

  private nextBlock(): number {
    const first = Math.min(...this.active.map((a) => a.startBlock), Number.MAX_SAFE_INTEGER);
    return Math.max(this.state.blockNumber === null ? 0 : this.state.blockNumber + 1, first === Number.MAX_SAFE_INTEGER ? 0 : first);
  }

  private async fetchLogs(from: number, to: number, sources: ActiveSource[]): Promise<RpcLog[]> {
    const relevant = sources.filter((a) => a.startBlock <= to && (a.source.endBlock === undefined || a.source.endBlock >= from));
    if (relevant.length === 0) return [];
    const topics = [...new Set(relevant.flatMap((a) => a.source.handlers.map((h) => h.topic0)))];
    if (topics.length === 0) return [];
    const anyAddress = relevant.some((a) => a.address === undefined);
    const addresses = anyAddress ? [] : [...new Set(relevant.map((a) => getAddress(a.address!)))];
    const logs = await this.options.rpc.logs(BigInt(from), BigInt(to), addresses as Address[], topics as Hex[]);
    return logs.filter((l) => !l.removed);
  }

  private triggersFor(log: RpcLog, sources: ActiveSource[]): Trigger[] {
    const out: Trigger[] = [];
    const block = Number(log.blockNumber);
    for (const active of sources) {
      if (active.address !== undefined && active.address !== log.address) continue;
      if (block < active.startBlock || (active.source.endBlock !== undefined && block > active.source.endBlock)) continue;
      for (const handler of active.source.handlers) {
        if (handler.topic0 !== log.topics[0]) continue;
        if (handler.topics.some((wanted, i) => wanted !== undefined && !wanted.includes(log.topics[i + 1] as Hex))) continue;
        out.push({ log, active, handler });
      }
    }
    return out;
  }

  private async indexRange(from: number, to: number): Promise<void> {
    const { rpc, db } = this.options;
    const logs = await this.fetchLogs(from, to, this.active);
    const byBlock = new Map<number, RpcLog[]>();
    for (const l of logs) {
      const n = Number(l.blockNumber);
      let list = byBlock.get(n);
      if (!list) byBlock.set(n, (list = []));
      list.push(l);
    }
    const numbers = [...byBlock.keys()].sort((a, b) => a - b);
    const blocks = new Map<number, RpcBlock>();
    for (let i = 0; i < numbers.length; i += BLOCK_FETCH_CHUNK) {
      const chunk = numbers.slice(i, i + BLOCK_FETCH_CHUNK);
      const fetched = (await rpc.batch(chunk.map((n) => rpc.block(BigInt(n))))) as (RpcBlock | null)[];
      fetched.forEach((b, j) => {
        if (!b) throw new RpcError(`block ${chunk[j]} is missing`);
        blocks.set(chunk[j]!, b);
      });
    }
    let reached: { number: number; hash: string; timestamp: number } | undefined;
    for (const n of numbers) {
      const block = blocks.get(n)!;
      const list = byBlock.get(n)!.sort((a, b) => Number(a.logIndex - b.logIndex));
      const failed = await this.indexBlock(block, list);
      if (failed) {
        await this.fail(failed, n);
        return;
      }
      reached = { number: n, hash: block.hash, timestamp: Number(block.timestamp) };
    }
    if (!reached || reached.number !== to) {
      const [header] = (await rpc.batch([rpc.header(BigInt(to))])) as (RpcHeader | null)[];
      if (!header) throw new RpcError(`block ${to} is missing`);
      reached = { number: to, hash: header.hash, timestamp: Number(header.timestamp) };
    }
    await this.flush(reached, null);
  }

  /** Runs a block's triggers; returns the failure, if any (the block's writes are then discarded). */
  private async indexBlock(block: RpcBlock, logs: RpcLog[]): Promise<IndexingError | undefined> {
    const created: Created[] = [];
    const run = async (triggers: Trigger[]): Promise<IndexingError | undefined> => {
      const receipts = await this.receiptsFor(triggers);
      for (const trigger of triggers) {
        const error = this.runEvent(block, trigger, receipts, created);
        if (error) return error;
      }
      return undefined;
    };
    let error = await run(logs.flatMap((l) => this.triggersFor(l, this.active)));
    // contract data sources created in this block see this block's logs too (as in graph-node)
    let seen = 0;
    while (!error) {
      const sources = created.slice(seen).flatMap((c) => (c.active ? [c.active] : []));
      seen = created.length;
      if (sources.length === 0) break;
      const extra = await this.fetchLogs(Number(block.number), Number(block.number), sources);
      error = await run(extra.sort((a, b) => Number(a.logIndex - b.logIndex)).flatMap((l) => this.triggersFor(l, sources)));
    }
    if (!error) error = await this.runFiles(this.pendingFiles.filter((p) => p.record.createdBlock === Number(block.number) && p.nextAttempt === 0), block);
    if (error) {
      this.store.discardBlock();
      this.forget(created);
      return error;
    }
    this.store.commitBlock(Number(block.number));
    return undefined;
  }

  private async receiptsFor(triggers: Trigger[]): Promise<Map<string, RpcReceipt>> {
    const hashes = [...new Set(triggers.filter((t) => t.handler.receipt).map((t) => t.log.transactionHash))];
    const receipts = (await this.options.rpc.batch(hashes.map((h) => this.options.rpc.receipt(h)))) as (RpcReceipt | null)[];
    return new Map(receipts.flatMap((r) => (r ? [[r.transactionHash, r] as const] : [])));
  }

  private runEvent(block: RpcBlock, trigger: Trigger, receipts: Map<string, RpcReceipt>, created: Created[]): IndexingError | undefined {
    const { log } = this.options;
    const { active, handler } = trigger;
    const transaction = block.transactions.find((t) => t.hash === trigger.log.transactionHash);
    if (!transaction) throw new RpcError(`transaction ${trigger.log.transactionHash} is not in block ${block.number}`);
    let params;
    try {
      params = decodeParams(handler.abiEvent, trigger.log);
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      log("warning", `skipping a log that does not match its ABI: ${error.message}`, { dataSource: active.source.name });
      return undefined;
    }
    const context = this.triggerContext(active.source.name, active.source.network, Buffer.from((active.address ?? trigger.log.address).slice(2), "hex"), active.context, 0, null, block, handler.handler, created);
    try {
      this.mapping(active.source.wasm).run(handler.handler, context, (heap) =>
        writeEvent(heap, { log: trigger.log, transactionLogIndex: trigger.log.logIndex, block, transaction, params, receipt: receipts.get(trigger.log.transactionHash) ?? null }),
      );
    } catch (error) {
      if (!(error instanceof HandlerError)) throw error;
      return this.indexingError(block, active.source.name, handler.handler, error.message);
    }
    return undefined;
  }

  private mapping(wasm: string): Mapping {
    return this.mappings.get(wasm)!;
  }

  private triggerContext(
    name: string, network: string, address: Uint8Array, context: TaggedEntry[] | null, region: number,
    entities: ReadonlySet<string> | null, block: { number: bigint }, handler: string, created: Created[],
  ): TriggerContext {
    const { log } = this.options;
    return {
      store: this.store,
      dataSource: { name, network, address, context, region, entities },
      log: (level, message) => log(level, message, { mapping: name, handler, block: Number(block.number) }),
      createDataSource: (templateName, params, ctx) => {
        const template = this.options.manifest.templates.get(templateName);
        if (!template) throw new HandlerError(`dataSource.create: there is no template named \`${templateName}\``);
        if (params.length !== 1) throw new HandlerError(`dataSource.create(${templateName}): expected one parameter (an address or a CID), got ${params.length}`);
        if (template.kind === "ethereum" && !/^0x[0-9a-fA-F]{40}$/.test(params[0]!)) throw new HandlerError(`dataSource.create(${templateName}): "${params[0]}" is not an address`);
        const same = this.dataSourceRecords.find((d) => d.template === templateName && d.params[0] === params[0] && JSON.stringify(d.context) === JSON.stringify(ctx));
        if (same) return; // identical file or contract source: nothing new to index
        const record: DynamicDataSource = { id: this.nextDataSourceId++, template: templateName, params, context: ctx, createdBlock: Number(block.number), done: false };
        this.dataSourceRecords.push(record);
        this.changedDataSources.set(record.id, record);
        const active = this.activate(record);
        created.push(active ? { record, active } : { record });
      },
    };
  }

  /** Forgets the data sources a failed block created. */
  private forget(created: Created[]): void {
    const records = new Set(created.map((c) => c.record));
    const sources = new Set(created.flatMap((c) => (c.active ? [c.active] : [])));
    this.dataSourceRecords = this.dataSourceRecords.filter((d) => !records.has(d));
    this.pendingFiles = this.pendingFiles.filter((p) => !records.has(p.record));
    this.active = this.active.filter((a) => !sources.has(a));
    for (const record of records) this.changedDataSources.delete(record.id);
  }

  /** Runs file data sources whose content the store has now. */
  private async runFiles(files: PendingFile[], block: { number: bigint; hash: string }): Promise<IndexingError | undefined> {
    for (const file of files) {
      const cid = file.record.params[0]!;
      let content: Uint8Array | undefined;
      file.attempts += 1;
      try {
        content = await this.options.content(cid);
      } catch (error) {
        if (file.attempts === 1) this.options.log("warning", `the content store cannot serve ${cid} for ${file.template.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!content) {
        if (file.attempts === 1) this.options.log("info", `file ${cid} (${file.template.name}) is not in the content store yet; retrying until it is`);
        // graph-node keeps looking for a missing file; back off so many missing files stay cheap
        file.nextAttempt = Date.now() + Math.min(FILE_RETRY_MS * 2 ** Math.min(file.attempts - 1, 5), 30_000);
        continue;
      }
      const { template, record } = file;
      const context = this.triggerContext(template.name, template.network, new TextEncoder().encode(cid), record.context, record.id, new Set(template.entities), block, template.handler, []);
      try {
        this.mapping(template.wasm).run(template.handler, context, (heap) => heap.writeBytes(content));
      } catch (error) {
        if (!(error instanceof HandlerError)) throw error;
        return this.indexingError(block, template.name, template.handler, error.message);
      }
      record.done = true;
      this.changedDataSources.set(record.id, record);
      this.pendingFiles = this.pendingFiles.filter((p) => p !== file);
    }
    return undefined;
  }

  /** Files that were missing: try again (their entities land with the current indexed block). */
  private async retryFiles(): Promise<void> {
    const due = this.pendingFiles.filter((p) => p.nextAttempt !== 0 && p.nextAttempt <= Date.now());
    if (due.length === 0 || this.state.blockNumber === null) return;
    const block = { number: BigInt(this.state.blockNumber), hash: this.state.blockHash! };
    const error = await this.runFiles(due, block);
    if (error) {
      this.store.discardBlock();
      await this.fail(error, this.state.blockNumber + 1);
      return;
    }
    if (this.store.commitBlock(this.state.blockNumber) > 0 || this.changedDataSources.size > 0) {
      await this.flush({ number: this.state.blockNumber, hash: this.state.blockHash!, timestamp: this.state.blockTimestamp ?? 0 }, null);
    }
  }

  private indexingError(block: { number: bigint; hash: string }, dataSource: string, handler: string, message: string): IndexingError {
    return { block: Number(block.number), blockHash: block.hash, dataSource, handler, message, at: new Date().toISOString() };
  }

  private async fail(error: IndexingError, failedBlock: number): Promise<void> {
    const { log, rpc } = this.options;
    log("error", `handler ${error.handler} of ${error.dataSource} failed at block ${error.block}: ${error.message}; indexing stops here (fix the mapping and restart the runner)`, { ...error });
    const before = failedBlock - 1;
    let reached = { number: this.state.blockNumber ?? -1, hash: this.state.blockHash ?? "", timestamp: this.state.blockTimestamp ?? 0 };
    if (before > reached.number) {
      const [header] = (await rpc.batch([rpc.header(BigInt(before))])) as (RpcHeader | null)[];
      if (header) reached = { number: before, hash: header.hash, timestamp: Number(header.timestamp) };
    }
    await this.flush(reached, error);
  }

  private async flush(block: { number: number; hash: string; timestamp: number }, error: IndexingError | null): Promise<void> {
    const changes = this.store.takeUnflushed();
    const dataSources = [...this.changedDataSources.values()];
    if (block.number < 0) {
      await this.options.db.setError(error);
    } else {
      await this.options.db.commit(changes, dataSources, block, error);
      this.state.blockNumber = block.number;
      this.state.blockHash = block.hash;
      this.state.blockTimestamp = block.timestamp;
    }
    this.changedDataSources.clear();
    this.state.error = error;
    this.notify();
  }
}
