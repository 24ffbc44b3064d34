/**
 * `quadruple`: the IEEE 754 binary128 floating-point type of RFC 4506 §4.8.
 *
 * JavaScript has no 128-bit float, so a `Quadruple` keeps the 16 wire bytes exactly (big-endian,
 * as XDR sends them) and offers views of them: the sign, the biased exponent (15 bits), the
 * fraction (112 bits, a `bigint`), an exact conversion from `number` (every binary64 value is a
 * binary128 value), a correctly rounded conversion to `number`, and an exact decimal string.
 * Nothing is lost in a decode → encode round trip, NaN payloads and -0 included.
 */
export class Quadruple {
  /** The 16 bytes in XDR (big-endian) order. Treat as read-only. */
  readonly bytes: Uint8Array;

  /** Wraps 16 big-endian bytes (copied). */
  constructor(bytes: Uint8Array) {
    if (bytes.length !== 16) throw new RangeError(`quadruple needs 16 bytes, got ${bytes.length}`);
    this.bytes = Uint8Array.from(bytes);
  }

  /** Builds a value from its fields: sign bit, biased exponent (0..32767), 112-bit fraction. */
  static fromParts(negative: boolean, biasedExponent: number, fraction: bigint): Quadruple {
    if (!Number.isInteger(biasedExponent) || biasedExponent < 0 || biasedExponent > 0x7fff) {
      throw new RangeError(`quadruple exponent out of range: ${biasedExponent}`);
    }
    if (fraction < 0n || fraction >= 1n << 112n) {
      throw new RangeError("quadruple fraction must be in [0, 2^112)");
    }
    const bits = (BigInt(negative ? 1 : 0) << 127n) | (BigInt(biasedExponent) << 112n) | fraction;
    const out = new Uint8Array(16);
    let v = bits;
    for (let i = 15; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return new Quadruple(out);
  }

  /** The exact binary128 value of a JavaScript number (no rounding happens). */
  static fromNumber(n: number): Quadruple {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, n);
    const hi = dv.getUint32(0);
    const lo = dv.getUint32(4);
    const negative = hi >>> 31 === 1;
    const exp64 = (hi >>> 20) & 0x7ff;
    let frac64 = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (exp64 === 0x7ff) {
      // Infinity or NaN: keep the payload in the top bits of the fraction.
      return Quadruple.fromParts(negative, 0x7fff, frac64 << 60n);
    }
    if (exp64 === 0) {
      if (frac64 === 0n) return Quadruple.fromParts(negative, 0, 0n);
      // binary64 subnormal: normalise, binary128 has room for the exponent.
      let e = -1022;
      while ((frac64 & (1n << 52n)) === 0n) {
        frac64 <<= 1n;
        e--;
      }
      frac64 &= (1n << 52n) - 1n;
      return Quadruple.fromParts(negative, e + 16383, frac64 << 60n);
    }
    return Quadruple.fromParts(negative, exp64 - 1023 + 16383, frac64 << 60n);
  }

  /** The 128 bits as one unsigned integer. */
  toBits(): bigint {
    let v = 0n;
    for (const b of this.bytes) v = (v << 8n) | BigInt(b);
    return v;
  }

  get negative(): boolean {
    return (this.bytes[0]! & 0x80) !== 0;
  }

  /** The 15-bit biased exponent (bias 16383). */
  get biasedExponent(): number {
    return ((this.bytes[0]! & 0x7f) << 8) | this.bytes[1]!;
  }

  /** The 112-bit fraction field (without the implicit leading bit). */
  get fraction(): bigint {
    return this.toBits() & ((1n << 112n) - 1n);
  }

  isNaN(): boolean {
    return this.biasedExponent === 0x7fff && this.fraction !== 0n;
  }

  /** Bit-for-bit equality (so NaN equals the same NaN, and 0 differs from -0). */
  equals(other: Quadruple): boolean {
    for (let i = 0; i < 16; i++) if (this.bytes[i] !== other.bytes[i]) return false;
    return true;
  }

  /** The nearest binary64 value (round half to even); overflows to ±Infinity. */
  toNumber(): number {
    const sign = this.negative ? -1 : 1;
    const e = this.biasedExponent;
    const f = this.fraction;
    if (e === 0x7fff) return f === 0n ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    if (e === 0 && f === 0n) return sign * 0;
    // value = m * 2^p exactly, with m an integer.
    const m = e === 0 ? f : f | (1n << 112n);
    const p = (e === 0 ? 1 : e) - 16383 - 112;
    return sign * scaleToNumber(m, p);
  }

  /**
   * The exact value in decimal (binary fractions always terminate), e.g. `0.1` from
   * `fromNumber(0.1)` prints `0.1000000000000000055511151231257827021181583404541015625`.
   */
  toString(): string {
    const e = this.biasedExponent;
    const f = this.fraction;
    const sign = this.negative ? "-" : "";
    if (e === 0x7fff) return f === 0n ? `${sign}Infinity` : "NaN";
    const m = e === 0 ? f : f | (1n << 112n);
    const p = (e === 0 ? 1 : e) - 16383 - 112;
    if (m === 0n) return `${sign}0`;
    if (p >= 0) return sign + (m << BigInt(p)).toString();
    // m / 2^-p = m * 5^-p / 10^-p
    const q = -p;
    const digits = (m * 5n ** BigInt(q)).toString().padStart(q + 1, "0");
    const int = digits.slice(0, digits.length - q);
    const frac = digits.slice(digits.length - q).replace(/0+$/, "");
    return sign + int + (frac === "" ? "" : `.${frac}`);
  }
}

/** m * 2^p as the nearest number, for a non-negative integer m (round half to even). */
function scaleToNumber(m: bigint, p: number): number {
  const bits = m.toString(2).length;
  // Keep 53 significant bits, or fewer where the result is subnormal (exponent below -1074).
  const lowest = Math.max(bits - 53, -1074 - p);
  if (lowest <= 0) return Number(m) * 2 ** p;
  const shift = BigInt(lowest);
  let q = m >> shift;
  const rem = m - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  // Number(q) is exact (q < 2^54); 2 ** x underflows for x < -1074, so split the scaling.
  const exp = p + lowest;
  return exp < -1000 ? Number(q) * 2 ** (exp + 200) * 2 ** -200 : Number(q) * 2 ** exp;
}
