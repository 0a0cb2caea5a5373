/**
 * graph-node's BigDecimal: value = digits × 10^exp, normalized to at most 34 significant digits
 * with trailing zeros removed, rounded the way graph-node's pinned bigdecimal 0.1 rounds (the
 * first dropped digit >= 5 rounds a positive value up; negative values truncate), and printed in
 * plain (never scientific) notation. Mappings observe these exact strings, so they must match.
 */
const MAX_SIGNIFICANT_DIGITS = 34;
/** Digits computed by a division before rounding (bigdecimal 0.1 divides to 100). */
const DIVISION_DIGITS = 100;

export class DecimalError extends Error {}

export class Decimal {
  private constructor(
    readonly digits: bigint,
    readonly exp: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  /** Rounds to 34 significant digits and strips trailing zeros (graph-node's `normalized`). */
  static of(digits: bigint, exp: number): Decimal {
    if (digits === 0n) return Decimal.ZERO;
    const count = abs(digits).toString().length;
    if (count > MAX_SIGNIFICANT_DIGITS) {
      const diff = count - MAX_SIGNIFICANT_DIGITS;
      const p = 10n ** BigInt(diff);
      let q = digits / p;
      const r = digits % p;
      // bigdecimal 0.1's with_prec: a positive remainder whose leading digit is >= 5 rounds up
      if (r > 0n && p < 10n * r && r * 10n / p >= 5n) q += 1n;
      digits = q;
      exp += diff;
    }
    while (digits % 10n === 0n) {
      digits /= 10n;
      exp += 1;
    }
    return new Decimal(digits, exp);
  }

  static fromBigInt(n: bigint): Decimal {
    return Decimal.of(n, 0);
  }

  static parse(text: string): Decimal {
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    if (!match || (match[2] === "" && (match[3] ?? "") === "")) throw new DecimalError(`"${text}" is not a decimal number`);
    const [, sign, whole = "", fraction = "", exponent = "0"] = match;
    const digits = BigInt(`${sign}${whole}${fraction}` === sign ? "0" : `${sign}${whole}${fraction}`);
    return Decimal.of(digits, Number(exponent) - fraction.length);
  }

  plus(other: Decimal): Decimal {
    const exp = Math.min(this.exp, other.exp);
    return Decimal.of(scaleTo(this, exp) + scaleTo(other, exp), exp);
  }

  minus(other: Decimal): Decimal {
    return this.plus(new Decimal(-other.digits, other.exp));
  }

  times(other: Decimal): Decimal {
    return Decimal.of(this.digits * other.digits, this.exp + other.exp);
  }

  dividedBy(other: Decimal): Decimal {
    if (other.digits === 0n) throw new DecimalError("Division by zero");
    if (this.digits === 0n) return Decimal.ZERO;
    const negative = this.digits < 0n !== other.digits < 0n;
    const num = abs(this.digits);
    const den = abs(other.digits);
    // enough digits that the quotient carries DIVISION_DIGITS significant ones
    const shift = DIVISION_DIGITS + Math.max(0, den.toString().length - num.toString().length);
    const quotient = (num * 10n ** BigInt(shift)) / den;
    return Decimal.of(negative ? -quotient : quotient, this.exp - other.exp - shift);
  }

  equals(other: Decimal): boolean {
    return this.digits === other.digits && this.exp === other.exp;
  }

  compare(other: Decimal): number {
    const exp = Math.min(this.exp, other.exp);
    const a = scaleTo(this, exp);
    const b = scaleTo(other, exp);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  toString(): string {
    const negative = this.digits < 0n;
    const text = abs(this.digits).toString();
    let out: string;
    if (this.exp >= 0) out = text + "0".repeat(this.exp);
    else if (-this.exp >= text.length) out = `0.${"0".repeat(-this.exp - text.length)}${text}`;
    else out = `${text.slice(0, text.length + this.exp)}.${text.slice(text.length + this.exp)}`;
    return negative ? `-${out}` : out;
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function scaleTo(d: Decimal, exp: number): bigint {
  return d.digits * 10n ** BigInt(d.exp - exp);
}
