/**
 * The ChaCha20 stream cipher of RFC 8439 §2.3 (block function) and §2.4 (encryption), in plain
 * TypeScript over 32-bit integers: the small-packet half of `chacha20-poly1305.ts`, which exists
 * because Node cannot give a `chacha20-poly1305` cipher object a new nonce, so every packet sealed
 * through `node:crypto` pays for creating one (docs/security.md §3.8).
 *
 * Constant time: ChaCha20 is only additions, rotations and XORs on 32-bit words (ARX), with no
 * table look-ups and no branch on key, nonce or data, so its timing depends on lengths alone.
 *
 * Contract: pure and synchronous; the state is the caller's (`ChaChaKey`), nothing is kept
 * between calls but one 64-byte keystream scratch, overwritten by every block.
 */

/** The four constant words "expand 32-byte k" (RFC 8439 §2.3). */
const C0 = 0x61707865;
const C1 = 0x3320646e;
const C2 = 0x79622d32;
const C3 = 0x6b206574;

/** Bytes in one ChaCha20 block. */
export const CHACHA_BLOCK_LENGTH = 64;

function word(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/**
 * A key and nonce as the sixteen-word ChaCha20 input state minus its counter (RFC 8439 §2.3):
 * eight key words and three nonce words, all little-endian.
 */
export class ChaChaKey {
  /** Key words k0..k7. */
  readonly key = new Int32Array(8);
  /** Nonce words n0..n2. */
  readonly nonce = new Int32Array(3);

  /** Loads a 32-byte key. */
  setKey(key: Uint8Array): void {
    if (key.length !== 32) throw new RangeError("ChaCha20 key must be 32 bytes");
    for (let i = 0; i < 8; i++) this.key[i] = word(key, 4 * i);
  }

  /** Loads a 12-byte nonce (RFC 8439's 96-bit nonce). */
  setNonceBytes(nonce: Uint8Array): void {
    if (nonce.length !== 12) throw new RangeError("ChaCha20 nonce must be 12 bytes");
    for (let i = 0; i < 3; i++) this.nonce[i] = word(nonce, 4 * i);
  }

  /** Loads the nonce Noise's `ChaChaPoly` uses (§12.3): 32 zero bits, then `n` as u64 little-endian. */
  setNoiseNonce(n: number): void {
    this.nonce[0] = 0;
    this.nonce[1] = n >>> 0;
    this.nonce[2] = Math.floor(n / 0x1_0000_0000) >>> 0;
  }
}

/**
 * The keystream block with block counter `counter` (RFC 8439 §2.3: 20 rounds, then the input
 * added word-wise), serialised little-endian into `out` (64 bytes).
 */
export function chachaBlock(state: ChaChaKey, counter: number, out: Uint8Array): void {
  blockWords(state, counter, words);
  for (let i = 0; i < 16; i++) {
    const w = words[i]!;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
}

/** The sixteen words of one keystream block (shared scratch, overwritten by every block). */
const words = new Int32Array(16);

function blockWords(state: ChaChaKey, counter: number, out: Int32Array): void {
  const k = state.key;
  const n = state.nonce;
  const i4 = k[0]!;
  const i5 = k[1]!;
  const i6 = k[2]!;
  const i7 = k[3]!;
  const i8 = k[4]!;
  const i9 = k[5]!;
  const i10 = k[6]!;
  const i11 = k[7]!;
  const i12 = counter | 0;
  const i13 = n[0]!;
  const i14 = n[1]!;
  const i15 = n[2]!;
  let x0 = C0;
  let x1 = C1;
  let x2 = C2;
  let x3 = C3;
  let x4 = i4;
  let x5 = i5;
  let x6 = i6;
  let x7 = i7;
  let x8 = i8;
  let x9 = i9;
  let x10 = i10;
  let x11 = i11;
  let x12 = i12;
  let x13 = i13;
  let x14 = i14;
  let x15 = i15;
  for (let round = 0; round < 10; round++) {
    // column round
    x0 = (x0 + x4) | 0;
    x12 ^= x0;
    x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0;
    x4 ^= x8;
    x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0;
    x12 ^= x0;
    x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0;
    x4 ^= x8;
    x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0;
    x13 ^= x1;
    x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0;
    x5 ^= x9;
    x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0;
    x13 ^= x1;
    x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0;
    x5 ^= x9;
    x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0;
    x14 ^= x2;
    x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0;
    x6 ^= x10;
    x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0;
    x14 ^= x2;
    x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0;
    x6 ^= x10;
    x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0;
    x15 ^= x3;
    x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0;
    x7 ^= x11;
    x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0;
    x15 ^= x3;
    x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0;
    x7 ^= x11;
    x7 = (x7 << 7) | (x7 >>> 25);
    // diagonal round
    x0 = (x0 + x5) | 0;
    x15 ^= x0;
    x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0;
    x5 ^= x10;
    x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0;
    x15 ^= x0;
    x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0;
    x5 ^= x10;
    x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0;
    x12 ^= x1;
    x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0;
    x6 ^= x11;
    x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0;
    x12 ^= x1;
    x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0;
    x6 ^= x11;
    x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0;
    x13 ^= x2;
    x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0;
    x7 ^= x8;
    x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0;
    x13 ^= x2;
    x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0;
    x7 ^= x8;
    x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0;
    x14 ^= x3;
    x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0;
    x4 ^= x9;
    x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0;
    x14 ^= x3;
    x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0;
    x4 ^= x9;
    x4 = (x4 << 7) | (x4 >>> 25);
  }
  out[0] = x0 + C0;
  out[1] = x1 + C1;
  out[2] = x2 + C2;
  out[3] = x3 + C3;
  out[4] = x4 + i4;
  out[5] = x5 + i5;
  out[6] = x6 + i6;
  out[7] = x7 + i7;
  out[8] = x8 + i8;
  out[9] = x9 + i9;
  out[10] = x10 + i10;
  out[11] = x11 + i11;
  out[12] = x12 + i12;
  out[13] = x13 + i13;
  out[14] = x14 + i14;
  out[15] = x15 + i15;
}

/**
 * ChaCha20 encryption (RFC 8439 §2.4) in place: XORs `data[start..end)` with the keystream that
 * begins at block `counter` (1 in the AEAD, whose block 0 makes the Poly1305 key). Decryption is
 * the same operation. Whole blocks are XORed straight from the keystream words (a typed-array
 * store keeps a value's low 8 bits), the last partial block byte by byte.
 */
export function chachaXor(
  state: ChaChaKey,
  counter: number,
  data: Uint8Array,
  start: number,
  end: number,
): void {
  let block = counter;
  let at = start;
  for (; at + CHACHA_BLOCK_LENGTH <= end; at += CHACHA_BLOCK_LENGTH) {
    blockWords(state, block++, words);
    for (let i = 0; i < 16; i++) {
      const w = words[i]!;
      const p = at + 4 * i;
      data[p] = data[p]! ^ w;
      data[p + 1] = data[p + 1]! ^ (w >>> 8);
      data[p + 2] = data[p + 2]! ^ (w >>> 16);
      data[p + 3] = data[p + 3]! ^ (w >>> 24);
    }
  }
  if (at < end) {
    blockWords(state, block, words);
    for (let i = 0; at + i < end; i++) {
      data[at + i] = data[at + i]! ^ (words[i >> 2]! >>> ((i & 3) * 8));
    }
  }
}
