/**
 * convert_timezone: convert an instant, or a local date-time in one IANA time zone, to another zone.
 *
 * Offsets come from the ICU time-zone database bundled with Node (`Intl.DateTimeFormat`), so a
 * result depends only on the input and on the worker's Node build, never on the host clock or the
 * host's time zone.
 */
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { defineTool, jsonOutput } from "./shared.ts";

const DAY_MS = 86_400_000;

/** Epoch milliseconds of a proleptic-Gregorian UTC date-time (Date.UTC maps years 0-99 to 1900+, this does not). */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

const MIN_INSTANT = utcMs(1, 1, 3);
const MAX_INSTANT = utcMs(9999, 12, 29);

const wallFormatters = new Map<string, Intl.DateTimeFormat>();
const nameFormatters = new Map<string, Intl.DateTimeFormat>();

/** The canonical zone name (its formatter cached under that name), or a ToolInputError naming the field. */
function resolveZone(zone: string, field: string): string {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new ToolInputError(
      `\`${field}\` is not a known IANA time zone: \`${zone}\`. Use a name like America/New_York, Europe/Paris, Asia/Kolkata or UTC`,
    );
  }
  const resolved = formatter.resolvedOptions().timeZone;
  if (!wallFormatters.has(resolved)) wallFormatters.set(resolved, formatter);
  return resolved;
}

/** Local wall-clock time in `zone` at `epochMs`, expressed as epoch milliseconds of the same fields in UTC. */
function wallMs(epochMs: number, zone: string): number {
  const seconds = Math.floor(epochMs / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of wallFormatters.get(zone)!.formatToParts(seconds)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return utcMs(fields.year!, fields.month!, fields.day!, fields.hour!, fields.minute!, fields.second!) + (epochMs - seconds);
}

const offsetMs = (epochMs: number, zone: string) => wallMs(epochMs, zone) - epochMs;

function abbreviation(epochMs: number, zone: string): string {
  let formatter = nameFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" });
    nameFormatters.set(zone, formatter);
  }
  return formatter.formatToParts(epochMs).find((p) => p.type === "timeZoneName")?.value ?? "";
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const total = Math.abs(ms) / 1000;
  const hh = String(Math.floor(total / 3600)).padStart(2, "0");
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const ss = total % 60;
  return `${sign}${hh}:${mm}${ss ? ":" + String(ss).padStart(2, "0") : ""}`;
}

/** `YYYY-MM-DDTHH:MM:SS[.sss]` of a wall-clock value produced by {@link wallMs}. */
function formatLocal(wall: number): string {
  const iso = new Date(wall).toISOString(); // years 1..9999 only, guaranteed by the range check
  return iso.endsWith(".000Z") ? iso.slice(0, 19) : iso.slice(0, 23);
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function describe(epochMs: number, zone: string) {
  const offset = offsetMs(epochMs, zone);
  const local = formatLocal(epochMs + offset);
  return {
    timeZone: zone,
    local,
    offset: formatOffset(offset),
    iso: local + formatOffset(offset),
    abbreviation: abbreviation(epochMs, zone),
    weekday: WEEKDAYS[new Date(epochMs + offset).getUTCDay()]!,
  };
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)?)?$/;

interface ParsedDateTime {
  /** The written fields as epoch milliseconds in UTC (i.e. the wall-clock value). */
  local: number;
  /** The explicit UTC offset in milliseconds, if the text had one. */
  offset: number | null;
}

function parseDateTime(text: string): ParsedDateTime {
  const m = ISO.exec(text.trim());
  if (!m) {
    throw new ToolInputError(
      `\`dateTime\` is not an ISO 8601 date-time: \`${text}\`. Use e.g. 2026-03-08T01:30:00 (local, with fromZone), 2026-03-08T06:30:00Z or 2026-03-08T01:30:00-05:00`,
    );
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", z, sign, oh, om = "0", os = "0"] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = month >= 1 && month <= 12 ? new Date(utcMs(year, month + 1, 1) - DAY_MS).getUTCDate() : 0;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new ToolInputError(`\`dateTime\` has an out-of-range field: \`${text}\` (years 0001-9999, hours 00-23, seconds 00-59; leap seconds are not supported)`);
  }
  const ms = Number((frac + "000").slice(0, 3)); // sub-millisecond digits are truncated
  let offset: number | null = null;
  if (z) offset = 0;
  else if (sign) {
    if (Number(oh) > 23 || Number(om) > 59 || Number(os) > 59) throw new ToolInputError(`\`dateTime\` has an invalid UTC offset: \`${text}\``);
    offset = (sign === "-" ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * 1000;
  }
  return { local: utcMs(year, month, day, hour, minute, second, ms), offset };
}

const inputSchema = z.strictObject({
  dateTime: z
    .string()
    .min(10)
    .max(64)
    .describe("ISO 8601 date-time: an instant with Z or an offset (2026-03-08T06:30:00Z), or a local date-time without offset (2026-03-08T01:30), interpreted in fromZone."),
  fromZone: z.string().min(1).max(64).optional().describe("IANA zone of a local dateTime (required when dateTime has no offset), e.g. America/New_York."),
  toZone: z.string().min(1).max(64).describe("IANA zone to convert to, e.g. Europe/Paris or UTC."),
  disambiguation: z
    .enum(["compatible", "earlier", "later", "reject"])
    .default("compatible")
    .describe("For a local time that is skipped (DST gap) or repeated (DST overlap): compatible (later for gaps, earlier for overlaps; the default), earlier, later, or reject."),
});

export const convertTimezone = defineTool({
  name: "convert_timezone",
  runTime: "linear",
  title: "Time zone conversion",
  description:
    "Convert an ISO 8601 instant, or a local date-time in an IANA time zone, to another IANA time zone. Handles daylight-saving gaps and overlaps " +
    "(Temporal-style disambiguation) and returns the UTC instant plus local time, UTC offset, abbreviation and weekday in both zones.",
  inputSchema,
  run(input) {
    const toZone = resolveZone(input.toZone, "toZone");
    const fromZone = input.fromZone === undefined ? undefined : resolveZone(input.fromZone, "fromZone");
    const parsed = parseDateTime(input.dateTime);
    let instant: number;
    let resolution: Record<string, unknown> | undefined;
    if (parsed.offset !== null) {
      instant = parsed.local - parsed.offset;
    } else {
      if (fromZone === undefined) {
        throw new ToolInputError("`dateTime` has no UTC offset, so `fromZone` is required to interpret it (or append Z or an offset such as -05:00)");
      }
      if (parsed.local < MIN_INSTANT || parsed.local > MAX_INSTANT) {
        throw new ToolInputError("`dateTime` must be between 0001-01-03 and 9999-12-29");
      }
      const before = offsetMs(parsed.local - DAY_MS, fromZone);
      const after = offsetMs(parsed.local + DAY_MS, fromZone);
      const candidates = [...new Set([parsed.local - before, parsed.local - after])]
        .filter((t) => wallMs(t, fromZone) === parsed.local)
        .sort((a, b) => a - b);
      if (candidates.length === 1) {
        instant = candidates[0]!;
      } else {
        const kind = candidates.length === 0 ? "gap" : "overlap";
        const earlier = kind === "gap" ? parsed.local - after : candidates[0]!;
        const later = kind === "gap" ? parsed.local - before : candidates[candidates.length - 1]!;
        const local = formatLocal(parsed.local);
        if (input.disambiguation === "reject") {
          throw new ToolInputError(
            kind === "gap"
              ? `${local} does not exist in ${fromZone} (skipped by a clock change); pick another time or set disambiguation to earlier, later or compatible`
              : `${local} occurs twice in ${fromZone} (repeated by a clock change); give an explicit offset or set disambiguation to earlier, later or compatible`,
          );
        }
        const pickLater = input.disambiguation === "later" || (input.disambiguation === "compatible" && kind === "gap");
        instant = pickLater ? later : earlier;
        resolution = {
          kind,
          disambiguation: input.disambiguation,
          note:
            kind === "gap"
              ? `${local} was skipped in ${fromZone} by a clock change; resolved to the ${pickLater ? "later" : "earlier"} interpretation`
              : `${local} occurred twice in ${fromZone}; resolved to the ${pickLater ? "later" : "earlier"} occurrence`,
        };
      }
    }
    if (instant < MIN_INSTANT || instant > MAX_INSTANT) throw new ToolInputError("`dateTime` must be between 0001-01-03 and 9999-12-29");
    const structured: Record<string, unknown> = {
      instant: new Date(instant).toISOString(),
      epochMilliseconds: instant,
      from: fromZone === undefined ? { offset: formatOffset(parsed.offset!) } : describe(instant, fromZone),
      to: describe(instant, toZone),
    };
    if (resolution) structured.resolution = resolution;
    return jsonOutput(structured);
  },
});
