/**
 * convert_units: unit conversion with exact, defined factors (international yard and pound, US
 * customary and imperial volumes, IEC/SI data sizes), computed in exact rational arithmetic and
 * rounded once to 15 significant digits.
 */
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { defineTool } from "./shared.ts";
import { add, cmp, div, fromNumber, mul, parseRational, rational, sub, toSignificant, type Rational } from "./rational.ts";

type Category = "length" | "mass" | "temperature" | "volume" | "area" | "speed" | "data" | "time";

interface Unit {
  readonly symbol: string;
  readonly name: string;
  readonly category: Category;
  /** base = scale * value + offset (offset is non-zero only for temperatures). Base units: m, kg, K, m³, m², m/s, byte, s. */
  readonly scale: Rational;
  readonly offset: Rational;
  /** Alternative symbols, matched case-sensitively. */
  readonly aliases: readonly string[];
  /** Names, matched case-insensitively (a plural with "s" is added automatically). */
  readonly names: readonly string[];
}

const UNITS: Unit[] = [];
function def(category: Category, symbol: string, names: string[], scale: string, aliases: string[] = [], offset = "0"): void {
  UNITS.push({ category, symbol, name: names[0]!, names, aliases, scale: parseRational(scale), offset: parseRational(offset) });
}

// Length (base: metre). International yard = 0.9144 m exactly (1959).
def("length", "m", ["metre", "meter"], "1");
def("length", "km", ["kilometre", "kilometer"], "1000");
def("length", "cm", ["centimetre", "centimeter"], "0.01");
def("length", "mm", ["millimetre", "millimeter"], "0.001");
def("length", "µm", ["micrometre", "micrometer", "micron"], "1e-6", ["um", "μm"]);
def("length", "nm", ["nanometre", "nanometer"], "1e-9");
def("length", "in", ["inch", "inches"], "0.0254");
def("length", "ft", ["foot", "feet"], "0.3048");
def("length", "yd", ["yard"], "0.9144");
def("length", "mi", ["mile", "statute mile"], "1609.344");
def("length", "nmi", ["nautical mile"], "1852");
def("length", "au", ["astronomical unit"], "149597870700");
def("length", "ly", ["light-year", "light year", "lightyear"], "9460730472580800");

// Mass (base: kilogram). International avoirdupois pound = 0.45359237 kg exactly.
def("mass", "kg", ["kilogram", "kilogramme"], "1");
def("mass", "g", ["gram", "gramme"], "0.001");
def("mass", "mg", ["milligram"], "1e-6");
def("mass", "µg", ["microgram"], "1e-9", ["ug", "μg", "mcg"]);
def("mass", "t", ["tonne", "metric ton"], "1000");
def("mass", "lb", ["pound"], "0.45359237", ["lbs"]);
def("mass", "oz", ["ounce"], "0.45359237/16");
def("mass", "st", ["stone"], "6.35029318");
def("mass", "short_ton", ["short ton", "us ton"], "907.18474");
def("mass", "long_ton", ["long ton", "imperial ton"], "1016.0469088");

// Temperature (base: kelvin). K = scale * value + offset.
def("temperature", "K", ["kelvin"], "1");
def("temperature", "°C", ["celsius", "degree celsius", "degrees celsius", "centigrade"], "1", ["C", "degC", "℃"], "273.15");
def("temperature", "°F", ["fahrenheit", "degree fahrenheit", "degrees fahrenheit"], "5/9", ["F", "degF", "℉"], "45967/180");
def("temperature", "°R", ["rankine", "degree rankine", "degrees rankine"], "5/9", ["R", "degR"]);

// Volume (base: cubic metre). US gallon = 231 in³ = 3.785411784 L; imperial gallon = 4.54609 L.
def("volume", "m3", ["cubic metre", "cubic meter"], "1", ["m³", "m^3"]);
def("volume", "L", ["litre", "liter"], "0.001", ["l", "ℓ"]);
def("volume", "mL", ["millilitre", "milliliter"], "1e-6", ["ml"]);
def("volume", "cm3", ["cubic centimetre", "cubic centimeter"], "1e-6", ["cm³", "cm^3", "cc"]);
def("volume", "gal", ["US gallon", "gallon"], "0.003785411784");
def("volume", "qt", ["US quart", "quart"], "0.003785411784/4");
def("volume", "pt", ["US pint", "pint"], "0.003785411784/8");
def("volume", "cup", ["US cup"], "0.003785411784/16");
def("volume", "fl_oz", ["US fluid ounce", "fluid ounce"], "0.003785411784/128", ["floz", "fl oz"]);
def("volume", "tbsp", ["US tablespoon", "tablespoon"], "0.003785411784/256");
def("volume", "tsp", ["US teaspoon", "teaspoon"], "0.003785411784/768");
def("volume", "imp_gal", ["imperial gallon", "UK gallon"], "0.00454609");
def("volume", "imp_pt", ["imperial pint", "UK pint"], "0.00454609/8");
def("volume", "ft3", ["cubic foot", "cubic feet"], "0.028316846592", ["ft³", "cu ft"]);
def("volume", "in3", ["cubic inch", "cubic inches"], "0.000016387064", ["in³", "cu in"]);

// Area (base: square metre).
def("area", "m2", ["square metre", "square meter"], "1", ["m²", "m^2"]);
def("area", "km2", ["square kilometre", "square kilometer"], "1e6", ["km²", "km^2"]);
def("area", "cm2", ["square centimetre", "square centimeter"], "1e-4", ["cm²", "cm^2"]);
def("area", "mm2", ["square millimetre", "square millimeter"], "1e-6", ["mm²", "mm^2"]);
def("area", "ha", ["hectare"], "1e4");
def("area", "acre", ["international acre"], "4046.8564224", ["ac"]);
def("area", "ft2", ["square foot", "square feet"], "0.09290304", ["ft²", "sq ft"]);
def("area", "in2", ["square inch", "square inches"], "0.00064516", ["in²", "sq in"]);
def("area", "yd2", ["square yard"], "0.83612736", ["yd²", "sq yd"]);
def("area", "mi2", ["square mile"], "2589988.110336", ["mi²", "sq mi"]);

// Speed (base: metre per second).
def("speed", "m/s", ["metre per second", "meter per second", "metres per second", "meters per second"], "1", ["mps"]);
def("speed", "km/h", ["kilometre per hour", "kilometer per hour", "kilometres per hour", "kilometers per hour"], "1000/3600", ["kph", "kmh"]);
def("speed", "mph", ["mile per hour", "miles per hour"], "1609.344/3600", ["mi/h"]);
def("speed", "kn", ["knot"], "1852/3600", ["kt"]);
def("speed", "ft/s", ["foot per second", "feet per second"], "0.3048", ["fps"]);

// Data size (base: byte). SI prefixes are powers of 1000 (KB is accepted for kB), IEC prefixes powers of 1024.
def("data", "bit", ["bit"], "1/8", ["b"]);
def("data", "B", ["byte"], "1");
def("data", "kB", ["kilobyte"], "1000", ["KB"]);
def("data", "MB", ["megabyte"], "1e6");
def("data", "GB", ["gigabyte"], "1e9");
def("data", "TB", ["terabyte"], "1e12");
def("data", "PB", ["petabyte"], "1e15");
def("data", "KiB", ["kibibyte"], String(2 ** 10));
def("data", "MiB", ["mebibyte"], String(2 ** 20));
def("data", "GiB", ["gibibyte"], String(2 ** 30));
def("data", "TiB", ["tebibyte"], String(2 ** 40));
def("data", "PiB", ["pebibyte"], String(2 ** 50));
def("data", "kbit", ["kilobit"], "1000/8", ["Kbit"]);
def("data", "Mbit", ["megabit"], "1e6/8");
def("data", "Gbit", ["gigabit"], "1e9/8");
def("data", "Tbit", ["terabit"], "1e12/8");

// Time (base: second). A year is the Julian year of 365.25 days.
def("time", "ns", ["nanosecond"], "1e-9");
def("time", "µs", ["microsecond"], "1e-6", ["us", "μs"]);
def("time", "ms", ["millisecond"], "0.001");
def("time", "s", ["second"], "1", ["sec", "secs"]);
def("time", "min", ["minute"], "60", ["mins"]);
def("time", "h", ["hour"], "3600", ["hr", "hrs"]);
def("time", "d", ["day"], "86400");
def("time", "wk", ["week"], "604800");
def("time", "yr", ["year", "julian year"], "31557600", ["a"]);

const normalizeName = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();
const BY_SYMBOL = new Map<string, Unit>();
const BY_NAME = new Map<string, Unit>();
/** Case-insensitive symbol fallback (symbols of 2+ characters outside data sizes, where case matters: Mb vs MB). */
const BY_FOLDED_SYMBOL = new Map<string, Unit | null>();
for (const unit of UNITS) {
  for (const symbol of [unit.symbol, ...unit.aliases]) {
    if (BY_SYMBOL.has(symbol)) throw new Error(`duplicate unit symbol ${symbol}`);
    BY_SYMBOL.set(symbol, unit);
    if (unit.category !== "data" && symbol.length >= 2) {
      const folded = symbol.toLowerCase();
      const previous = BY_FOLDED_SYMBOL.get(folded);
      BY_FOLDED_SYMBOL.set(folded, previous === undefined || previous === unit ? unit : null);
    }
  }
  for (const name of unit.names) {
    for (const form of new Set([name, name.endsWith("s") ? name : name + "s"].map(normalizeName))) {
      if (BY_NAME.has(form)) throw new Error(`duplicate unit name ${form}`);
      BY_NAME.set(form, unit);
    }
  }
}

function findUnit(text: string, field: string): Unit {
  const trimmed = text.trim();
  const unit = BY_SYMBOL.get(trimmed) ?? BY_NAME.get(normalizeName(trimmed)) ?? BY_FOLDED_SYMBOL.get(trimmed.toLowerCase());
  if (unit) return unit;
  const folded = trimmed.toLowerCase();
  const similar = [...BY_SYMBOL.keys()].filter((s) => s.toLowerCase() === folded);
  const hint = similar.length > 0 ? ` Did you mean ${similar.join(" or ")}? (symbols are case-sensitive)` : "";
  throw new ToolInputError(`unknown unit \`${text}\` in \`${field}\`.${hint} Supported: ${supportedList()}`);
}

function supportedList(): string {
  const byCategory = new Map<Category, string[]>();
  for (const unit of UNITS) byCategory.set(unit.category, [...(byCategory.get(unit.category) ?? []), unit.symbol]);
  return [...byCategory].map(([category, symbols]) => `${category}: ${symbols.join(", ")}`).join("; ");
}

const inputSchema = z.strictObject({
  value: z.number().describe("The quantity to convert (a finite number)."),
  from: z.string().min(1).max(64).describe("Source unit: a symbol (`km`, `°F`, `MiB`, `mph`) or a name (`kilometres`, `fahrenheit`)."),
  to: z.string().min(1).max(64).describe("Target unit, of the same kind as `from`."),
  significantDigits: z.number().int().min(1).max(17).default(15).describe("Significant digits of the result (default 15)."),
});

/** Exact conversion of `value` between two units of the same category. */
export function convertExact(value: Rational, from: Unit, to: Unit): Rational {
  return div(sub(add(mul(value, from.scale), from.offset), to.offset), to.scale);
}

export const convertUnits = defineTool({
  name: "convert_units",
  runTime: "linear",
  title: "Unit conversion",
  description:
    "Convert a quantity between units of length, mass, temperature, volume (US customary and imperial), area, speed, data size (kB = 1000 B, KiB = 1024 B, bits) " +
    "and time durations. Uses exact defined factors (1 in = 2.54 cm, 1 lb = 0.45359237 kg, 1 US gal = 3.785411784 L) in exact arithmetic, rounded once.",
  inputSchema,
  run(input) {
    if (!Number.isFinite(input.value)) throw new ToolInputError("`value` must be a finite number");
    const from = findUnit(input.from, "from");
    const to = findUnit(input.to, "to");
    if (from.category !== to.category) {
      throw new ToolInputError(
        `cannot convert ${from.category} (${from.symbol}) to ${to.category} (${to.symbol}); choose a target unit of the same kind: ${UNITS.filter((u) => u.category === from.category)
          .map((u) => u.symbol)
          .join(", ")}`,
      );
    }
    const value = fromNumber(input.value);
    if (from.category === "temperature" && cmp(add(mul(value, from.scale), from.offset), rational(0n)) < 0) {
      throw new ToolInputError(`${input.value} ${from.symbol} is below absolute zero (0 K); a temperature cannot be lower`);
    }
    const { value: result, exact } = toSignificant(convertExact(value, from, to), input.significantDigits);
    if (!Number.isFinite(result)) throw new ToolInputError(`the result of converting ${input.value} ${from.symbol} to ${to.symbol} is too large to represent`);
    const structured = {
      category: from.category,
      value: input.value,
      from: { symbol: from.symbol, name: from.name },
      to: { symbol: to.symbol, name: to.name },
      result,
      exact,
    };
    return { text: `${input.value} ${from.symbol} = ${result} ${to.symbol}${exact ? "" : ` (rounded to ${input.significantDigits} significant digits)`}`, structured };
  },
});
