/**
 * A reassembly turned into a stream (docs/protocol.md §5.1): the reader gets every byte once, in
 * order, whatever order the fragments came in and whenever the stream started; the memory held is
 * what the reader has not taken plus fragments held apart, within the window; discarding keeps
 * the acknowledgements going and holds nothing. Seeded orders, so a failure replays.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { feed, message } from "../../test/helpers/fragments.js";
import { Prng } from "../testing/prng.js";
import { KEEP_VIEWS_FROM_BYTES, Reassembler, STREAM_CHUNK_BYTES } from "./reassembler.js";

/** The chunks joined. */
const concat = (chunks: readonly Uint8Array[]) => Buffer.concat(chunks);

/** A delivery order: mostly ascending, with `swaps` random transpositions and some duplicates. */
function order(count: number, rng: Prng, swaps: number): number[] {
  const o = Array.from({ length: count }, (_, i) => i);
  for (let k = 0; k < swaps; k++) {
    const i = Math.floor(rng.next() * count);
    const j = Math.min(count - 1, i + 1 + Math.floor(rng.next() * 200));
    [o[i], o[j]] = [o[j]!, o[i]!];
  }
  const dups = Math.floor(count / 20);
  for (let k = 0; k < dups; k++) o.splice(Math.floor(rng.next() * o.length), 0, o[k * 7]!);
  return o;
}

test("every byte reaches the reader once, in order, whenever the stream starts", () => {
  let chunks = 0;
  let fragments = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const rng = new Prng(seed);
    const fs = 1000 + Math.floor(rng.next() * 500);
    const m = message(fs * (50 + Math.floor(rng.next() * 3000)) - Math.floor(rng.next() * fs));
    const r = new Reassembler(m.length, fs);
    const got: Uint8Array[] = [];
    let started = false;
    for (const i of order(r.fragmentCount, rng, Math.floor(rng.next() * 300))) {
      const v = feed(r, m, fs, i);
      assert.notEqual(v, "invalid");
      assert.notEqual(v, "full");
      // Start at a random moment once the first fragment is in (as the endpoint does).
      if (!started && r.cumulative > 0 && !r.complete && rng.next() < 0.3) {
        started = true;
        got.push(r.startStream(Number.POSITIVE_INFINITY));
      }
      if (started && rng.next() < 0.2) r.takeStream(got);
      fragments++;
    }
    assert.ok(r.complete, `seed ${seed}`);
    if (!started) continue; // the whole message was reassembled before a start came
    r.takeStream(got);
    const all = concat(got);
    assert.equal(all.length, m.length, `seed ${seed}`);
    assert.ok(Buffer.from(all).equals(Buffer.from(m)), `seed ${seed}: bytes differ`);
    assert.equal(r.takeStream([]), 0, "bytes still waiting for the reader");
    assert.ok(r.footprintBytes <= 16, `seed ${seed}: ${r.footprintBytes} bytes still held`);
    chunks += got.length;
  }
  // Read every fifth fragment or so, the reader gets several fragments' bytes per chunk.
  assert.ok(chunks < fragments / 3, `${chunks} chunks for ${fragments} fragments`);
});

test("a stream started after fragments far ahead arrived: they follow the head in order", () => {
  const fs = 1000;
  const m = message(fs * 400);
  const r = new Reassembler(m.length, fs);
  // Fragments 1..200 (some stored, the far ones held apart), then 0: contiguous from 0 to 201.
  for (let i = 1; i <= 200; i++) assert.equal(feed(r, m, fs, i), "new");
  for (let i = 300; i < 310; i++) assert.equal(feed(r, m, fs, i), "new");
  assert.equal(feed(r, m, fs, 0), "new");
  const head = r.startStream(Number.POSITIVE_INFINITY);
  const got = [head];
  r.takeStream(got);
  const prefix = concat(got);
  assert.equal(prefix.length, 201 * fs);
  assert.ok(Buffer.from(prefix).equals(Buffer.from(m.subarray(0, 201 * fs))));
  // Fragments 300..309 stay held apart until 201..299 arrive.
  for (let i = 201; i < 400; i++) if (i < 300 || i >= 310) feed(r, m, fs, i);
  r.takeStream(got);
  assert.ok(r.complete);
  assert.ok(Buffer.from(concat(got)).equals(Buffer.from(m)));
});

test("the window: a fragment beyond what the reader took plus the window is refused, then taken", () => {
  const fs = 1000;
  const m = message(fs * 100);
  const r = new Reassembler(m.length, fs);
  feed(r, m, fs, 0);
  const got = [r.startStream(10 * fs)];
  // The head (fragment 0) is taken: fragments may end at up to 1,000 + 10,000 bytes.
  for (let i = 1; i <= 10; i++) assert.equal(feed(r, m, fs, i), "new");
  const held = r.footprintBytes;
  assert.equal(feed(r, m, fs, 11), "full"); // would end at 12,000
  assert.equal(feed(r, m, fs, 50), "full");
  assert.equal(r.footprintBytes, held, "a refused fragment changed the footprint");
  assert.equal(r.receivedCount, 11);
  // The chunk being filled (the rest of the message, under STREAM_CHUNK_BYTES) and the ranges.
  assert.ok(held >= 10 * fs && held <= Math.min(STREAM_CHUNK_BYTES, 99 * fs) + 64, `${held}`);
  assert.equal(r.takeStream(got), 10 * fs);
  assert.equal(held - r.footprintBytes, 10 * fs, "taking did not free what was taken");
  assert.equal(r.takeStream([]), 0, "bytes still waiting for the reader");
  assert.equal(feed(r, m, fs, 11), "new");
  assert.equal(feed(r, m, fs, 20), "new"); // ends at 21,000 = 11,000 + 10,000: held apart
  assert.equal(feed(r, m, fs, 21), "full");
});

test("the caller's room: a fragment that would pass it is refused", () => {
  const fs = 1000;
  const m = message(fs * 10);
  const r = new Reassembler(m.length, fs);
  feed(r, m, fs, 0);
  r.startStream(Number.POSITIVE_INFINITY);
  // Fragment 1 needs a chunk for the rest of the message (9,000 bytes); fragment 2, apart, 1,000.
  assert.equal(feed(r, m, fs, 1, 8_000), "full");
  assert.equal(feed(r, m, fs, 2, 500), "full");
  assert.equal(feed(r, m, fs, 2, 2_000), "new");
  assert.equal(feed(r, m, fs, 1, 10_000), "new");
});

test("discarding: nothing held, fragments still counted and acknowledged to the end", () => {
  const fs = 1000;
  const m = message(fs * 50 + 7);
  const r = new Reassembler(m.length, fs);
  feed(r, m, fs, 0);
  r.startStream(5 * fs);
  for (let i = 1; i < 5; i++) feed(r, m, fs, i);
  feed(r, m, fs, 30); // beyond the window: refused
  r.discardStream();
  assert.ok(r.footprintBytes <= 16, `${r.footprintBytes}`);
  for (let i = 50; i >= 5; i--) assert.equal(feed(r, m, fs, i), "new", `fragment ${i}`);
  assert.equal(feed(r, m, fs, 7), "duplicate");
  assert.ok(r.complete);
  assert.deepEqual(r.ackRanges(32), []);
  assert.equal(r.cumulative, r.fragmentCount);
  const got: Uint8Array[] = [];
  assert.equal(r.takeStream(got), 0);
  assert.ok(r.footprintBytes <= 16);
});

test("datagrams the port hands over: big fragments reach the reader as views of them, small ones copied", () => {
  for (const fs of [KEEP_VIEWS_FROM_BYTES, 1000]) {
    const m = message(fs * 6);
    // One datagram (a buffer of its own) per fragment, 8 header bytes before the payload.
    const datagrams = Array.from({ length: 6 }, (_, i) => {
      const d = new Uint8Array(8 + fs);
      d.set(m.subarray(i * fs, (i + 1) * fs), 8);
      return d;
    });
    const r = new Reassembler(m.length, fs);
    const put = (i: number) => r.accept(i, datagrams[i]!, 8, fs);
    put(0);
    const got = [r.startStream(Number.POSITIVE_INFINITY, true)];
    for (const i of [1, 3, 2, 5, 4]) assert.equal(put(i), "new");
    r.takeStream(got);
    assert.ok(Buffer.from(concat(got)).equals(Buffer.from(m)), `fs ${fs}`);
    const views = got.slice(1).filter((c) => datagrams.some((d) => d.buffer === c.buffer));
    if (fs >= KEEP_VIEWS_FROM_BYTES) assert.equal(views.length, 5, "fragments were copied");
    else assert.equal(views.length, 0, "small fragments were kept as views");
  }
});
