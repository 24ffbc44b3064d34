/**
 * The Poly1305 one-time authenticator of RFC 8439 §2.5 in plain TypeScript: the small-packet half
 * of `chacha20-poly1305.ts` (with `chacha20.ts`).
 *
 * Arithmetic modulo p = 2^130 - 5 on ten 13-bit limbs held in doubles: a limb product is below
 * 2^30 and a sum of ten below 2^34, exact in a double (26-bit limbs, as C code uses with 64-bit
 * integers, would need products of 2^54 and lose bits). Reduction uses 2^130 ≡ 5 (mod p).
 *
 * Constant time as far as JavaScript allows: no branch and no memory index depends on the key or
 * the message, only on lengths; the final "subtract p if h ≥ p" is a mask, not a branch.
 *
 * Contract: pure and synchronous; a {@link Poly1305} is reused across messages by calling
 * {@link Poly1305.init} with each new one-time key.
 */

const LIMB = 8192; // 2^13
const MASK = 0x1fff;

/** Bytes in a Poly1305 block and in its tag. */
export const POLY_BLOCK_LENGTH = 16;

/** One Poly1305 computation in progress: r, s and the accumulator h (RFC 8439 §2.5.1). */
export class Poly1305 {
  private readonly r = new Float64Array(10);
  private readonly h = new Float64Array(10);
  /** s, the key's second half, as eight 16-bit words. */
  private readonly pad = new Uint16Array(8);

  /** Starts a new message under the one-time key `key[offset..offset+32)` (r clamped, then s). */
  init(key: Uint8Array, offset: number): void {
    // clamp(r): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff, i.e. the top four bits of bytes 3, 7,
    // 11, 15 and the bottom two bits of bytes 4, 8, 12 cleared.
    const t0 = key[offset]! | (key[offset + 1]! << 8);
    const t1 = key[offset + 2]! | ((key[offset + 3]! & 0x0f) << 8);
    const t2 = (key[offset + 4]! & 0xfc) | (key[offset + 5]! << 8);
    const t3 = key[offset + 6]! | ((key[offset + 7]! & 0x0f) << 8);
    const t4 = (key[offset + 8]! & 0xfc) | (key[offset + 9]! << 8);
    const t5 = key[offset + 10]! | ((key[offset + 11]! & 0x0f) << 8);
    const t6 = (key[offset + 12]! & 0xfc) | (key[offset + 13]! << 8);
    const t7 = key[offset + 14]! | ((key[offset + 15]! & 0x0f) << 8);
    toLimbs(this.r, t0, t1, t2, t3, t4, t5, t6, t7, 0);
    this.h.fill(0);
    for (let i = 0; i < 8; i++) {
      this.pad[i] = key[offset + 16 + 2 * i]! | (key[offset + 17 + 2 * i]! << 8);
    }
  }

  /**
   * Absorbs the whole 16-byte blocks of `m[start..end)` (`end - start` a multiple of 16), each
   * with the 2^128 bit set (`hibit` true, every block of the AEAD's padded input) or not (the
   * last, short, block of a plain Poly1305 message, already padded with 0x01 and zeros).
   */
  blocks(m: Uint8Array, start: number, end: number, hibit: boolean): void {
    const top = hibit ? 1 << 11 : 0; // bit 128 is bit 11 of limb 9 (9 × 13 = 117)
    const r = this.r;
    const h = this.h;
    const r0 = r[0]!;
    const r1 = r[1]!;
    const r2 = r[2]!;
    const r3 = r[3]!;
    const r4 = r[4]!;
    const r5 = r[5]!;
    const r6 = r[6]!;
    const r7 = r[7]!;
    const r8 = r[8]!;
    const r9 = r[9]!;
    const s1 = 5 * r1;
    const s2 = 5 * r2;
    const s3 = 5 * r3;
    const s4 = 5 * r4;
    const s5 = 5 * r5;
    const s6 = 5 * r6;
    const s7 = 5 * r7;
    const s8 = 5 * r8;
    const s9 = 5 * r9;
    let h0 = h[0]!;
    let h1 = h[1]!;
    let h2 = h[2]!;
    let h3 = h[3]!;
    let h4 = h[4]!;
    let h5 = h[5]!;
    let h6 = h[6]!;
    let h7 = h[7]!;
    let h8 = h[8]!;
    let h9 = h[9]!;
    for (let at = start; at < end; at += POLY_BLOCK_LENGTH) {
      const t0 = m[at]! | (m[at + 1]! << 8);
      const t1 = m[at + 2]! | (m[at + 3]! << 8);
      const t2 = m[at + 4]! | (m[at + 5]! << 8);
      const t3 = m[at + 6]! | (m[at + 7]! << 8);
      const t4 = m[at + 8]! | (m[at + 9]! << 8);
      const t5 = m[at + 10]! | (m[at + 11]! << 8);
      const t6 = m[at + 12]! | (m[at + 13]! << 8);
      const t7 = m[at + 14]! | (m[at + 15]! << 8);
      // h += block (the 16 bytes as a little-endian number, plus 2^128 when hibit)
      h0 += t0 & MASK;
      h1 += ((t0 >>> 13) | (t1 << 3)) & MASK;
      h2 += ((t1 >>> 10) | (t2 << 6)) & MASK;
      h3 += ((t2 >>> 7) | (t3 << 9)) & MASK;
      h4 += ((t3 >>> 4) | (t4 << 12)) & MASK;
      h5 += (t4 >>> 1) & MASK;
      h6 += ((t4 >>> 14) | (t5 << 2)) & MASK;
      h7 += ((t5 >>> 11) | (t6 << 5)) & MASK;
      h8 += ((t6 >>> 8) | (t7 << 8)) & MASK;
      h9 += (t7 >>> 5) | top;
      // h *= r (mod p): a limb product of weight 2^(13k), k ≥ 10, folds down as 5 × 2^(13(k-10)).
      let d0 = h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6 + h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1;
      let d1 = h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7 + h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2;
      let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8 + h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3;
      let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9 + h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4;
      let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0 + h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5;
      let d5 = h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1 + h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6;
      let d6 = h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2 + h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7;
      let d7 = h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3 + h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8;
      let d8 = h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4 + h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9;
      let d9 = h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5 + h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0;
      // Carry each column into the next; the carry out of limb 9 re-enters limb 0 times 5.
      let c = Math.floor(d0 / LIMB);
      d0 -= c * LIMB;
      d1 += c;
      c = Math.floor(d1 / LIMB);
      d1 -= c * LIMB;
      d2 += c;
      c = Math.floor(d2 / LIMB);
      d2 -= c * LIMB;
      d3 += c;
      c = Math.floor(d3 / LIMB);
      d3 -= c * LIMB;
      d4 += c;
      c = Math.floor(d4 / LIMB);
      d4 -= c * LIMB;
      d5 += c;
      c = Math.floor(d5 / LIMB);
      d5 -= c * LIMB;
      d6 += c;
      c = Math.floor(d6 / LIMB);
      d6 -= c * LIMB;
      d7 += c;
      c = Math.floor(d7 / LIMB);
      d7 -= c * LIMB;
      d8 += c;
      c = Math.floor(d8 / LIMB);
      d8 -= c * LIMB;
      d9 += c;
      c = Math.floor(d9 / LIMB);
      d9 -= c * LIMB;
      d0 += 5 * c;
      c = Math.floor(d0 / LIMB);
      d0 -= c * LIMB;
      d1 += c;
      h0 = d0;
      h1 = d1;
      h2 = d2;
      h3 = d3;
      h4 = d4;
      h5 = d5;
      h6 = d6;
      h7 = d7;
      h8 = d8;
      h9 = d9;
    }
    h[0] = h0;
    h[1] = h1;
    h[2] = h2;
    h[3] = h3;
    h[4] = h4;
    h[5] = h5;
    h[6] = h6;
    h[7] = h7;
    h[8] = h8;
    h[9] = h9;
  }

  /** Writes the tag, (h mod p) + s mod 2^128 little-endian, to `out[offset..offset+16)`. */
  finish(out: Uint8Array, offset: number): void {
    const h = this.h;
    // Three carry passes leave every limb below 2^13 and h below 2^130 (fully reduced but for
    // the one conditional subtraction of p below); the limbs are small integers from here on.
    for (let pass = 0; pass < 3; pass++) {
      let c = 0;
      for (let i = 0; i < 10; i++) {
        const v = h[i]! + c;
        c = Math.floor(v / LIMB);
        h[i] = v - c * LIMB;
      }
      h[0] = h[0]! + 5 * c;
    }
    // g = h + 5 - 2^130; h ≥ p exactly when g ≥ 0, and then h mod p = g.
    const g = gScratch;
    let c = 5;
    for (let i = 0; i < 10; i++) {
      const v = (h[i]! | 0) + c;
      c = v >>> 13;
      g[i] = v & MASK;
    }
    const useG = -c; // c is the carry out of bit 130: 1 (all ones mask) when h ≥ p, else 0
    for (let i = 0; i < 10; i++) g[i] = ((h[i]! | 0) & ~useG) | (g[i]! & useG);
    // (h mod p) mod 2^128 as eight 16-bit words, plus s, carrying.
    const w0 = (g[0]! | (g[1]! << 13)) & 0xffff;
    const w1 = ((g[1]! >>> 3) | (g[2]! << 10)) & 0xffff;
    const w2 = ((g[2]! >>> 6) | (g[3]! << 7)) & 0xffff;
    const w3 = ((g[3]! >>> 9) | (g[4]! << 4)) & 0xffff;
    const w4 = ((g[4]! >>> 12) | (g[5]! << 1) | (g[6]! << 14)) & 0xffff;
    const w5 = ((g[6]! >>> 2) | (g[7]! << 11)) & 0xffff;
    const w6 = ((g[7]! >>> 5) | (g[8]! << 8)) & 0xffff;
    const w7 = ((g[8]! >>> 8) | (g[9]! << 5)) & 0xffff;
    const s = this.pad;
    let f = w0 + s[0]!;
    put16(out, offset, f);
    f = w1 + s[1]! + (f >>> 16);
    put16(out, offset + 2, f);
    f = w2 + s[2]! + (f >>> 16);
    put16(out, offset + 4, f);
    f = w3 + s[3]! + (f >>> 16);
    put16(out, offset + 6, f);
    f = w4 + s[4]! + (f >>> 16);
    put16(out, offset + 8, f);
    f = w5 + s[5]! + (f >>> 16);
    put16(out, offset + 10, f);
    f = w6 + s[6]! + (f >>> 16);
    put16(out, offset + 12, f);
    f = w7 + s[7]! + (f >>> 16);
    put16(out, offset + 14, f);
    h.fill(0);
  }
}

const gScratch = new Int32Array(10);

function put16(out: Uint8Array, at: number, value: number): void {
  out[at] = value;
  out[at + 1] = value >>> 8;
}

/** Splits a 128-bit little-endian number given as eight 16-bit words into ten 13-bit limbs. */
function toLimbs(
  limbs: Float64Array,
  t0: number,
  t1: number,
  t2: number,
  t3: number,
  t4: number,
  t5: number,
  t6: number,
  t7: number,
  top: number,
): void {
  limbs[0] = t0 & MASK;
  limbs[1] = ((t0 >>> 13) | (t1 << 3)) & MASK;
  limbs[2] = ((t1 >>> 10) | (t2 << 6)) & MASK;
  limbs[3] = ((t2 >>> 7) | (t3 << 9)) & MASK;
  limbs[4] = ((t3 >>> 4) | (t4 << 12)) & MASK;
  limbs[5] = (t4 >>> 1) & MASK;
  limbs[6] = ((t4 >>> 14) | (t5 << 2)) & MASK;
  limbs[7] = ((t5 >>> 11) | (t6 << 5)) & MASK;
  limbs[8] = ((t6 >>> 8) | (t7 << 8)) & MASK;
  limbs[9] = (t7 >>> 5) | top;
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
