/** Progress logs as clear text lines: time, level, message, then key=value fields. */
import type { Logger } from "./indexer.ts";

export function textLogger(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`), minimum: "debug" | "info" = "info"): Logger {
  return (level, message, fields) => {
    if (level === "debug" && minimum !== "debug") return;
    const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join("") : "";
    write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(8)} ${message}${extra}`);
  };
}
