/**
 * Checksum speed beside Node's native `zlib.crc32`, for the reliable transport's choice
 * (docs/checksums.md): the CRCs, Adler-32, Fletcher-32 and the Internet checksum at a small
 * datagram, a full Ethernet-MTU datagram, a loopback-sized datagram and a large buffer.
 * `lupine checksums` prints the same measurement with every algorithm.
 */
import { ADLER32, CRC32, CRC32C, FLETCHER32, INTERNET } from "../src/checksum/index.js";
import { measureSpeed, speedSystems } from "../src/cli/checksums-speed.js";
import type { BenchOptions, BenchRow } from "./harness.js";

const SIZES = [64, 1500, 65536, 1 << 20];

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const systems = speedSystems([CRC32C, CRC32, ADLER32, FLETCHER32, INTERNET]);
  let x = 0x9e3779b9;
  const fill = (out: Uint8Array) => {
    for (let i = 0; i < out.length; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      out[i] = x >>> 24;
    }
  };
  const results = measureSpeed(systems, {
    sizes: SIZES,
    rounds: options.quick ? 2 : 7,
    roundMs: options.quick ? 10 : 150,
    fill,
  });
  return results.map((r) => ({
    group: `checksum: ${r.sizeBytes} B`,
    system: r.system,
    value: r.mbPerS,
    unit: "MB/s",
    better: "higher",
    min: r.min,
    max: r.max,
    ...(r.system.startsWith("zlib.crc32") ? { baseline: true } : {}),
  }));
}
