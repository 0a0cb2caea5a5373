/**
 * Local state of an agreement: the last call index this machine knows was served and every
 * receipt it holds, one JSON file per agreement under the state directory. Writes are atomic
 * (temporary file, fsync, rename), and a lock directory serializes calls across processes, so an
 * MCP client and `agentry call` can share an agreement without signing the same index twice.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { encodeReceipt, parseReceipt, type EscrowRef, type SignedReceipt } from "@agentry/protocol";
import { CliError } from "./output.ts";

const storedCallSchema = z.object({
  calls: z.string().regex(/^[1-9][0-9]*$/),
  tool: z.string().optional(),
  receipt: z.unknown(),
  /** Where the receipt came from: the broker's answer, or a worker's /receipts during a resync. */
  source: z.enum(["broker", "worker"]),
});

const stateFileSchema = z.object({
  version: z.literal(1),
  chainId: z.number().int(),
  escrow: z.string(),
  agreementId: z.string(),
  agentId: z.string(),
  lastCalls: z.string().regex(/^(0|[1-9][0-9]*)$/),
  calls: z.array(z.record(z.string(), z.unknown())),
});

export interface StoredCall {
  calls: bigint;
  tool?: string;
  receipt: SignedReceipt;
  source: "broker" | "worker";
}

export interface AgreementState {
  agreementId: bigint;
  agentId: bigint;
  /** The highest call index known to have been served (receipt held). */
  lastCalls: bigint;
  calls: Map<bigint, StoredCall>;
}

export class StateStore {
  readonly file: string;
  private readonly lockDir: string;
  private readonly ref: EscrowRef;
  private readonly agreementId: bigint;
  private readonly agentId: bigint;

  constructor(stateDir: string, ref: EscrowRef, agreementId: bigint, agentId: bigint) {
    const dir = path.join(stateDir, "agreements", `${ref.chainId}-${ref.escrow.toLowerCase()}`);
    this.file = path.join(dir, `${agreementId}.json`);
    this.lockDir = `${this.file}.lock`;
    this.ref = ref;
    this.agreementId = agreementId;
    this.agentId = agentId;
  }

  async load(): Promise<AgreementState> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { agreementId: this.agreementId, agentId: this.agentId, lastCalls: 0n, calls: new Map() };
      throw error;
    }
    const parsed = stateFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.agreementId !== this.agreementId.toString()) {
      throw new CliError(`the state file ${this.file} is damaged`, "move it aside; the call index is then re-learned from the chain and the agent's workers");
    }
    const calls = new Map<bigint, StoredCall>();
    for (const entry of parsed.data.calls) {
      const call = storedCallSchema.parse(entry);
      calls.set(BigInt(call.calls), { calls: BigInt(call.calls), ...(call.tool ? { tool: call.tool } : {}), receipt: parseReceipt(entry.receipt), source: call.source });
    }
    return { agreementId: this.agreementId, agentId: this.agentId, lastCalls: BigInt(parsed.data.lastCalls), calls };
  }

  async save(state: AgreementState): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const body = {
      version: 1,
      chainId: this.ref.chainId,
      escrow: this.ref.escrow,
      agreementId: state.agreementId.toString(),
      agentId: state.agentId.toString(),
      lastCalls: state.lastCalls.toString(),
      calls: [...state.calls.values()]
        .sort((a, b) => (a.calls < b.calls ? -1 : 1))
        .map((c) => ({ calls: c.calls.toString(), ...(c.tool ? { tool: c.tool } : {}), receipt: encodeReceipt(c.receipt), source: c.source })),
    };
    const temporary = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
  }

  /**
   * Runs `work` holding the agreement's lock. A lock left by a process that died (its pid no longer
   * exists) is taken over; a live holder is waited for up to `timeoutMs`.
   */
  async exclusive<T>(work: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await mkdir(this.lockDir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        if (!(await this.holderAlive())) {
          await rm(this.lockDir, { recursive: true, force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new CliError(`agreement ${this.agreementId} is busy: another agentry process holds ${this.lockDir}`, "wait for its call to finish, or remove the lock if that process is gone");
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      await writeFile(path.join(this.lockDir, "pid"), String(process.pid));
      return await work();
    } finally {
      await rm(this.lockDir, { recursive: true, force: true });
    }
  }

  private async holderAlive(): Promise<boolean> {
    let pid: number;
    try {
      pid = Number(await readFile(path.join(this.lockDir, "pid"), "utf8"));
    } catch {
      // Just created and the pid not written yet, or gone: young locks are live, old ones stale.
      const info = await stat(this.lockDir).catch(() => undefined);
      return info !== undefined && Date.now() - info.mtimeMs < 5_000;
    }
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
}
