/**
 * The ChaCha20-Poly1305 AEAD of RFC 8439 §2.8 in plain TypeScript (`chacha20.ts`, `poly1305.ts`),
 * for small packets: Node seals through `createCipheriv`, and a cipher object cannot take a new
 * nonce, so each packet pays a few µs to create one; below a size measured in docs/security.md
 * §3.8 this code is cheaper. `node-crypto.ts` picks one or the other by length; both produce the
 * same bytes (property-tested against `node:crypto`).
 *
 * The construction (§2.8.1): the one-time Poly1305 key is the first 32 bytes of ChaCha20 block 0
 * (§2.6); the data is encrypted from block 1; the tag covers
 * `AD || pad16 || ciphertext || pad16 || le64(len AD) || le64(len ciphertext)`.
 *
 * Contract: pure and synchronous, single-threaded (module scratch state: the last key's words and
 * keystream block stay in memory until the next call, as the caller's key does; the one-time
 * Poly1305 key is cleared after each tag). {@link openInto} verifies the tag, comparing in
 * constant time, before it decrypts a byte: on failure the output is untouched.
 */
import { ChaChaKey, chachaBlock, chachaXor } from "./chacha20.js";
import { POLY_BLOCK_LENGTH, Poly1305 } from "./poly1305.js";

/** Bytes of the authentication tag. */
export const AEAD_TAG_LENGTH = 16;
/**
 * The longest plaintext (and associated data) these functions take: far below RFC 8439's 2^38
 * bytes, so the 32-bit block counter and the low word of each length cannot overflow (the
 * transport gives ≤ 512 bytes of plaintext and 16 of associated data).
 */
export const AEAD_MAX_LENGTH = 0x7fff_ffff;

const state = new ChaChaKey();
const mac = new Poly1305();
const block0 = new Uint8Array(64);
const padded = new Uint8Array(POLY_BLOCK_LENGTH);
const expected = new Uint8Array(AEAD_TAG_LENGTH);

/** Feeds `bytes[start..end)` to the MAC, zero-padded to a multiple of 16 bytes (§2.8.1 pad16). */
function absorbPadded(bytes: Uint8Array, start: number, end: number): void {
  const length = end - start;
  const whole = start + length - (length % POLY_BLOCK_LENGTH);
  mac.blocks(bytes, start, whole, true);
  if (whole < end) {
    padded.fill(0);
    for (let i = whole; i < end; i++) padded[i - whole] = bytes[i]!;
    mac.blocks(padded, 0, POLY_BLOCK_LENGTH, true);
  }
}

/** The tag of `ad` and `ciphertext[start..end)` under the current key and nonce, into `out`. */
function tag(ad: Uint8Array, ciphertext: Uint8Array, start: number, end: number, out: Uint8Array) {
  chachaBlock(state, 0, block0);
  mac.init(block0, 0);
  absorbPadded(ad, 0, ad.length);
  absorbPadded(ciphertext, start, end);
  // le64 lengths; lengths here are far below 2^32, so the high words are zero.
  padded.fill(0);
  putLength(padded, 0, ad.length);
  putLength(padded, 8, end - start);
  mac.blocks(padded, 0, POLY_BLOCK_LENGTH, true);
  mac.finish(out, 0);
  block0.fill(0);
}

function putLength(out: Uint8Array, at: number, length: number): void {
  out[at] = length;
  out[at + 1] = length >>> 8;
  out[at + 2] = length >>> 16;
  out[at + 3] = length >>> 24;
}

/** Where a nonce comes from: Noise's counter `n` (§12.3), or 12 raw bytes (the RFC's vectors). */
export type AeadNonce = number | Uint8Array;

function load(key: Uint8Array, nonce: AeadNonce, ad: Uint8Array): void {
  if (ad.length > AEAD_MAX_LENGTH) throw new RangeError("associated data too long");
  state.setKey(key);
  if (typeof nonce === "number") state.setNoiseNonce(nonce);
  else state.setNonceBytes(nonce);
}

/**
 * Seals in place (§2.8): `data[start..end)` holds the plaintext and becomes the ciphertext, and
 * the 16-byte tag is written at `data[end..end+16)`, which the caller has room for.
 */
export function sealInPlace(
  key: Uint8Array,
  nonce: AeadNonce,
  ad: Uint8Array,
  data: Uint8Array,
  start: number,
  end: number,
): void {
  if (end - start > AEAD_MAX_LENGTH || start > end) throw new RangeError("bad plaintext range");
  if (data.length < end + AEAD_TAG_LENGTH) throw new RangeError("no room for the tag");
  load(key, nonce, ad);
  chachaXor(state, 1, data, start, end);
  tag(ad, data, start, end, expected);
  data.set(expected, end);
}

/**
 * Opens `sealed` (ciphertext then tag) into `out` (at least `sealed.length - 16` bytes): returns
 * whether the tag verified. The tag is checked, in constant time, before anything is decrypted;
 * when it fails, `out` is left as it was.
 */
export function openInto(
  key: Uint8Array,
  nonce: AeadNonce,
  ad: Uint8Array,
  sealed: Uint8Array,
  out: Uint8Array,
): boolean {
  if (sealed.length < AEAD_TAG_LENGTH) return false;
  if (sealed.length - AEAD_TAG_LENGTH > AEAD_MAX_LENGTH)
    throw new RangeError("ciphertext too long");
  const bodyLength = sealed.length - AEAD_TAG_LENGTH;
  if (out.length < bodyLength) throw new RangeError("output too short");
  load(key, nonce, ad);
  tag(ad, sealed, 0, bodyLength, expected);
  let diff = 0;
  for (let i = 0; i < AEAD_TAG_LENGTH; i++) diff |= expected[i]! ^ sealed[bodyLength + i]!;
  if (diff !== 0) return false;
  out.set(sealed.subarray(0, bodyLength));
  chachaXor(state, 1, out, 0, bodyLength);
  return true;
}
