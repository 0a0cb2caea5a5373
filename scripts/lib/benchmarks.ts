/** Writes one named section of BENCHMARKS.md, replacing the previous run's figures for it. */
import { readFile, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./paths.ts";

const FILE = path.join(ROOT, "BENCHMARKS.md");
const PREAMBLE = `# Benchmarks

Figures produced by the project's benchmark scripts; each section names the command that produced
it and is rewritten when that command runs again. Compare figures only within one run (these
machines are shared and noisy), which is why each section states its own ratios.
`;

export async function writeBenchmarkSection(id: string, title: string, command: string, lines: string[]) {
  const current = existsSync(FILE) ? await readFile(FILE, "utf8") : PREAMBLE;
  const begin = `<!-- bench:${id}:begin -->`;
  const end = `<!-- bench:${id}:end -->`;
  const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`;
  const section = [
    begin,
    `## ${title}`,
    "",
    `Command: \`${command}\` — ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
    "",
    ...lines,
    end,
  ].join("\n");
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + section + current.slice(stop + end.length)
      : current.trimEnd() + "\n\n" + section + "\n";
  await writeFile(FILE, next);
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; the benchmarks' machines). */
export function processCpuMs(pid: number): number {
  // Fields after the parenthesized command name: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process in MB, from /proc. */
export function processRssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

/** CPU used by each named process between two calls of the returned function, in ms. */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  let last = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  return () => {
    const now = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
    const used = Object.fromEntries(Object.keys(pids).map((name) => [name, now[name]! - last[name]!]));
    last = now;
    return used;
  };
}

/** The p-th percentile of sorted latencies (the value below which p% of them fall). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `perClient` sequential calls for each of `clients` concurrent clients (a voucher is
 * cumulative, so one agreement's calls go one after the other); returns elapsed ms and latencies.
 */
export async function load(clients: number, perClient: number, call: (client: number, i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const t = performance.now();
        await call(c, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}
