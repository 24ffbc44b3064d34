/**
 * The Poly1305 one-time authenticator of RFC 8439 §2.5 in plain TypeScript: the small-packet half
 * of `chacha20-poly1305.ts` (with `chacha20.ts`).
 *
 * Arithmetic modulo p = 2^130 - 5 on six 22-bit limbs (weights 2^0, 2^22, ... 2^110) held in
 * doubles. A limb product folds down from weight 2^(22k), k ≥ 6, as 2^132 ≡ 4 × 5 = 20 (mod p);
 * limbs stay below 2^23.1 and r's below 2^22, so a product is below 2^49.4 and a sum of six below
 * 2^52: exact in a double, with 36 multiplications per block (26-bit limbs, as C code uses with
 * 64-bit integers, would need 2^54 and lose bits; 13-bit limbs would need 100).
 *
 * Constant time as far as JavaScript allows: no branch and no memory index depends on the key or
 * the message, only on lengths; the final "subtract p if h ≥ p" is a mask, not a branch; the
 * carries divide by powers of two as multiplications by their exact inverses (no divider, whose
 * latency may depend on its operands) and `Math.floor`.
 *
 * Contract: pure and synchronous; a {@link Poly1305} is reused across messages by calling
 * {@link Poly1305.init} with each new one-time key.
 */

const LIMB = 4_194_304; // 2^22
/** 2^-22, exact: multiplying by it is a division by 2^22 without the divider's latency. */
const INV_LIMB = 1 / LIMB;
const MASK = 0x3fffff;
const TOP_LIMB = 1_048_576; // 2^20: the top limb's share of 130 bits (110 + 20)
const INV_TOP_LIMB = 1 / TOP_LIMB;
const WORD = 4_294_967_296; // 2^32
const INV_WORD = 1 / WORD;

/** Bytes in a Poly1305 block and in its tag. */
export const POLY_BLOCK_LENGTH = 16;

function word(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/** One Poly1305 computation in progress: r, s and the accumulator h (RFC 8439 §2.5.1). */
export class Poly1305 {
  private readonly r = new Float64Array(6);
  private readonly h = new Float64Array(6);
  /** s, the key's second half, as four unsigned 32-bit words. */
  private readonly pad = new Float64Array(4);

  /** Starts a new message under the one-time key `key[offset..offset+32)` (r clamped, then s). */
  init(key: Uint8Array, offset: number): void {
    // clamp(r): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff (RFC 8439 §2.5).
    const w0 = word(key, offset) & 0x0fffffff;
    const w1 = word(key, offset + 4) & 0x0ffffffc;
    const w2 = word(key, offset + 8) & 0x0ffffffc;
    const w3 = word(key, offset + 12) & 0x0ffffffc;
    const r = this.r;
    r[0] = w0 & MASK;
    r[1] = ((w0 >>> 22) | (w1 << 10)) & MASK;
    r[2] = ((w1 >>> 12) | (w2 << 20)) & MASK;
    r[3] = (w2 >>> 2) & MASK;
    r[4] = ((w2 >>> 24) | (w3 << 8)) & MASK;
    r[5] = w3 >>> 14;
    this.h.fill(0);
    for (let i = 0; i < 4; i++) this.pad[i] = word(key, offset + 16 + 4 * i) >>> 0;
  }

  /**
   * Absorbs the whole 16-byte blocks of `m[start..end)` (`end - start` a multiple of 16), each
   * with the 2^128 bit set (`hibit` true, every block of the AEAD's padded input) or not (the
   * last, short, block of a plain Poly1305 message, already padded with 0x01 and zeros).
   */
  blocks(m: Uint8Array, start: number, end: number, hibit: boolean): void {
    const top = hibit ? 1 << 18 : 0; // bit 128 is bit 18 of limb 5 (5 × 22 = 110)
    const r = this.r;
    const h = this.h;
    const r0 = r[0]!;
    const r1 = r[1]!;
    const r2 = r[2]!;
    const r3 = r[3]!;
    const r4 = r[4]!;
    const r5 = r[5]!;
    const s1 = 20 * r1;
    const s2 = 20 * r2;
    const s3 = 20 * r3;
    const s4 = 20 * r4;
    const s5 = 20 * r5;
    let h0 = h[0]!;
    let h1 = h[1]!;
    let h2 = h[2]!;
    let h3 = h[3]!;
    let h4 = h[4]!;
    let h5 = h[5]!;
    for (let at = start; at < end; at += POLY_BLOCK_LENGTH) {
      const w0 = word(m, at);
      const w1 = word(m, at + 4);
      const w2 = word(m, at + 8);
      const w3 = word(m, at + 12);
      // h += block (the 16 bytes as a little-endian number, plus 2^128 when hibit)
      h0 += w0 & MASK;
      h1 += ((w0 >>> 22) | (w1 << 10)) & MASK;
      h2 += ((w1 >>> 12) | (w2 << 20)) & MASK;
      h3 += (w2 >>> 2) & MASK;
      h4 += ((w2 >>> 24) | (w3 << 8)) & MASK;
      h5 += (w3 >>> 14) | top;
      // h *= r (mod p)
      let d0 = h0 * r0 + h1 * s5 + h2 * s4 + h3 * s3 + h4 * s2 + h5 * s1;
      let d1 = h0 * r1 + h1 * r0 + h2 * s5 + h3 * s4 + h4 * s3 + h5 * s2;
      let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s5 + h4 * s4 + h5 * s3;
      let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s5 + h5 * s4;
      let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0 + h5 * s5;
      let d5 = h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1 + h5 * r0;
      // Carry each column into the next; the carry out of limb 5 (weight 2^132) re-enters limb 0
      // times 20.
      let c = Math.floor(d0 * INV_LIMB);
      d0 -= c * LIMB;
      d1 += c;
      c = Math.floor(d1 * INV_LIMB);
      d1 -= c * LIMB;
      d2 += c;
      c = Math.floor(d2 * INV_LIMB);
      d2 -= c * LIMB;
      d3 += c;
      c = Math.floor(d3 * INV_LIMB);
      d3 -= c * LIMB;
      d4 += c;
      c = Math.floor(d4 * INV_LIMB);
      d4 -= c * LIMB;
      d5 += c;
      c = Math.floor(d5 * INV_LIMB);
      d5 -= c * LIMB;
      d0 += 20 * c;
      c = Math.floor(d0 * INV_LIMB);
      d0 -= c * LIMB;
      h0 = d0;
      h1 = d1 + c;
      h2 = d2;
      h3 = d3;
      h4 = d4;
      h5 = d5;
    }
    h[0] = h0;
    h[1] = h1;
    h[2] = h2;
    h[3] = h3;
    h[4] = h4;
    h[5] = h5;
  }

  /** Writes the tag, (h mod p) + s mod 2^128 little-endian, to `out[offset..offset+16)`. */
  finish(out: Uint8Array, offset: number): void {
    const h = this.h;
    // Three carry passes at 130 bits (the top limb keeps 20 bits; what is above 2^130 re-enters
    // limb 0 times 5) leave h below 2^130 with every limb in range: small integers from here on.
    for (let pass = 0; pass < 3; pass++) {
      let c = 0;
      for (let i = 0; i < 5; i++) {
        const v = h[i]! + c;
        c = Math.floor(v * INV_LIMB);
        h[i] = v - c * LIMB;
      }
      const v = h[5]! + c;
      c = Math.floor(v * INV_TOP_LIMB);
      h[5] = v - c * TOP_LIMB;
      h[0] = h[0]! + 5 * c;
    }
    // g = h + 5 - 2^130; h ≥ p exactly when the carry out of bit 130 is 1, and then h mod p = g.
    const g = gScratch;
    let c = 5;
    for (let i = 0; i < 5; i++) {
      const v = (h[i]! | 0) + c;
      c = v >>> 22;
      g[i] = v & MASK;
    }
    const v5 = (h[5]! | 0) + c;
    c = v5 >>> 20;
    g[5] = v5 & (TOP_LIMB - 1);
    const useG = -c; // all ones when h ≥ p, else 0
    for (let i = 0; i < 6; i++) g[i] = ((h[i]! | 0) & ~useG) | (g[i]! & useG);
    // (h mod p) mod 2^128 as four 32-bit words, plus s, carrying.
    const s = this.pad;
    let f = ((g[0]! | (g[1]! << 22)) >>> 0) + s[0]!;
    put32(out, offset, f);
    f = (((g[1]! >>> 10) | (g[2]! << 12)) >>> 0) + s[1]! + Math.floor(f * INV_WORD);
    put32(out, offset + 4, f);
    f = (((g[2]! >>> 20) | (g[3]! << 2) | (g[4]! << 24)) >>> 0) + s[2]! + Math.floor(f * INV_WORD);
    put32(out, offset + 8, f);
    f = (((g[4]! >>> 8) | (g[5]! << 14)) >>> 0) + s[3]! + Math.floor(f * INV_WORD);
    put32(out, offset + 12, f);
    // Nothing of this one-time key or its accumulator outlives the tag.
    h.fill(0);
    this.r.fill(0);
    this.pad.fill(0);
  }
}

const gScratch = new Int32Array(6);

/** Writes the low 32 bits of `value` little-endian (typed-array stores keep the low 8 bits). */
function put32(out: Uint8Array, at: number, value: number): void {
  const low = value >>> 0;
  out[at] = low;
  out[at + 1] = low >>> 8;
  out[at + 2] = low >>> 16;
  out[at + 3] = low >>> 24;
}

const lastBlock = new Uint8Array(POLY_BLOCK_LENGTH);

/**
 * The Poly1305 tag of a whole message under a 32-byte one-time key (RFC 8439 §2.5.1): the AEAD
 * feeds padded blocks through {@link Poly1305} directly; this form, with the short last block
 * padded by 0x01 and zeros, is what the RFC's test vectors (§2.5.2, Appendix A.3) check.
 */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError("Poly1305 key must be 32 bytes");
  const mac = new Poly1305();
  mac.init(key, 0);
  const whole = message.length - (message.length % POLY_BLOCK_LENGTH);
  mac.blocks(message, 0, whole, true);
  if (whole < message.length) {
    lastBlock.fill(0);
    lastBlock.set(message.subarray(whole));
    lastBlock[message.length - whole] = 1;
    mac.blocks(lastBlock, 0, POLY_BLOCK_LENGTH, false);
  }
  const tag = new Uint8Array(POLY_BLOCK_LENGTH);
  mac.finish(tag, 0);
  return tag;
}
