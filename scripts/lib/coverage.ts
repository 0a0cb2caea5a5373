/** Line coverage of contracts/ from the lcov file `hardhat test --coverage` writes. */
import { readFile } from "node:fs/promises";

export interface FileCoverage {
  file: string;
  lines: { found: number; hit: number };
}

export function parseLcov(text: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      current = { file: line.slice(3), lines: { found: 0, hit: 0 } };
    } else if (current && line.startsWith("LF:")) current.lines.found = Number(line.slice(3));
    else if (current && line.startsWith("LH:")) current.lines.hit = Number(line.slice(3));
    else if (current && line === "end_of_record") {
      files.push(current);
      current = undefined;
    }
  }
  return files;
}

/** Production contracts only: test helpers under contracts/test/ do not count. */
export function isProductionContract(file: string): boolean {
  return /(^|\/)contracts\//.test(file) && !/(^|\/)contracts\/test\//.test(file);
}

export function percent(hit: number, found: number): number {
  return found === 0 ? 100 : (100 * hit) / found;
}

export async function readContractCoverage(lcovFile: string) {
  return { files: parseLcov(await readFile(lcovFile, "utf8")).filter((f) => isProductionContract(f.file)) };
}
