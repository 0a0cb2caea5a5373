/** csv_to_json: parse CSV/TSV text (papaparse) into JSON rows, with header handling, typing and row-numbered errors. */
import Papa from "papaparse";
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { MAX_TEXT_CHARS, defineTool, jsonOutput } from "./shared.ts";

const MAX_REPORTED_ERRORS = 100;

const inputSchema = z.strictObject({
  csv: z.string().max(MAX_TEXT_CHARS).describe("CSV text (max 1 MiB). Fields may be quoted with \"; quoted fields may contain delimiters and line breaks."),
  header: z.boolean().default(true).describe("Treat the first row as column names and return objects (default true); otherwise return arrays."),
  delimiter: z
    .string()
    .min(1)
    .max(4)
    .default("auto")
    .describe("Field delimiter: `auto` (detect among , ; tab | and others; default) or an explicit delimiter such as `,`, `;`, `\\t` or `|`."),
  dynamicTyping: z
    .boolean()
    .default(true)
    .describe("Convert numbers (no leading zeros, safe integers), true/false and empty fields (null) (default true); otherwise keep every field a string."),
  skipEmptyLines: z.boolean().default(true).describe("Skip empty lines (default true)."),
  maxRows: z.number().int().min(1).max(100_000).default(1000).describe("Stop after this many data rows (default 1000)."),
});

type Cell = string | number | boolean | null;

interface CsvError {
  code: string;
  message: string;
  /** 1-based number of the record in the CSV (the header is record 1 when `header` is true). */
  row: number;
  /** 1-based line of the text where the record (or, for quote errors, the problem) starts. */
  line: number;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Conservative typing: integers only when they are safe and written canonically (so zip codes like
 * 02134, "-0" and 20-digit identifiers stay strings), decimals when finite, true/false in any case,
 * and empty fields as null.
 */
function typeValue(value: string): Cell {
  if (value === "") return null;
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (NUMBER.test(value)) {
    const n = Number(value);
    if (/^-?\d+$/.test(value)) return Number.isSafeInteger(n) && String(n) === value ? n : value;
    if (Number.isFinite(n)) return n;
  }
  return value;
}

export const csvToJson = defineTool({
  name: "csv_to_json",
  runTime: "linear",
  title: "CSV to JSON",
  description:
    "Parse CSV (or TSV and other delimiters, auto-detected) into JSON rows: objects keyed by the header row, or arrays. Optional typing of numbers, booleans and empty fields. " +
    "Reports malformed quotes and rows with too few or too many fields with their record and line numbers.",
  inputSchema,
  run(input) {
    const delimiter = input.delimiter === "auto" ? "" : input.delimiter.replace(/\\t/g, "\t");
    if (/["\r\n]/.test(delimiter)) throw new ToolInputError("`delimiter` cannot contain a double quote or a line break; use e.g. `,`, `;`, `\\t` or `|`");

    const records: string[][] = [];
    const recordLines: number[] = [];
    const errors: CsvError[] = [];
    const warnings: string[] = [];
    let errorCount = 0;
    let truncated = false;
    const addError = (code: string, message: string, row: number, line: number) => {
      errorCount += 1;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ code, message, row, line });
    };

    // Line numbers are tracked incrementally from papaparse's cursor (the offset after each record).
    let lineAt = 1;
    let scanned = 0;
    const lineOf = (offset: number) => {
      for (; scanned < offset && scanned < input.csv.length; scanned++) {
        const c = input.csv.charCodeAt(scanned);
        if (c === 10 || (c === 13 && input.csv.charCodeAt(scanned + 1) !== 10)) lineAt += 1;
      }
      return lineAt;
    };
    let previousCursor = 0;
    const limit = input.maxRows + (input.header ? 1 : 0);

    const meta = { delimiter: delimiter === "" ? "," : delimiter, linebreak: "\n" };
    Papa.parse<string[]>(input.csv, {
      header: false,
      dynamicTyping: false,
      delimiter,
      skipEmptyLines: input.skipEmptyLines,
      step(step, parser) {
        if (records.length === limit) {
          truncated = true;
          parser.abort();
          return;
        }
        // Skip the line breaks of empty lines that papaparse skipped before this record.
        let start = previousCursor;
        while (start < step.meta.cursor && (input.csv[start] === "\n" || input.csv[start] === "\r")) start++;
        if (!input.skipEmptyLines) start = previousCursor; // empty lines are records of their own
        previousCursor = step.meta.cursor;
        meta.delimiter = step.meta.delimiter;
        meta.linebreak = step.meta.linebreak;
        const row = records.length + 1;
        const line = lineOf(start);
        records.push(step.data);
        recordLines.push(line);
        for (const error of step.errors) {
          if (error.code === "UndetectableDelimiter") {
            warnings.push(`${error.message} (a single column, or set \`delimiter\` explicitly)`);
            continue;
          }
          const at = typeof error.index === "number" ? error.index : start;
          // lineOf only moves forward; quote errors point inside the current record.
          const errorLine = at >= start ? line + countBreaks(input.csv, start, at) : line;
          addError(error.code, error.message, row, errorLine);
        }
      },
    });
    const convert = (value: string): Cell => (input.dynamicTyping ? typeValue(value) : value);
    let fields: string[] | undefined;
    let rows: unknown[];
    if (input.header) {
      const headerRecord = records.shift();
      const headerLine = recordLines.shift() ?? 1;
      if (headerRecord === undefined) throw new ToolInputError("the CSV has no header row (it is empty); pass a non-empty CSV or set header to false");
      // Blank or repeated names are made unique deterministically: "" -> "column_3", "a","a" -> "a","a_2".
      const used = new Set<string>();
      fields = headerRecord.map((raw, i) => {
        const base = raw.trim() === "" ? `column_${i + 1}` : raw;
        let name = base;
        for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
        used.add(name);
        return name;
      });
      if (fields.some((f, i) => f !== headerRecord[i])) warnings.push(`header names were made unique/non-empty (record 1, line ${headerLine})`);
      rows = records.map((record, i) => {
        const row = i + 2;
        if (record.length < fields!.length) {
          addError("TooFewFields", `expected ${fields!.length} fields but parsed ${record.length}; missing fields are null`, row, recordLines[i]!);
        } else if (record.length > fields!.length) {
          addError("TooManyFields", `expected ${fields!.length} fields but parsed ${record.length}; extra fields are in "__extra"`, row, recordLines[i]!);
        }
        const entries: Array<[string, unknown]> = fields!.map((f, j) => [f, j < record.length ? convert(record[j]!) : null]);
        if (record.length > fields!.length) entries.push(["__extra", record.slice(fields!.length).map(convert)]);
        // Object.fromEntries defines own properties, so a column named "__proto__" stays ordinary data.
        return Object.fromEntries(entries);
      });
    } else {
      rows = records.map((record) => record.map(convert));
    }
    errors.sort((a, b) => a.row - b.row);

    const structured: Record<string, unknown> = {
      rowCount: rows.length,
      truncated,
      delimiter: meta.delimiter,
      linebreak: meta.linebreak,
    };
    if (fields) structured.fields = fields;
    structured.errorCount = errorCount;
    structured.errors = errors;
    if (warnings.length > 0) structured.warnings = warnings;
    structured.rows = rows;
    return jsonOutput(structured);
  },
});

function countBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}
