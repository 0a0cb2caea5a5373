/**
 * Branch coverage of the contracts, derived from `hardhat test --coverage`.
 *
 * Hardhat 3's coverage (EDR) records how often each *statement* ran, and its lcov has no branch
 * records yet. Branches follow from those counts: for every `if`, the true branch ran when its body
 * ran, and the false branch ran when the `else` body ran or, without an `else`, when the `if` ran
 * more often than its body. The statement tags are recomputed with the same EDR instrumentation
 * Hardhat uses (same `project/...` source names), and `if` statements are found in solc's AST. Ternaries and short-circuit operands
 * are not branches here (EDR does not instrument expressions).
 */
import { readFile, readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { addStatementCoverageInstrumentation } from "@nomicfoundation/edr";
import { ROOT } from "./paths.ts";

const require = createRequire(import.meta.url);

interface TaggedStatement {
  start: number;
  end: number;
  tag: string;
}

interface AstNode {
  nodeType: string;
  src: string;
  [key: string]: unknown;
}

export interface BranchReport {
  file: string;
  branches: { line: number; trueTaken: boolean; falseTaken: boolean }[];
}

/** Sums the hit counts of every coverage data file (one per test run and worker). */
async function readHitCounts(dataDir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith(".json")) {
        const data = JSON.parse(await readFile(full, "utf8")) as Record<string, number>;
        for (const [tag, n] of Object.entries(data)) counts.set(tag, (counts.get(tag) ?? 0) + n);
      }
    }
  };
  if (existsSync(dataDir)) await walk(dataDir);
  return counts;
}

function parseAst(sourceName: string, content: string): AstNode {
  const solc = require("solc") as { compile(input: string): string };
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { [sourceName]: { content } },
        settings: { stopAfter: "parsing", outputSelection: { "*": { "": ["ast"] } } },
      }),
    ),
  ) as { sources?: Record<string, { ast: AstNode }>; errors?: { severity: string; formattedMessage: string }[] };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`cannot parse ${sourceName}: ${errors[0]!.formattedMessage}`);
  return output.sources![sourceName]!.ast;
}

function* walk(node: unknown): Generator<AstNode> {
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child);
  } else if (node && typeof node === "object") {
    const n = node as AstNode;
    if (typeof n.nodeType === "string") yield n;
    for (const value of Object.values(n)) if (value && typeof value === "object") yield* walk(value);
  }
}

export async function branchCoverage(files: string[], dataDir: string, solcVersion: string): Promise<BranchReport[]> {
  const hits = await readHitCounts(dataDir);
  const reports: BranchReport[] = [];
  for (const file of files) {
    const content = await readFile(path.join(ROOT, file), "utf8");
    const statements: TaggedStatement[] = addStatementCoverageInstrumentation(content, `project/${file}`, solcVersion)
      .metadata.filter((m) => m.kind === "statement")
      .map((m) => ({ start: m.startUtf16, end: m.endUtf16, tag: Buffer.from(m.tag).toString("hex") }));
    const bytes = Buffer.from(content, "utf8");
    const utf16 = (byteOffset: number) => bytes.subarray(0, byteOffset).toString("utf8").length;
    const range = (node: AstNode) => {
      const [start, length] = node.src.split(":").map(Number) as [number, number];
      return { start: utf16(start), end: utf16(start + length) };
    };
    /** Hits of the smallest instrumented statement that contains the node. */
    const hitsOf = (node: AstNode): number => {
      const r = range(node);
      let best: TaggedStatement | undefined;
      for (const s of statements) {
        if (s.start <= r.start && s.end >= r.end && (!best || s.end - s.start < best.end - best.start)) best = s;
      }
      return best ? (hits.get(best.tag) ?? 0) : 0;
    };
    const lineOf = (offset: number) => content.slice(0, offset).split("\n").length;

    const branches: BranchReport["branches"] = [];
    for (const node of walk(parseAst(file, content))) {
      if (node.nodeType !== "IfStatement") continue;
      const ifHits = hitsOf(node);
      const trueHits = hitsOf(node.trueBody as AstNode);
      const falseHits = node.falseBody ? hitsOf(node.falseBody as AstNode) : ifHits - trueHits;
      branches.push({ line: lineOf(range(node).start), trueTaken: trueHits > 0, falseTaken: falseHits > 0 });
    }
    reports.push({ file, branches });
  }
  return reports;
}
