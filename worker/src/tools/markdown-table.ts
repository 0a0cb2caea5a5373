/** markdown_table: render JSON rows (objects) as a GitHub-flavoured Markdown table. */
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { MAX_OUTPUT_CHARS, defineTool, jsonValueSchema, type Json } from "./shared.ts";

const ALIGNMENTS = ["left", "center", "right", "auto"] as const;

const inputSchema = z.strictObject({
  rows: z
    .array(jsonValueSchema("A row: an object mapping column names to values."))
    .max(10_000)
    .describe("The rows (at most 10,000 objects)."),
  columns: z
    .array(z.string().min(1).max(256))
    .max(200)
    .optional()
    .describe("Columns to show, in order (default: every key, in order of first appearance)."),
  align: z.enum(ALIGNMENTS).default("auto").describe("Column alignment; `auto` (default) right-aligns columns whose values are all numbers."),
  maxCellLength: z.number().int().min(1).max(10_000).default(200).describe("Longer cells are cut and end with … (default 200 characters)."),
});

function cellText(value: Json | undefined, maxLength: number): string {
  let text = value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  const chars = [...text];
  if (chars.length > maxLength) text = chars.slice(0, maxLength - 1).join("") + "…";
  // Escape backslashes and pipes so cell text is literal; line breaks become <br>.
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replace(/\r\n|[\n\r]/g, "<br>");
}

const width = (s: string) => [...s].length;

export const markdownTable = defineTool({
  name: "markdown_table",
  runTime: "linear",
  title: "Markdown table",
  description:
    "Render JSON rows (objects) as a GitHub-flavoured Markdown table. Columns default to every key in order of first appearance; nested values are shown as JSON; " +
    "pipes are escaped and line breaks become <br>.",
  inputSchema,
  run(input) {
    const rows = input.rows.map((row, i) => {
      if (row === null || typeof row !== "object" || Array.isArray(row)) {
        throw new ToolInputError(`rows[${i}] is not an object; every row must be an object such as {"name": "Ada", "age": 36}`);
      }
      return row;
    });
    let columns = input.columns;
    if (columns === undefined) {
      const seen = new Set<string>();
      for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
      columns = [...seen];
    } else if (new Set(columns).size !== columns.length) {
      throw new ToolInputError("`columns` lists a column more than once; give each column once");
    }
    if (columns.length === 0) throw new ToolInputError("there are no columns to show: give non-empty rows or list `columns`");
    if (columns.length > 200) throw new ToolInputError(`the rows have ${columns.length} distinct keys; at most 200 columns fit in a table: choose some with \`columns\``);

    const header = columns.map((c) => cellText(c, input.maxCellLength));
    const body = rows.map((row) => columns.map((c) => cellText(Object.hasOwn(row, c) ? row[c] : undefined, input.maxCellLength)));
    const alignments = columns.map((c) => {
      if (input.align !== "auto") return input.align;
      const values = rows.map((r) => (Object.hasOwn(r, c) ? r[c] : null)).filter((v) => v !== null && v !== undefined);
      return values.length > 0 && values.every((v) => typeof v === "number") ? "right" : "left";
    });
    const widths = columns.map((_, j) => Math.max(3, width(header[j]!), ...body.map((cells) => width(cells[j]!))));
    // Padding multiplies the widest cell of a column by the number of rows: check the size before building.
    const size = (rows.length + 2) * (widths.reduce((a, b) => a + b, 0) + 3 * columns.length + 1);
    if (size > MAX_OUTPUT_CHARS) {
      throw new ToolInputError(`the table would be ${size} characters (limit ${MAX_OUTPUT_CHARS}, 4 MiB); select fewer rows or columns, or lower maxCellLength`);
    }
    const pad = (text: string, j: number) => {
      const fill = " ".repeat(widths[j]! - width(text));
      return alignments[j] === "right" ? fill + text : alignments[j] === "center" ? " ".repeat(Math.floor(fill.length / 2)) + text + " ".repeat(Math.ceil(fill.length / 2)) : text + fill;
    };
    const line = (cells: string[]) => "| " + cells.map(pad).join(" | ") + " |";
    const rule =
      "| " +
      alignments
        .map((a, j) => {
          const w = widths[j]!;
          return a === "right" ? "-".repeat(w - 1) + ":" : a === "center" ? ":" + "-".repeat(w - 2) + ":" : "-".repeat(w);
        })
        .join(" | ") +
      " |";
    const table = [line(header), rule, ...body.map(line)].join("\n");
    return { text: table, structured: { columns, rowCount: rows.length, markdown: table } };
  },
});
