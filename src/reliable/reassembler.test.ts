/**
 * The reassembler holds what was received, not what a fragment claims (the `reliable-server` fuzz
 * finding: one 1.5 KB datagram declaring 1.9 GB made the server allocate and charge 1.9 GB), and a
 * server's reassembly budget counts those bytes. Explicit times, seeded randomness.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { feed, message } from "../../test/helpers/fragments.js";
import { Prng } from "../testing/prng.js";
import { crc32 } from "./checksum.js";
import { ClientSession } from "./client-session.js";
import { joinDatagram } from "./datagram-builder.js";
import type { CallOutcome } from "./outcome.js";
import { FrameCursor, FrameFlag, FrameType, sealChecksum } from "./packet.js";
import {
  FRAGMENT_ACK_DELAY_MS,
  FRESH_MAPPING_BYTES,
  REASSEMBLY_INITIAL_BYTES,
  Reassembler,
  WHOLE_FROM_BYTES,
} from "./reassembler.js";
import { ServerEndpoint } from "./server-endpoint.js";
import type { ServerCall } from "./server-session.js";

/** The fragment indices 0..count-1 in an order shuffled from `seed` (Fisher–Yates, an LCG). */
function shuffledOrder(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  let s = seed;
  for (let k = order.length - 1; k > 0; k--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (k + 1);
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  return order;
}

test("a first fragment claiming 2 GiB holds a few KiB", () => {
  const r = new Reassembler(0x7fffffff, 1400);
  const data = new Uint8Array(1400);
  assert.equal(r.accept(1_000_000, data, 0, 1400), "new");
  assert.ok(r.footprintBytes < 2 * 1400, `${r.footprintBytes} bytes held`);
  assert.equal(r.accept(0, data, 0, 1400), "new");
  assert.ok(r.footprintBytes <= REASSEMBLY_INITIAL_BYTES + 2 * 1400, `${r.footprintBytes}`);
  assert.equal(r.accept(1_000_000, data, 0, 1400), "duplicate");
  // A fragment size of 1 byte: no per-fragment table of 2^31 entries either.
  const tiny = new Reassembler(0x7fffffff, 1);
  assert.equal(tiny.accept(0x7ffffffe, data, 0, 1), "new");
  assert.ok(tiny.footprintBytes < 256);
});

test("property: held bytes ≤ 3 × received + 64 KiB, in any order; the message comes out whole", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 400_000 }),
      fc.integer({ min: 500, max: 1400 }),
      fc.integer({ min: 0, max: 2 ** 31 }),
      (size, fs, seed) => {
        const m = message(size);
        const r = new Reassembler(size, fs);
        const order = shuffledOrder(r.fragmentCount, seed);
        for (const i of order) {
          assert.equal(feed(r, m, fs, i), "new");
          const bound = 3 * r.receivedBytes + REASSEMBLY_INITIAL_BYTES + 80 * r.receivedCount;
          assert.ok(r.footprintBytes <= bound, `${r.footprintBytes} > ${bound}`);
        }
        assert.ok(r.complete);
        assert.equal(r.buffer.length, size);
        return Buffer.compare(r.buffer, m) === 0;
      },
    ),
    { numRuns: 60 },
  );
});

/**
 * Feeds every fragment of `m` in a shuffled order and checks, after each, the footprint's bound
 * and that once the store has passed {@link WHOLE_FROM_BYTES} its memory never changes again.
 * Returns the memory the message came out in.
 */
function reassembleLarge(r: Reassembler, m: Uint8Array, fs: number, seed: number) {
  let memory: ArrayBufferLike | undefined;
  for (const i of shuffledOrder(r.fragmentCount, seed)) {
    assert.equal(feed(r, m, fs, i), "new");
    const bound = 3 * r.receivedBytes + REASSEMBLY_INITIAL_BYTES + 80 * r.receivedCount;
    assert.ok(r.footprintBytes <= bound, `${r.footprintBytes} > ${bound}`);
    if (r.buffer.length > WHOLE_FROM_BYTES && !r.complete) {
      memory ??= r.buffer.buffer;
      assert.equal(r.buffer.buffer, memory, "the store was copied into new memory");
    }
  }
  assert.ok(r.complete);
  assert.equal(r.buffer.length, m.length);
  assert.equal(Buffer.compare(r.buffer, m), 0);
  assert.ok(memory !== undefined, "the store never passed WHOLE_FROM_BYTES");
  assert.equal(r.buffer.buffer, memory, "the last fragment moved the message");
  return memory;
}

test("a large message grows in place once past WHOLE_FROM_BYTES: bounded, comes out whole", () => {
  const size = WHOLE_FROM_BYTES + 123_457;
  const fs = 60_000;
  const m = message(size);
  for (const seed of [1, 2, 3]) {
    const allocations: number[] = [];
    const r = new Reassembler(size, fs, (n) => {
      allocations.push(n);
      return new Uint8Array(n);
    });
    reassembleLarge(r, m, fs, seed);
    // Below FRESH_MAPPING_BYTES the whole size is not allocated: a heap allocation would be
    // zero-filled, all of it committed, whatever had arrived.
    assert.deepEqual(allocations, []);
  }
});

test("a message of FRESH_MAPPING_BYTES or more moves into one allocation of its size, once 2 MiB arrived", () => {
  const size = FRESH_MAPPING_BYTES + 4_321;
  const fs = 65_000;
  const m = message(size);
  const allocations: { bytes: number; received: number }[] = [];
  let whole: Uint8Array | null = null;
  const r = new Reassembler(size, fs, (n) => {
    allocations.push({ bytes: n, received: r.receivedBytes });
    whole = new Uint8Array(n);
    return whole;
  });
  const memory = reassembleLarge(r, m, fs, 7);
  assert.equal(allocations.length, 1);
  assert.equal(allocations[0]!.bytes, size);
  assert.ok(
    allocations[0]!.received >= WHOLE_FROM_BYTES / 2 - fs,
    `allocated after ${allocations[0]!.received} bytes`,
  );
  assert.equal(memory, (whole as Uint8Array | null)!.buffer, "the message is that allocation");
});

test("where the whole size cannot be allocated, the store grows in a resizable buffer instead", () => {
  const size = FRESH_MAPPING_BYTES + 4_321;
  const fs = 65_000;
  const m = message(size);
  let refused = 0;
  const r = new Reassembler(size, fs, () => {
    refused++;
    return null;
  });
  const memory = reassembleLarge(r, m, fs, 8);
  assert.equal(refused, 1);
  assert.equal(memory.byteLength, size);
});

test("a fragment that would pass the room left is refused, and accepted once there is room", () => {
  const fs = 1000;
  const m = message(300_000);
  const r = new Reassembler(m.length, fs);
  assert.equal(feed(r, m, fs, 0, 100), "full", "the first buffer does not fit 100 bytes");
  assert.equal(r.receivedCount, 0);
  assert.equal(r.footprintBytes, 0);
  assert.equal(feed(r, m, fs, 0), "new");
  const held = r.footprintBytes;
  assert.equal(feed(r, m, fs, 250, 500), "full", "a spilled fragment needs its bytes");
  assert.equal(r.footprintBytes, held);
  assert.equal(feed(r, m, fs, 250), "new");
  for (let i = 1; i < r.fragmentCount; i++) if (i !== 250) feed(r, m, fs, i);
  assert.ok(r.complete);
  assert.equal(Buffer.compare(r.buffer, m), 0);
});

/** A client and a server wired by hand (explicit times). */
function pair(maxReassemblyBytes: number) {
  const outcomes: [unknown, CallOutcome][] = [];
  const calls: ServerCall[] = [];
  let n = 0x1234;
  const random = () => ({
    next: () => 0.5,
    nextU32: () => (n = (n * 1103515245 + 12345) >>> 0),
  });
  const client = new ClientSession({
    random: random(),
    crc: crc32,
    maxDatagramBytes: 1472,
    onSettle: (token, o) => outcomes.push([token, o]),
  });
  const server = new ServerEndpoint({
    random: random(),
    crc: crc32,
    maxDatagramBytes: 1472,
    epoch: 77,
    maxReassemblyBytes,
    onCall: (call) => calls.push(call),
  });
  return { client, server, outcomes, calls };
}

/** `d` with its first Call fragment claiming `messageBytes`, checksum resealed; null if none. */
function forged(d: Uint8Array, messageBytes: number): Uint8Array | null {
  const copy = Uint8Array.from(d);
  const c = new FrameCursor();
  c.reset(copy);
  while (c.next()) {
    if (c.type === FrameType.Call && (c.flags & FrameFlag.Fragment) !== 0) {
      c.view.setUint32(c.body + 4, messageBytes);
      sealChecksum(copy, crc32);
      return copy;
    }
  }
  return null;
}

test("server: a fragment claiming 1.9 GB charges what it carries; a real big call still fits", () => {
  // Budget 1 MiB: before the fix the forged fragment was refused with Busy (held 0), and a claim
  // within the budget would have reserved it, leaving the real call below refused.
  const { client, server, outcomes, calls } = pair(1 << 20);
  const big = message(200_000);
  client.startCall(0, "forged", [message(5000)], 60_000);
  let now = 0;
  let forgedDatagram: Uint8Array | null = null;
  for (let round = 0; round < 4 && forgedDatagram === null; round++) {
    now += 1;
    client.poll(now);
    for (const d of client.flush(now).map(joinDatagram)) {
      forgedDatagram ??= forged(d, 1_924_395_010);
      if (forgedDatagram === null) server.receive(now, d, "client");
    }
    server.poll(now);
    server.flush(now, (d) => client.receive(now, joinDatagram(d)));
  }
  assert.ok(forgedDatagram !== null, "the client sent a Call fragment");
  server.receive(now, forgedDatagram, "client");
  const held = server.stats().reassemblyBytes;
  assert.ok(held > 0 && held <= REASSEMBLY_INITIAL_BYTES + 4096, `${held} bytes charged`);

  client.startCall(now, "big", [big], 60_000);
  for (let round = 0; round < 400 && !outcomes.some(([t]) => t === "big"); round++) {
    now += 1;
    for (const d of client.flush(now)) server.receive(now, joinDatagram(d), "client");
    for (const call of calls.splice(0)) {
      server.complete(now, call, [Uint8Array.of(1)]);
    }
    server.poll(now);
    server.flush(now, (d) => client.receive(now, joinDatagram(d)));
    client.poll(now);
  }
  const result = outcomes.find(([t]) => t === "big")?.[1];
  assert.equal(result?.kind, "reply", `the big call: ${JSON.stringify(result?.kind)}`);
  assert.ok(server.stats().reassemblyBytes <= held, "the finished request's bytes were freed");
});

test("outOfOrder: a fragment that does not extend the highest run by one", () => {
  const r = new Reassembler(10 * 100, 100);
  const m = message(1000);
  const table: [number, boolean][] = [
    [0, true], // the first: nothing below it to extend (acked at once)
    [1, false],
    [3, true], // opens a gap at 2
    [4, false], // extends the highest run while 2 is missing
    [5, false],
    [2, true], // fills the gap
    [7, true],
    [6, true], // below the highest
    [8, false],
  ];
  for (const [i, want] of table) {
    assert.equal(feed(r, m, 100, i), "new");
    assert.equal(r.outOfOrder(i), want, `fragment ${i}`);
  }
});

/** FragmentAck frames in the datagrams `flush` hands over. */
function fragmentAcks(datagrams: Uint8Array[]): number {
  const c = new FrameCursor();
  let n = 0;
  for (const d of datagrams) {
    c.reset(d);
    while (c.next()) if (c.type === FrameType.FragmentAck) n++;
  }
  return n;
}

test("server: with a gap open, fragments in order are acked as the sender asks, not each", () => {
  // RFC 9000 §13.2.1–13.2.2. Before: every fragment above a gap was acked at once, so on a lossy
  // path (a gap nearly always open) the server sent a datagram per datagram received. The first
  // window (10 datagrams) asks for an ack every second fragment: 1, 3, 5, 7, 9 carry AckNow.
  const { client, server, outcomes, calls } = pair(1 << 20);
  // First contact (Hello, Welcome) and one small call, so the big one leaves at once.
  client.startCall(0, "warm", [message(10)], 60_000);
  let now = 0;
  for (let round = 0; round < 10 && outcomes.length === 0; round++) {
    now += 1;
    client.poll(now);
    for (const d of client.flush(now)) server.receive(now, joinDatagram(d), "client");
    for (const call of calls.splice(0)) server.complete(now, call, [Uint8Array.of(1)]);
    server.flush(now, (d) => client.receive(now, joinDatagram(d)));
  }
  assert.equal(outcomes[0]?.[1].kind, "reply");
  now += 1;
  client.startCall(now, "big", [message(30 * 1400)], 60_000);
  client.poll(now);
  const flight = client.flush(now).map(joinDatagram);
  assert.ok(flight.length >= 10, `first flight: ${flight.length} datagrams`);
  const acksAfter: number[] = [];
  for (const [k, d] of flight.slice(0, 10).entries()) {
    if (k === 1) continue; // lost
    server.receive(now, d, "client");
    const out: Uint8Array[] = [];
    server.flush(now, (x) => out.push(joinDatagram(x)));
    acksAfter.push(fragmentAcks(out));
    for (const x of out) client.receive(now, x);
  }
  // Fragments 0, 2 (opens the gap), then those asking: 3, 5, 7, 9.
  assert.deepEqual(acksAfter, [1, 1, 1, 0, 1, 0, 1, 0, 1]);
  now += 5; // the pacer's tokens
  client.poll(now);
  const next = client.flush(now).map(joinDatagram);
  assert.ok(next.length >= 3, `the acks opened the window: ${next.length} datagrams`);
  const at = (ms: number) => {
    server.poll(ms);
    const out: Uint8Array[] = [];
    server.flush(ms, (x) => out.push(joinDatagram(x)));
    return fragmentAcks(out);
  };
  // Fragment 1 again (fills the gap), 10 (asks), then 11: asks for nothing, arrives in order,
  // and is acked within the delay, not before.
  const acksThen: number[] = [];
  for (const d of next.slice(0, 3)) {
    server.receive(now, d, "client");
    acksThen.push(at(now));
  }
  assert.deepEqual(acksThen, [1, 1, 0]);
  assert.equal(at(now + FRAGMENT_ACK_DELAY_MS - 0.01), 0);
  assert.equal(at(now + FRAGMENT_ACK_DELAY_MS), 1, "the delayed ack");
});

/** Marks in `known` the fragments below `r.cumulative` and in `ranges` (what a sender learns). */
function learn(known: Uint8Array, cumulative: number, ranges: readonly number[]): void {
  known.fill(1, 0, cumulative);
  for (let k = 0; k + 1 < ranges.length; k += 2) known.fill(1, ranges[k], ranges[k + 1]);
}

test("ackRanges: a gap filled below the 32 highest ranges is reported in the next ack", () => {
  const fs = 10;
  const m = message(200 * fs);
  const r = new Reassembler(m.length, fs);
  for (let i = 1; i < 100; i += 2) assert.equal(feed(r, m, fs, i), "new"); // 50 ranges, gaps between
  r.ackRanges(32);
  r.acked();
  assert.equal(feed(r, m, fs, 2), "new"); // a retransmission joins [1,2) and [3,4): the lowest range
  const ranges = r.ackRanges(32);
  assert.equal(ranges.length, 64, "at most 32 ranges");
  assert.deepEqual(ranges.slice(0, 2), [1, 4], "the range the fill changed leads");
  assert.deepEqual(ranges.slice(2, 4), [99, 100], "then the highest");
});

test("ackRanges: with many gaps open, every fragment received is in some ack (seeded loss)", () => {
  // A sender keeps what each ack told it. Fragments are sent in order and 5% of transmissions are
  // lost; a lost one is sent again 1,000 fragments later (and may be lost again), so about 50
  // gaps stay open and retransmissions fill gaps above the lowest. An ack leaves every 8th
  // fragment. Highest first alone, a fill below the 32 highest ranges was never reported (the
  // sender then sent it again).
  for (const seed of [1, 2, 3]) {
    const fs = 4;
    const count = 6000;
    const m = message(count * fs);
    const r = new Reassembler(m.length, fs);
    const known = new Uint8Array(count);
    const received = new Uint8Array(count);
    const sends = new Map<number, number[]>();
    const prng = new Prng(seed);
    let arrivals = 0;
    const send = (t: number, i: number) => {
      if (prng.next() < 0.05) {
        sends.set(t + 1000, [...(sends.get(t + 1000) ?? []), i]);
        return;
      }
      assert.equal(feed(r, m, fs, i), "new");
      received[i] = 1;
      if (++arrivals % 8 !== 0) return;
      learn(known, r.cumulative, r.ackRanges(32));
      r.acked();
      for (let k = 0; k < count; k++) {
        if (received[k] === 1 && known[k] !== 1) assert.fail(`seed ${seed}: ${k} never acked`);
      }
    };
    for (let t = 0; !r.complete && t < 100 * count; t++) {
      for (const i of sends.get(t) ?? []) send(t, i);
      if (t < count) send(t, t);
    }
    assert.equal(r.complete, true, `seed ${seed}: complete`);
  }
});
