/**
 * Speed half of `lupine checksums`: MB/s of every checksum of `src/checksum/` beside Node's
 * native `zlib.crc32` (CRC-32 IEEE in C; Node ≥ 20.15), on buffers of the given sizes.
 *
 * Systems are measured in interleaved rounds (every system once per round), so a burst of load
 * from other processes on the shared machine hits all of them alike; each figure is the median
 * over rounds, with min and max. The CLI reports ratios, which survive the noise better than
 * absolute numbers.
 */
import { createRequire } from "node:module";
import * as zlib from "node:zlib";
import type { ChecksumAlgorithm } from "../checksum/index.js";

/** One system to time: a name and a one-shot function over bytes. */
export interface SpeedSystem {
  readonly name: string;
  readonly fn: (data: Uint8Array) => number;
}

/** MB/s (10^6 bytes per second) of one system at one size. */
export interface SpeedResult {
  readonly system: string;
  readonly sizeBytes: number;
  readonly mbPerS: number;
  readonly min: number;
  readonly max: number;
  /** The system's checksum of the measured buffer (implementations of one algorithm must agree). */
  readonly value: number;
}

export interface SpeedOptions {
  readonly sizes: readonly number[];
  /** Rounds per system and size; the median is reported. */
  readonly rounds: number;
  /** Target duration of one round of one system, milliseconds. */
  readonly roundMs: number;
  /** Supplies the buffers' contents (the run's seeded PRNG). */
  readonly fill: (out: Uint8Array) => void;
}

/** The native comparison: `zlib.crc32`, or undefined on a Node without it. */
export function nativeCrc32(): SpeedSystem | undefined {
  const fn = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  return fn === undefined ? undefined : { name: "zlib.crc32 (native)", fn: (d) => fn(d) };
}

/** Name of the optional native CRC-32C row. */
export const NATIVE_CRC32C_NAME = "@node-rs/crc32 crc32c (native)";

/**
 * An optional native CRC-32C for comparison: `@node-rs/crc32` (Rust, SSE4.2/ARMv8 CRC
 * instructions) when it is installed (a devDependency), else undefined. Node has no built-in one.
 */
export function nativeCrc32c(): SpeedSystem | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require("@node-rs/crc32") as { crc32c(data: Uint8Array, initial?: number): number };
    return { name: NATIVE_CRC32C_NAME, fn: (d) => mod.crc32c(d) };
  } catch {
    return undefined;
  }
}

/**
 * The systems of a run: the chosen algorithms, then `zlib.crc32` when available, then the
 * optional native CRC-32C when installed and CRC-32C was chosen.
 */
export function speedSystems(algorithms: readonly ChecksumAlgorithm[]): SpeedSystem[] {
  const systems: SpeedSystem[] = algorithms.map((a) => ({ name: a.name, fn: a.compute }));
  const native = nativeCrc32();
  if (native !== undefined) systems.push(native);
  const native32c = algorithms.some((a) => a.name === "crc32c") ? nativeCrc32c() : undefined;
  if (native32c !== undefined) systems.push(native32c);
  return systems;
}

/**
 * A timing loop of its own for each system, so that each loop's call site sees one function
 * (a shared loop would make the call megamorphic and tax the small buffers of every system).
 */
function makeLoop(fn: (data: Uint8Array) => number) {
  return (data: Uint8Array, iterations: number): number => {
    let sink = 0;
    for (let i = 0; i < iterations; i++) sink ^= fn(data);
    return sink;
  };
}

/** Iterations that take about `ms` milliseconds. */
function calibrate(loop: ReturnType<typeof makeLoop>, data: Uint8Array, ms: number): number {
  let iterations = 1;
  for (;;) {
    const start = performance.now();
    loop(data, iterations);
    const elapsed = performance.now() - start;
    if (elapsed >= ms / 4 || iterations >= 2 ** 30) {
      return Math.max(1, Math.round((iterations * ms) / Math.max(elapsed, 1e-3)));
    }
    iterations *= 4;
  }
}

/** Where the timing loops' results go, so that no loop can be optimised away. */
// biome-ignore lint/correctness/noUnusedVariables: written, never read, on purpose (see above)
let observed = 0;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Measures every system at every size; synchronous (it owns the CPU while it runs). */
export function measureSpeed(
  systems: readonly SpeedSystem[],
  options: SpeedOptions,
): SpeedResult[] {
  const results: SpeedResult[] = [];
  let sink = 0;
  for (const size of options.sizes) {
    const data = new Uint8Array(size);
    options.fill(data);
    const loops = systems.map((s) => makeLoop(s.fn));
    const iterations = loops.map((loop) => calibrate(loop, data, options.roundMs));
    const samples: number[][] = systems.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < systems.length; k++) {
        const start = performance.now();
        sink ^= loops[k]!(data, iterations[k]!);
        const seconds = (performance.now() - start) / 1000;
        samples[k]!.push((iterations[k]! * size) / Math.max(seconds, 1e-9) / 1e6);
      }
    }
    systems.forEach((s, k) => {
      const v = samples[k]!;
      results.push({
        system: s.name,
        sizeBytes: size,
        mbPerS: median(v),
        min: Math.min(...v),
        max: Math.max(...v),
        value: s.fn(data),
      });
    });
  }
  observed ^= sink;
  return results;
}
