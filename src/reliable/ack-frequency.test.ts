/**
 * How often fragments are acknowledged (docs/protocol.md §5): the sender asks for an ack (the
 * AckNow flag) every `cwnd / 8` datagrams, 2 to 32, and on the last fragment it has to send; the
 * receiver acks at once what the sender asked for, a gap, a filled gap, a duplicate, the fragment
 * that lets the sender declare a loss, the completion, and otherwise every 64th fragment or within
 * 2 ms. Explicit times; no network.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ACKS_PER_WINDOW, CongestionController, MAX_ACK_INTERVAL_DATAGRAMS } from "./congestion.js";
import { Path } from "./path.js";
import { MAX_UNACKED_FRAGMENTS, Reassembler } from "./reassembler.js";
import { SendWindow } from "./send-window.js";

const FS = 100;

/**
 * Feeds fragments `order` (each `[index, ackNow]` or an index) to a reassembler of `count`
 * fragments; returns the indexes after which an ack left.
 */
function acksFor(count: number, order: readonly (number | [number, boolean])[]): number[] {
  const r = new Reassembler(count * FS, FS);
  const data = new Uint8Array(FS);
  const acked: number[] = [];
  for (const step of order) {
    const [i, ackNow] = typeof step === "number" ? [step, false] : step;
    const verdict = r.accept(i, data, 0, FS);
    assert.ok(verdict === "new" || verdict === "duplicate", `fragment ${i}: ${verdict}`);
    if (r.ackDue(i, verdict, ackNow)) {
      r.acked();
      acked.push(i);
    }
  }
  return acked;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

test("receiver: a long in-order stream nobody asks acks for is acked every 64th and at the end", () => {
  // Before: every second fragment (500 acks for 1000 fragments).
  const acked = acksFor(1000, range(0, 1000));
  const want = [0, ...range(1, 16).map((k) => k * MAX_UNACKED_FRAGMENTS), 999];
  assert.deepEqual(acked, want);
});

test("receiver: AckNow, gaps, fills, duplicates and the loss-declaring fragment ack at once", () => {
  const table: [string, (number | [number, boolean])[], number[]][] = [
    [
      "the first fragment, then only what the sender asks",
      [0, 1, [2, true], 3, 4, [5, true]],
      [0, 2, 5],
    ],
    // 3 opens a gap (2 missing): at once; then 4 and 5 make 2 lost by packet threshold at the
    // sender (three later transmissions acknowledged): the ack after 5; then nothing until asked.
    ["a new gap and the packet threshold past it", [0, 1, 3, 4, 5, 6, 7, 8], [0, 3, 5]],
    ["the gap filled", [0, 1, 3, 4, 5, 6, 2, 7], [0, 3, 5, 2]],
    ["below the highest, not filling", [0, 4, 5, 6, 2, 7], [0, 4, 6, 2]],
    ["a duplicate", [0, 1, 1, 2], [0, 1]],
    ["the completion", [0, 1, 2, 3], [0, 3]],
  ];
  for (const [name, order, want] of table) {
    const count = name === "the completion" ? 4 : 20;
    assert.deepEqual(acksFor(count, order), want, name);
  }
});

test("receiver: with a gap always open, fragments in order are still decimated", () => {
  // A lossy path: a new gap every 50 fragments. Acks: the first, per gap two (the gap, the
  // packet threshold), per fill one (before: every second fragment).
  const order: number[] = [];
  for (let base = 0; base < 1000; base += 50) {
    order.push(...range(base, base + 50).filter((i) => i !== base + 10));
    order.push(base + 10); // the retransmission, a round trip later
  }
  const acked = acksFor(1000, order);
  assert.ok(acked.length <= 20 * 5, `${acked.length} acks for 1000 fragments`);
  for (let base = 0; base < 1000; base += 50) {
    assert.ok(acked.includes(base + 11), `the gap at ${base + 10} acked at once`);
    assert.ok(acked.includes(base + 13), `${base + 10} declarable lost at once`);
    assert.ok(acked.includes(base + 10), `the fill of ${base + 10} acked at once`);
  }
});

test("congestion: the ack interval is cwnd / 8 datagrams, between 2 and 32", () => {
  const cc = new CongestionController({ maxDatagramBytes: 1000 });
  const table: [number, number][] = [
    [2000, 2],
    [10_000, 2],
    [24_000, 3],
    [64_000, 8],
    [128_000, 16],
    [256_000, MAX_ACK_INTERVAL_DATAGRAMS],
    [1_000_000, MAX_ACK_INTERVAL_DATAGRAMS],
  ];
  for (const [cwnd, want] of table) {
    cc.cwnd = cwnd;
    assert.equal(cc.ackIntervalDatagrams(), want, `cwnd ${cwnd}`);
    assert.ok(want === 2 || cwnd / 1000 / want >= ACKS_PER_WINDOW);
  }
});

test("sender: AckNow on every interval-th transmission and on the last one it has to send", () => {
  const path = new Path({ maxDatagramBytes: 1000 });
  const w = new SendWindow([new Uint8Array(45 * 1000)], 1000);
  const asked: number[] = [];
  const send = (nowMs: number) => {
    const i = w.peekNext();
    if (w.markSent(i, nowMs, path)) asked.push(i);
  };
  // Initial window 10 datagrams: every second.
  for (let k = 0; k < 6; k++) send(0);
  assert.deepEqual(asked, [1, 3, 5]);
  path.cc.cwnd = 400_000; // a large window: every 32nd
  asked.length = 0;
  for (let k = 0; k < 39; k++) send(1);
  assert.deepEqual(asked, [37, 44], "32 after the last ask, then the last fragment");
  assert.equal(w.peekNext(), -1);
});
