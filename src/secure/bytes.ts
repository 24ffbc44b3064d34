/** Small byte helpers for the secure layer: concatenation, constant-time comparison, integers. */

/** `a || b || ...` as one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Whether two byte strings are equal, in time that depends only on their lengths (used for every
 * MAC and key comparison, so a forger learns nothing from how fast a guess is rejected).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Reads a big-endian u32 at `offset` (the caller has checked the length). */
export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) |
      (bytes[offset + 1]! << 16) |
      (bytes[offset + 2]! << 8) |
      bytes[offset + 3]!) >>>
    0
  );
}

/** Writes a big-endian u32 at `offset`. */
export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

/**
 * Reads a big-endian u64 at `offset` as a number, or `-1` if it exceeds 2^53 - 1 (the secure
 * layer rejects such counters long before: see `limits.ts`).
 */
export function readU64(bytes: Uint8Array, offset: number): number {
  const high = readU32(bytes, offset);
  if (high > 0x1f_ffff) return -1;
  return high * 0x1_0000_0000 + readU32(bytes, offset + 4);
}

/** Writes a non-negative safe integer as a big-endian u64 at `offset`. */
export function writeU64(bytes: Uint8Array, offset: number, value: number): void {
  writeU32(bytes, offset, Math.floor(value / 0x1_0000_0000));
  writeU32(bytes, offset + 4, value >>> 0);
}

/** Lowercase hex of some bytes (diagnostics and tests). */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a hex string; throws on odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
