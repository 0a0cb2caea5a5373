/**
 * The endpoints of the stack `npm start` is running, kept in `.agentry/running-stack.json` while it
 * runs, so that `npm run agentry` in the same checkout reaches its chain, broker and subgraph, and
 * pays from a development account, without flags. The file names the process that wrote it; a file whose process is gone (killed,
 * machine restarted) is ignored, so stale URLs are never used.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { LOCAL_STATE_DIR } from "./paths.ts";

export const RUNNING_STACK_FILE = path.join(LOCAL_STATE_DIR, "running-stack.json");
/**
 * The CLI's state (call indexes, receipts) for the local stack. Each `npm start` begins a new chain
 * on which the same agreement ids and contract addresses come back, so this directory is emptied at
 * every start instead of mixing with the user's ~/.agentry.
 */
export const LOCAL_CLI_STATE_DIR = path.join(LOCAL_STATE_DIR, "cli");

const runningStackSchema = z.object({
  pid: z.number().int().positive(),
  rpcUrl: z.url(),
  brokerUrl: z.url(),
  subgraphUrl: z.url(),
  /** A funded development account's key (Hardhat's, public): the CLI's default wallet on this chain. */
  keyFile: z.string().min(1),
});
export type RunningStack = z.infer<typeof runningStackSchema>;

export function recordRunningStack(endpoints: Omit<RunningStack, "pid">, file = RUNNING_STACK_FILE): void {
  writeFileSync(file, JSON.stringify({ pid: process.pid, ...endpoints }, null, 2) + "\n");
}

/** Removes the record if this process wrote it (another `npm start` may have replaced it since). */
export function forgetRunningStack(file = RUNNING_STACK_FILE): void {
  if (readRecord(file)?.pid === process.pid) rmSync(file, { force: true });
}

/** The stack recorded by a live `npm start`, or undefined. */
export function runningStack(file = RUNNING_STACK_FILE): RunningStack | undefined {
  const record = readRecord(file);
  return record && isAlive(record.pid) ? record : undefined;
}

/** The record, or undefined when there is none or it is not one (a half-written or foreign file). */
function readRecord(file: string): RunningStack | undefined {
  try {
    return runningStackSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
