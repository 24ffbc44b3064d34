/**
 * The byte mutator: AFL/libFuzzer-style havoc (bit flips, interesting values, inserted, deleted,
 * duplicated and spliced ranges) with XDR in mind — most edits work on aligned 32-bit big-endian
 * words, and the interesting words include the lengths that matter to a length-prefixed format
 * (the bytes left, just past them, 2^31 − 1, 2^32 − 1). Text targets also get line edits and
 * dictionary tokens. Every choice comes from the seeded `Random`, so a run replays from its seed.
 */
import type { Random } from "../../../src/io/index.js";

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x25, 0x23];
const INTERESTING_32 = [
  0, 1, 2, 3, 4, 5, 8, 16, 255, 256, 400, 401, 1024, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xfffffffe, 0xffffffff, 0x80000004,
];

/** Options of {@link mutate}. */
export interface MutateOptions {
  readonly maxLength: number;
  /** Other corpus entries, for splicing. */
  readonly corpus: readonly Uint8Array[];
  readonly dictionary?: readonly Uint8Array[] | undefined;
  readonly text?: boolean | undefined;
}

function below(random: Random, n: number): number {
  return n <= 1 ? 0 : random.nextU32() % n;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[below(random, items.length)]!;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A word-aligned position in `data` (or any position, a quarter of the time). */
function position(random: Random, length: number): number {
  if (length === 0) return 0;
  const p = below(random, length);
  return below(random, 4) === 0 ? p : p & ~3;
}

function writeWord(data: Uint8Array, at: number, word: number): void {
  for (let i = 0; i < 4 && at + i < data.length; i++) data[at + i] = (word >>> (24 - 8 * i)) & 0xff;
}

function readWord(data: Uint8Array, at: number): number {
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (data[at + i] ?? 0);
  return w >>> 0;
}

function interestingWord(random: Random, data: Uint8Array, at: number): number {
  const left = data.length - at - 4;
  switch (below(random, 4)) {
    case 0:
      return Math.max(0, left + below(random, 9) - 4) >>> 0;
    case 1:
      return (random.nextU32() & 0xff) >>> 0;
    default:
      return pick(random, INTERESTING_32);
  }
}

type Edit = (random: Random, data: Uint8Array, o: MutateOptions) => Uint8Array;

const EDITS: Edit[] = [
  // Flip one bit.
  (random, d) => {
    if (d.length === 0) return d;
    const i = below(random, d.length);
    d[i] = d[i]! ^ (1 << below(random, 8));
    return d;
  },
  // Set one byte to a random or interesting value.
  (random, d) => {
    if (d.length === 0) return d;
    d[below(random, d.length)] =
      below(random, 2) === 0 ? random.nextU32() & 0xff : pick(random, INTERESTING_8);
    return d;
  },
  // Overwrite a word with an interesting one (lengths, limits, the bytes left).
  (random, d) => {
    if (d.length === 0) return d;
    const at = position(random, d.length);
    writeWord(d, at, interestingWord(random, d, at));
    return d;
  },
  // Add a small delta to a word.
  (random, d) => {
    if (d.length < 4) return d;
    const at = position(random, d.length - 3);
    const delta = below(random, 33) - 16;
    writeWord(d, at, (readWord(d, at) + delta) >>> 0);
    return d;
  },
  // Delete a range (usually whole words).
  (random, d) => {
    if (d.length === 0) return d;
    const at = position(random, d.length);
    const n = Math.min(d.length - at, below(random, 2) === 0 ? 4 : 1 + below(random, 32));
    return concat(d.subarray(0, at), d.subarray(at + n));
  },
  // Insert zero, random or repeated bytes.
  (random, d) => {
    const at = position(random, d.length + 1);
    const n = below(random, 2) === 0 ? 4 : 1 + below(random, 16);
    const fill = new Uint8Array(n);
    const kind = below(random, 3);
    for (let i = 0; i < n; i++)
      fill[i] = kind === 0 ? 0 : kind === 1 ? random.nextU32() : (d[at] ?? 0);
    return concat(d.subarray(0, at), fill, d.subarray(at));
  },
  // Duplicate a range somewhere else (repeated list nodes, array elements).
  (random, d) => {
    if (d.length === 0) return d;
    const from = position(random, d.length);
    const n = Math.min(d.length - from, 4 * (1 + below(random, 8)));
    const to = position(random, d.length + 1);
    return concat(d.subarray(0, to), d.slice(from, from + n), d.subarray(to));
  },
  // Truncate.
  (random, d) => d.subarray(0, below(random, d.length + 1)),
  // Splice: this input's head with another's tail, or another's range pasted in.
  (random, d, o) => {
    if (o.corpus.length === 0) return d;
    const other = pick(random, o.corpus);
    if (below(random, 2) === 0) {
      return concat(
        d.subarray(0, position(random, d.length + 1)),
        other.subarray(position(random, other.length + 1)),
      );
    }
    const from = position(random, other.length);
    const n = Math.min(other.length - from, 1 + below(random, 64));
    const to = position(random, d.length + 1);
    return concat(d.subarray(0, to), other.slice(from, from + n), d.subarray(to));
  },
];

const TEXT_EDITS: Edit[] = [
  // Insert a dictionary token with a space on each side.
  (random, d, o) => {
    if (o.dictionary === undefined || o.dictionary.length === 0) return d;
    const at = below(random, d.length + 1);
    return concat(d.subarray(0, at), SPACE, pick(random, o.dictionary), SPACE, d.subarray(at));
  },
  // Delete, duplicate or swap lines.
  (random, d) => {
    const lines = splitLines(d);
    if (lines.length < 2) return d;
    const i = below(random, lines.length);
    const j = below(random, lines.length);
    switch (below(random, 3)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(j, 0, lines[i]!);
        break;
      default:
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    return concat(...lines);
  },
];

const SPACE = Uint8Array.of(0x20);

function splitLines(d: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] === 0x0a) {
      out.push(d.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < d.length) out.push(d.subarray(start));
  return out;
}

/**
 * A mutated copy of `input`: 1 to 16 stacked edits (never the input itself), cut to
 * `maxLength`. `input` is not modified.
 */
export function mutate(random: Random, input: Uint8Array, options: MutateOptions): Uint8Array {
  let d: Uint8Array = Uint8Array.from(input);
  const rounds = 1 << below(random, 5);
  for (let k = 0; k < rounds; k++) {
    const useText = options.text === true && below(random, 3) === 0;
    const edit = useText ? pick(random, TEXT_EDITS) : pick(random, EDITS);
    d = edit(random, d, options);
    if (d.length > options.maxLength) d = d.subarray(0, options.maxLength);
  }
  return d;
}
