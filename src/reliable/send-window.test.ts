import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Path } from "./path.js";
import { Reassembler } from "./reassembler.js";
import { SendWindow } from "./send-window.js";

function message(n: number): Uint8Array {
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = (i * 31 + 7) & 0xff;
  return m;
}

/** Splits `m` into chunks at the given cut points (how XdrWriter.finishChunks hands data over). */
function chunked(m: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (m.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(m.subarray(at, p));
    at = p;
  }
  out.push(m.subarray(at));
  return out;
}

test("property: fragment → shuffle and duplicate → reassemble is the identity", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 1, max: 700 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (size, fragmentSize, cuts, order) => {
        const m = message(size);
        const w = new SendWindow(chunked(m, cuts), fragmentSize);
        const r = new Reassembler(size, fragmentSize);
        assert.equal(w.fragmentCount, r.fragmentCount);
        const sequence = Array.from({ length: w.fragmentCount }, (_, i) => i);
        for (let k = 0; k < order.length; k++) {
          const a = order[k]! % sequence.length;
          sequence.push(sequence[a]!); // duplicates
          const b = (order[k]! >> 3) % sequence.length;
          [sequence[a], sequence[b]] = [sequence[b]!, sequence[a]!]; // shuffle
        }
        const buf = new Uint8Array(fragmentSize);
        for (const i of sequence) {
          const n = w.copyFragment(i, buf, 0);
          const v = r.accept(i, buf, 0, n);
          assert.notEqual(v, "invalid");
        }
        return r.complete && Buffer.compare(r.buffer, m) === 0;
      },
    ),
  );
});

test("reassembler refuses fragments that do not fit the declared message", () => {
  const r = new Reassembler(1000, 300);
  const buf = new Uint8Array(300);
  assert.equal(r.accept(4, buf, 0, 100), "invalid", "index past the end");
  assert.equal(r.accept(3, buf, 0, 300), "invalid", "last fragment is 100 bytes");
  assert.equal(r.accept(3, buf, 0, 100), "new");
  assert.equal(r.accept(3, buf, 0, 100), "duplicate");
  assert.equal(r.accept(0, buf, 0, 300), "new");
  assert.equal(r.cumulative, 1);
  assert.deepEqual(r.ackRanges(8), [3, 4]);
  assert.equal(r.accept(1, buf, 0, 300), "new");
  assert.equal(r.accept(2, buf, 0, 300), "new");
  assert.equal(r.cumulative, 4);
  assert.deepEqual(r.ackRanges(8), []);
  assert.ok(r.complete);
});

test("SACK: three later fragments acknowledged make a hole lost (fast retransmit)", () => {
  const path = new Path({ maxDatagramBytes: 1000, congestion: { lossTolerant: false } });
  const w = new SendWindow([message(10 * 100)], 100);
  for (let i = 0; i < 6; i++) w.markSent(w.peekNext(), i, path);
  assert.equal(path.cc.bytesInFlight, 600);
  // Fragment 1 lost: the receiver acks 0 cumulatively and 2..4 selectively.
  w.onAck(10, path, { cumulative: 1, ranges: [2, 5], ackDelayMs: 0 });
  assert.equal(w.ackedCount, 4);
  assert.equal(w.peekNext(), 1, "fragment 1 goes again before new ones");
  assert.equal(path.cc.congestionEvents, 1);
  assert.equal(path.rtt.samples, 1);
  w.markSent(1, 11, path);
  assert.equal(w.retransmissions, 1);
  assert.equal(w.peekNext(), 6);
});

test("loss-tolerant window: an isolated loss on an unqueued path is repaired without a cut", () => {
  const path = new Path({ maxDatagramBytes: 1000 });
  for (let k = 0; k < 8; k++) path.rtt.sample(10);
  const w = new SendWindow([message(10 * 100)], 100);
  for (let i = 0; i < 6; i++) w.markSent(w.peekNext(), i, path);
  const before = path.cc.cwnd;
  w.onAck(10, path, { cumulative: 1, ranges: [2, 5], ackDelayMs: 0 });
  assert.equal(w.peekNext(), 1, "still retransmitted at once");
  assert.equal(path.cc.congestionEvents, 0);
  assert.equal(path.cc.toleratedLosses, 1);
  assert.ok(path.cc.cwnd >= before);
});

test("SACK: a hole younger than the packet threshold is lost by time (9/8 RTT)", () => {
  const path = new Path({ maxDatagramBytes: 1000, rtt: { rtoInitialMs: 30 } });
  const w = new SendWindow([message(300)], 100);
  w.markSent(0, 0, path);
  w.markSent(1, 0, path);
  w.markSent(2, 0, path);
  w.onAck(8, path, { cumulative: 1, ranges: [2, 3], ackDelayMs: 0 });
  // RTT sample 8 ms: fragment 1 is lost at 0 + 9/8·8 = 9 ms.
  const lossAt = w.detectLost(8.5, path);
  assert.equal(lossAt, 9);
  assert.equal(w.peekNext(), -1);
  w.detectLost(9, path);
  assert.equal(w.peekNext(), 1);
});

test("RTO: a first expiry probes with the oldest fragment; a second collapses the window", () => {
  const path = new Path({ maxDatagramBytes: 100 });
  const w = new SendWindow([message(500)], 100);
  for (let i = 0; i < 5; i++) w.markSent(i, 0, path);
  w.onTimeout(200, path);
  assert.equal(w.peekNext(), 0, "probe: the oldest fragment goes again");
  assert.equal(path.cc.cwnd, 1000, "window kept after one expiry");
  w.markSent(0, 200, path);
  w.onTimeout(600, path);
  assert.equal(path.cc.bytesInFlight, 0);
  assert.equal(path.cc.cwnd, 200);
  assert.equal(w.timeouts, 2);
  const again: number[] = [];
  for (let i = w.peekNext(); i >= 0; i = w.peekNext()) {
    again.push(i);
    w.markSent(i, 201, path);
  }
  assert.deepEqual(again, [1, 2, 3, 4, 0], "in transmission order; 0 went last as the probe");
  w.onAck(610, path, { cumulative: 5, ranges: [], ackDelayMs: 0 });
  assert.ok(w.done);
  assert.equal(path.rtt.samples, 0, "Karn: no sample from retransmitted fragments");
});

test("an ack of a probed fragment's first transmission declares nothing sent after it lost", () => {
  const path = new Path({ maxDatagramBytes: 1000 });
  for (let k = 0; k < 8; k++) path.rtt.sample(20);
  const w = new SendWindow([message(10 * 100)], 100);
  // A new message's first flight, then a probe timeout re-sends fragment 0 at 22 ms.
  for (let i = 0; i < 8; i++) w.markSent(w.peekNext(), i, path);
  w.onTimeout(22, path);
  assert.equal(w.peekNext(), 0);
  w.markSent(0, 22, path);
  // At 24 ms the ack of fragment 0's first transmission (sent at 0) arrives: fragments 1..7
  // (sent 1..7 ms ago, before the probe) are not lost, however many were sent before the probe.
  w.onAck(24, path, { cumulative: 1, ranges: [], ackDelayMs: 0 });
  assert.equal(w.peekNext(), 8, "no retransmission: new data goes next");
  assert.equal(path.cc.toleratedLosses + path.cc.congestionEvents, 0);
  // The acks of 1..7 come a few ms later; all acknowledged, none sent twice.
  w.onAck(28, path, { cumulative: 8, ranges: [], ackDelayMs: 0 });
  assert.equal(w.ackedCount, 8);
  assert.equal(w.retransmissions, 1, "only the probe");
});

test("an ack of a retransmission older than the minimum RTT still drives loss detection", () => {
  const path = new Path({ maxDatagramBytes: 1000, congestion: { lossTolerant: false } });
  for (let k = 0; k < 8; k++) path.rtt.sample(20);
  const w = new SendWindow([message(10 * 100)], 100);
  for (let i = 0; i < 3; i++) w.markSent(w.peekNext(), i, path);
  w.onTimeout(30, path);
  w.markSent(0, 30, path); // tx 4
  for (let i = 0; i < 4; i++) w.markSent(w.peekNext(), 31, path); // 3..6: tx 5..8
  // 25 ms after the retransmission its ack comes, with 3..6: 1 and 2 are lost.
  w.onAck(55, path, { cumulative: 1, ranges: [3, 7], ackDelayMs: 0 });
  assert.equal(w.peekNext(), 1);
  assert.equal(path.cc.congestionEvents, 1);
});
