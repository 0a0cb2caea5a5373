/** Exact rational arithmetic on BigInt, used for unit conversion with exact factors. */

export interface Rational {
  readonly n: bigint;
  /** Always positive. */
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rational(n: bigint, d = 1n): Rational {
  if (d === 0n) throw new RangeError("division by zero");
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** Parse a decimal literal (`-1.5`, `1e+21`, `2.5E-7`) or a fraction of two such literals (`5/9`). */
export function parseRational(text: string): Rational {
  const slash = text.indexOf("/");
  if (slash >= 0) return div(parseRational(text.slice(0, slash)), parseRational(text.slice(slash + 1)));
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new SyntaxError(`not a decimal number: ${text}`);
  const [, sign, whole, frac = "", exp = "0"] = m;
  let n = BigInt(whole! + frac);
  let d = 10n ** BigInt(frac.length);
  const e = Number(exp);
  if (e >= 0) n *= 10n ** BigInt(e);
  else d *= 10n ** BigInt(-e);
  return rational(sign === "-" ? -n : n, d);
}

/** The exact value of a finite double, via its shortest round-trip decimal representation. */
export function fromNumber(value: number): Rational {
  return parseRational(String(value));
}

export const add = (a: Rational, b: Rational): Rational => rational(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rational(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rational(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational => rational(a.n * b.d, a.d * b.n);
export const cmp = (a: Rational, b: Rational): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};

/**
 * Round to `digits` significant decimal digits (half away from zero). Returns the nearest double
 * and whether the rounding was exact (the rational has no further non-zero digits).
 */
export function toSignificant(q: Rational, digits: number): { value: number; exact: boolean } {
  if (q.n === 0n) return { value: 0, exact: true };
  const negative = q.n < 0n;
  const n = negative ? -q.n : q.n;
  // exponent e with 10^e <= n/d < 10^(e+1)
  let e = n.toString().length - q.d.toString().length;
  const pow = (k: number) => 10n ** BigInt(Math.abs(k));
  const geq = (k: number) => (k >= 0 ? n >= q.d * pow(k) : n * pow(k) >= q.d); // n/d >= 10^k
  if (!geq(e)) e -= 1;
  else if (geq(e + 1)) e += 1;
  const shift = digits - 1 - e; // scaled = n/d * 10^shift
  const num = shift >= 0 ? n * pow(shift) : n;
  const den = shift >= 0 ? q.d : q.d * pow(shift);
  let scaled = num / den;
  const remainder = num - scaled * den;
  if (remainder * 2n >= den) scaled += 1n;
  const value = Number(`${negative ? "-" : ""}${scaled}e${-shift}`);
  return { value, exact: remainder === 0n };
}
