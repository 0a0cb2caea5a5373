/**
 * How the CLI talks: results on stdout (a table or text for people, one JSON document with
 * `--json`), progress and errors on stderr, and a CliError for every failure a user can fix: what is
 * wrong, and what to do about it.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly hint: string;
  /** 2: bad usage or configuration; 1: the operation failed. */
  readonly exitCode: number;
  constructor(message: string, hint: string, exitCode = 1) {
    super(message);
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

export function usageError(message: string, hint: string): CliError {
  return new CliError(message, hint, 2);
}

/** JSON with bigints as decimal strings (token amounts and ids do not fit in a double). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** A progress line on stderr, so stdout stays clean for results and `--json`. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

export interface Output {
  json: boolean;
}

/** Prints the command's result: `value` as JSON, or `human()` for people. */
export function printResult(output: Output, value: unknown, human: () => string): void {
  process.stdout.write(`${output.json ? toJson(value) : human()}\n`);
}

/** A left-aligned text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** wei as ETH text without floating point: 1500000000000000 -> "0.0015". */
export function formatEth(wei: bigint): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = abs / 10n ** 18n;
  const fraction = (abs % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
