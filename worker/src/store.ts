/**
 * Durable record of every paid call (voucher + signed receipt) and of redemptions. A call is
 * answered only after its row is committed. Rows arriving while a commit is in flight are grouped
 * into the next one (group commit): under load, many calls share one fsync.
 */
import { Worker } from "node:worker_threads";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import path from "node:path";

export interface CallRecord {
  agreementId: bigint;
  calls: bigint;
  voucher: unknown;
  receipt: unknown;
  receiptDigest: string;
}

export interface RedemptionState {
  agreementId: string;
  redeemedCalls: number;
  pendingCalls: number | null;
  pendingTx: string | null;
}

type Pending = { row: Record<string, unknown>; resolve: () => void; reject: (e: Error) => void };

export class CallStore {
  private readonly thread: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private queue: Pending[] = [];
  private flushing = false;
  private closed = false;
  private commits = 0;
  private rows = 0;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    // The thread imports only Node built-ins and runs as plain JavaScript: the bundle ships it
    // built (scripts/lib/worker-bundle.ts); from the sources it is stripped of types here. Either
    // way the thread never loads the type stripper (about 6 MB per thread). Its working set is
    // small; a 1 MB young generation keeps it that way.
    const built = new URL("./store-thread.js", import.meta.url);
    this.thread = new Worker(existsSync(built) ? readFileSync(built, "utf8") : stripTypeScriptTypes(readFileSync(new URL("./store-thread.ts", import.meta.url), "utf8")), {
      eval: true,
      workerData: { file: path.join(dataDir, "worker.db") },
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 1 },
    });
    this.thread.on("message", (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(m.error));
    });
    this.thread.on("error", (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
  }

  private request<T>(op: string, args?: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.thread.postMessage({ id, op, args });
    });
  }

  /** Resolves once the call is durably committed. */
  persistCall(record: CallRecord): Promise<void> {
    const row = {
      agreementId: record.agreementId.toString(),
      calls: Number(record.calls),
      voucher: JSON.stringify(record.voucher),
      receipt: JSON.stringify(record.receipt),
      receiptDigest: record.receiptDigest,
      createdAt: Date.now(),
    };
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Commits and rows committed since the store opened. */
  stats(): { commits: number; rows: number } {
    return { commits: this.commits, rows: this.rows };
  }

  private countCommit(rows: number): void {
    this.commits += 1;
    this.rows += rows;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.request("persistCalls", batch.map((p) => p.row));
        this.countCommit(batch.length);
        for (const p of batch) p.resolve();
      } catch {
        // One bad row (a duplicate index) must not fail its neighbours: retry them one by one.
        for (const p of batch) {
          await this.request("persistCalls", [p.row]).then(() => {
            this.countCommit(1);
            p.resolve();
          }, (e: Error) => p.reject(e));
        }
      }
    }
    this.flushing = false;
  }

  /** Highest stored call index of every agreement. */
  async lastCalls(): Promise<Map<string, number>> {
    const rows = await this.request<{ agreementId: string; calls: number }[]>("lastCalls");
    return new Map(rows.map((r) => [r.agreementId, r.calls]));
  }

  /** [call index, receipt digest] of the calls this worker served after `after` up to `upTo`, in call order. */
  receiptDigests(agreementId: bigint, after: number, upTo: number): Promise<Array<[number, string]>> {
    return this.request("receiptDigests", [agreementId.toString(), after, upTo]);
  }

  async call(agreementId: bigint, calls: number): Promise<{ voucher: unknown; receipt: unknown } | null> {
    const row = await this.request<{ voucher: string; receipt: string } | null>("call", [agreementId.toString(), calls]);
    return row && { voucher: JSON.parse(row.voucher) as unknown, receipt: JSON.parse(row.receipt) as unknown };
  }

  redemptions(): Promise<RedemptionState[]> {
    return this.request("redemptions");
  }

  recordPending(agreementId: bigint, calls: number, txHash: string): Promise<void> {
    return this.request("recordPending", [agreementId.toString(), calls, txHash]);
  }

  recordRedeemed(agreementId: bigint, calls: number): Promise<void> {
    return this.request("recordRedeemed", [agreementId.toString(), calls]);
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setTimeout(r, 5));
    await this.request("close").catch(() => undefined);
    this.closed = true;
    await this.thread.terminate();
  }
}
