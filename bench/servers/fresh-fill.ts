/**
 * `node fresh-fill.js BYTES`: fills a new buffer of BYTES in 65,000-byte pieces (the size of
 * Lupine's datagrams on loopback), drops it, does the same with a second new buffer, and prints
 * `{"mbs": [first, second]}` (MB/s). No network: the memory cost that any receiver keeping a
 * whole argument pays, whatever its protocol (bench/lupine.bench.ts, bulk).
 */
const bytes = Number(process.argv[2]);
if (!Number.isSafeInteger(bytes) || bytes <= 0)
  throw new Error(`usage: fresh-fill.js BYTES (got ${process.argv[2]})`);
const piece = new Uint8Array(65_000).fill(7);
const mbs: number[] = [];
for (let round = 0; round < 2; round++) {
  const t0 = performance.now();
  let buffer: Uint8Array | null = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += piece.length)
    buffer.set(piece.subarray(0, Math.min(piece.length, bytes - at)), at);
  mbs.push(bytes / 1e6 / ((performance.now() - t0) / 1000));
  buffer = null;
  // Let the first buffer go back before the second is taken, as a server's does between calls.
  (globalThis as { gc?: () => void }).gc?.();
}
console.log(JSON.stringify({ mbs }));
