/** Test fixtures of the reassembler's tests: a message of known bytes, cut into fragments. */
import type { Reassembler } from "../../src/reliable/reassembler.js";

/** `n` bytes of a known pattern. */
export function message(n: number): Uint8Array {
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = (i * 131 + 17) & 0xff;
  return m;
}

/** Feeds fragment `i` of `m` (fragment size `fs`) to `r`. */
export function feed(r: Reassembler, m: Uint8Array, fs: number, i: number, roomBytes?: number) {
  const from = i * fs;
  return r.accept(i, m, from, Math.min(fs, m.length - from), roomBytes);
}
