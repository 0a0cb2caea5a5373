/** Writes one named section of BENCHMARKS.md, replacing the previous run's figures for it. */
import { readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
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
