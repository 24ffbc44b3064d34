import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { crc32 } from "./checksum.js";
import { ClientSession } from "./client-session.js";
import { DatagramBuilder, datagramLength, joinDatagram, SlabPool } from "./datagram-builder.js";
import { writeAck, writeBusy, writeFragment, writeU32Frame, writeWhole } from "./frames.js";
import {
  assertRangeChecksum,
  FrameCursor,
  FrameType,
  HEADER_BYTES,
  type Header,
  HeaderFlag,
  readHeader,
} from "./packet.js";
import { SendWindow } from "./send-window.js";
import { ServerEndpoint } from "./server-endpoint.js";

const header = (): Header => ({
  flags: 0,
  sessionHi: 0x01020304,
  sessionLo: 0xa0b0c0d0,
  epoch: 77,
});

test("crc32 matches the standard check value and chains like zlib", () => {
  const ascii = new TextEncoder().encode("123456789");
  assert.equal(crc32(ascii), 0xcbf43926);
  assert.equal(crc32(ascii.subarray(4), crc32(ascii.subarray(0, 4))), 0xcbf43926);
});

test("crc32 of a range equals crc32 of that view, at every length and alignment", () => {
  const data = new Uint8Array(600);
  for (let i = 0; i < data.length; i++) data[i] = (i * 167 + 13) & 0xff;
  // Bitwise reference (no tables), so the slice-by-8 tables are checked, not just self-consistent.
  const reference = (d: Uint8Array, previous: number): number => {
    let c = ~previous;
    for (const byte of d) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return ~c >>> 0;
  };
  for (const start of [0, 1, 3, 8]) {
    for (let length = 0; length <= 70; length++) {
      const end = start + length;
      const expected = reference(data.subarray(start, end), 0x1234);
      assert.equal(crc32(data, 0x1234, start, end), expected, `[${start}, ${end})`);
      assert.equal(crc32(data.subarray(start, end), 0x1234), expected, `view [${start}, ${end})`);
    }
  }
  assert.equal(crc32(data, 0, 5, 590), reference(data.subarray(5, 590), 0));
});

test("a datagram round-trips: header fields and every frame in order", () => {
  const b = new DatagramBuilder({ maxDatagramBytes: 1472, crc: crc32, header: header() });
  writeWhole(b, FrameType.Call, 5, 0, new Uint8Array([1, 2, 3]));
  writeAck(b, 4, [6, 7, 9, 9]);
  writeBusy(b, 8, 25);
  writeU32Frame(b, FrameType.Probe, 9);
  const [d, ...rest] = b.take().map(joinDatagram);
  assert.equal(rest.length, 0);
  const h: Header = { flags: 0, sessionHi: 0, sessionLo: 0, epoch: 0 };
  assert.equal(readHeader(d!, crc32, h), "ok");
  assert.deepEqual(h, header());
  const c = new FrameCursor();
  c.reset(d!);
  const seen: [number, number[]][] = [];
  while (c.next()) {
    const words: number[] = [];
    for (let i = 0; i + 4 <= c.length; i += 4) words.push(c.u32(i));
    seen.push([c.type, words]);
  }
  assert.equal(c.malformed, false);
  assert.deepEqual(seen, [
    [FrameType.Call, [5]],
    [FrameType.Ack, [4, 6, 7, 9, 9]],
    [FrameType.Busy, [8, 25]],
    [FrameType.Probe, [9]],
  ]);
});

test("frames pack into datagrams up to the size limit, never beyond", () => {
  const b = new DatagramBuilder({ maxDatagramBytes: 200, crc: crc32, header: header() });
  for (let i = 0; i < 20; i++) writeWhole(b, FrameType.Call, i, 0, new Uint8Array(40));
  const out = b.take().map(joinDatagram);
  assert.ok(out.length > 1 && out.length < 20, `packed into ${out.length} datagrams`);
  for (const d of out) assert.ok(d.length <= 200);
  let frames = 0;
  const c = new FrameCursor();
  for (const d of out) {
    c.reset(d);
    while (c.next()) frames++;
  }
  assert.equal(frames, 20);
});

test("readHeader rejects short, foreign, sealed and corrupt datagrams without throwing", () => {
  const b = new DatagramBuilder({ maxDatagramBytes: 1472, crc: crc32, header: header() });
  writeU32Frame(b, FrameType.Working, 3);
  const [d] = b.take().map(joinDatagram);
  const h = header();
  assert.equal(readHeader(d!.subarray(0, 10), crc32, h), "short");
  const foreign = d!.slice();
  foreign[0] = 0;
  assert.equal(readHeader(foreign, crc32, h), "magic");
  const sealed = d!.slice();
  sealed[3] = HeaderFlag.Sealed;
  assert.equal(readHeader(sealed, crc32, h), "version");
  const flipped = d!.slice();
  flipped[HEADER_BYTES + 5]! ^= 0x10;
  assert.equal(readHeader(flipped, crc32, h), "checksum");
});

test("property: the checksum catches every single-bit flip", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 1400 }), fc.nat(), (payload, bitSeed) => {
      const b = new DatagramBuilder({ maxDatagramBytes: 1472, crc: crc32, header: header() });
      writeWhole(b, FrameType.Reply, 1, 0, payload);
      const [d] = b.take().map(joinDatagram);
      const bit = bitSeed % (d!.length * 8);
      // Bits 32..63 are the checksum field itself: a flip there is caught as a mismatch too.
      const bad = d!.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      return readHeader(bad, crc32, header()) !== "ok";
    }),
    { numRuns: 2000 },
  );
});

test("property: random bytes never make the frame cursor throw", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
      const c = new FrameCursor();
      const d = new Uint8Array(HEADER_BYTES + bytes.length);
      d.set(bytes, HEADER_BYTES);
      c.reset(d);
      let n = 0;
      while (c.next()) {
        assert.ok(c.body + c.length <= d.length);
        n++;
      }
      return n >= 0;
    }),
  );
});

test("a fragment is sent from the message by reference: segments whose join is the datagram", () => {
  // A message in two segments; fragment 1 spans both.
  const a = Uint8Array.from({ length: 150 }, (_, i) => i);
  const z = Uint8Array.from({ length: 200 }, (_, i) => 255 - (i % 256));
  const whole = new Uint8Array([...a, ...z]);
  const w = new SendWindow([a, z], 100);
  const b = new DatagramBuilder({ maxDatagramBytes: 1472, crc: crc32, header: header() });
  writeU32Frame(b, FrameType.Probe, 3); // packed before the fragment, in the copied head
  writeFragment(b, FrameType.Call, 7, 0, w, 1);
  writeFragment(b, FrameType.Call, 7, 0, w, 3); // a fragment ends its datagram: a new one
  const out = b.take();
  assert.equal(out.length, 2);
  const spanning = out[0] as readonly Uint8Array[];
  assert.equal(spanning.length, 3, "headers, then the two pieces of the message");
  assert.equal(spanning[1]!.buffer, a.buffer, "not copied");
  assert.equal(spanning[2]!.buffer, z.buffer, "not copied");
  for (const [d, index, first, types] of [
    [out[0]!, 1, 100, [FrameType.Probe, FrameType.Call]],
    [out[1]!, 3, 300, [FrameType.Call]],
  ] as const) {
    const joined = joinDatagram(d);
    assert.equal(datagramLength(d), joined.length);
    assert.equal(readHeader(joined, crc32, header()), "ok");
    const c = new FrameCursor();
    c.reset(joined);
    const seen: number[] = [];
    while (c.next()) {
      seen.push(c.type);
      if (c.type !== FrameType.Call) continue;
      assert.deepEqual([c.u32(0), c.u32(4), c.u32(8), c.u32(12)], [7, 350, index, 100]);
      const body = joined.subarray(c.body + 16, c.body + c.length);
      assert.deepEqual(body, whole.subarray(first, Math.min(350, first + 100)));
    }
    assert.equal(c.malformed, false);
    assert.deepEqual(seen, types);
  }
});

test("builders with 65,507-byte datagrams open at once share a slab by what they write, and grow", () => {
  const pool = new SlabPool();
  const first = pool.slab;
  const builders = Array.from(
    { length: 200 },
    () => new DatagramBuilder({ maxDatagramBytes: 65_507, crc: crc32, header: header(), pool }),
  );
  // Every builder has a datagram open before any seals (a server receiving from many sessions).
  for (const [i, b] of builders.entries()) writeU32Frame(b, FrameType.Ack, i);
  const small = builders.flatMap((b) => b.take());
  assert.equal(pool.slab, first, "200 open datagrams fit one 1 MiB slab");
  assert.equal(small.length, 200);
  // A datagram that outgrows its first reservation is moved or extended, its frames intact.
  const big = builders[0]!;
  writeU32Frame(builders[1]!, FrameType.Ack, 1); // another reservation after big's
  const payload = new Uint8Array(30_000).map((_, i) => i & 0xff);
  writeU32Frame(big, FrameType.Ack, 7);
  writeWhole(big, FrameType.Call, 9, 0, payload);
  writeWhole(big, FrameType.Call, 10, 0, payload);
  const [d] = big.take();
  const bytes = joinDatagram(d!);
  assert.equal(readHeader(bytes, crc32, header()), "ok");
  const c = new FrameCursor();
  c.reset(bytes);
  const seen: number[] = [];
  while (c.next()) seen.push(c.type, c.length);
  assert.deepEqual(seen, [FrameType.Ack, 4, FrameType.Call, 30_004, FrameType.Call, 30_004]);
  assert.deepEqual(bytes.subarray(bytes.length - 30_000), payload);
});

test("a ChecksumFn that ignores the range is refused where a transport is built, with a clear error", () => {
  assert.doesNotThrow(() => assertRangeChecksum(crc32));
  // Written for the two-argument form: checksums all of `data` whatever the range.
  const wholeOnly = (data: Uint8Array, previous?: number) => crc32(data, previous);
  assert.throws(() => assertRangeChecksum(wholeOnly), /must checksum data\[start, end\)/);
  const random = { next: () => 0.5, nextU32: () => 0x1234 };
  assert.throws(
    () => new ClientSession({ random, crc: wholeOnly, maxDatagramBytes: 1472, onSettle: () => {} }),
    /must checksum data\[start, end\)/,
  );
  assert.throws(
    () => new ServerEndpoint({ random, crc: wholeOnly, maxDatagramBytes: 1472, onCall: () => {} }),
    /must checksum data\[start, end\)/,
  );
});
