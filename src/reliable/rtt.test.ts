import assert from "node:assert/strict";
import { test } from "node:test";
import { CongestionController } from "./congestion.js";
import { backoffMs, RttEstimator } from "./rtt.js";
import { TimerHeap } from "./timer-heap.js";

test("RFC 6298: first sample sets SRTT = R, RTTVAR = R/2; later ones smooth", () => {
  const r = new RttEstimator({ rtoMinMs: 0, granularityMs: 1 });
  assert.equal(r.rtoMs, 200, "initial RTO before any sample");
  r.sample(100);
  assert.equal(r.srttMs, 100);
  assert.equal(r.rttvarMs, 50);
  assert.equal(r.rtoMs, 300); // 100 + 4·50
  r.sample(60);
  assert.equal(r.rttvarMs, 0.75 * 50 + 0.25 * 40);
  assert.equal(r.srttMs, 0.875 * 100 + 0.125 * 60);
});

test("RTO clamps to its floor and ceiling; G bounds the variance term", () => {
  const table: [number[], number][] = [
    [[0.05, 0.05, 0.05], 20], // loopback: the 20 ms floor
    [[20_000], 10_000], // ceiling
  ];
  for (const [samples, rto] of table) {
    const r = new RttEstimator();
    for (const s of samples) r.sample(s);
    assert.equal(r.rtoMs, rto, `samples ${samples}`);
  }
  const g = new RttEstimator({ rtoMinMs: 0, granularityMs: 1 });
  for (let i = 0; i < 50; i++) g.sample(10);
  assert.ok(Math.abs(g.rtoMs - 11) < 0.01, `RTO ${g.rtoMs} = SRTT + G when RTTVAR → 0`);
});

test("RFC 9002 §5.3: the peer's hold time is subtracted only while the sample stays ≥ min RTT", () => {
  const r = new RttEstimator();
  r.sample(10);
  r.sample(50, 40); // 10 ≥ min 10: adjusted
  assert.equal(r.latestMs, 10);
  r.sample(12, 5); // 7 < min 10: not adjusted
  assert.equal(r.latestMs, 12);
});

test("back-off doubles up to the cap, with jitter within ±jitter/2", () => {
  const table = [
    { attempt: 1, random: 0.5, want: 10 },
    { attempt: 2, random: 0.5, want: 20 },
    { attempt: 4, random: 0.5, want: 80 },
    { attempt: 30, random: 0.5, want: 1000 },
    { attempt: 1, random: 0, want: 7.5 },
    { attempt: 1, random: 0.999999, want: 12.5 },
  ];
  for (const t of table) {
    const got = backoffMs({
      baseMs: 10,
      attempt: t.attempt,
      capMs: 1000,
      jitter: 0.5,
      random: t.random,
    });
    assert.ok(Math.abs(got - t.want) < 1e-3, `attempt ${t.attempt}: ${got} ≠ ${t.want}`);
  }
});

test("loss-tolerant congestion: a queue (a whole round above min RTT + max(4 ms, min/2)) is what cuts", () => {
  const cc = new CongestionController({ maxDatagramBytes: 1000 });
  let samples = 0;
  const view = (latestMs: number) => ({ srttMs: 20, latestMs, minRttMs: 20, samples: ++samples });
  // Round 1 (0–20 ms): samples at the minimum but for one spike (jitter, not a queue).
  cc.onSent(0, 5000, 20);
  for (const ms of [20.5, 45, 21, 20.2]) assert.equal(cc.queueing(view(ms)), false);
  cc.onSent(20, 1000, 20); // round 2 begins
  cc.onLost(21, 1000, 0, view(46));
  assert.equal(cc.cwnd, 10_000, "isolated loss, jitter but no queue: tolerated");
  assert.equal(cc.toleratedLosses, 1);
  // Round 2: every sample 11+ ms above the minimum: a standing queue.
  for (const ms of [32, 33, 31.5, 34]) cc.queueing(view(ms));
  cc.onSent(40, 1000, 20); // round 3 begins: round 2 is the evidence
  assert.equal(cc.queueing(view(33)), true);
  cc.onLost(41, 1000, 30, view(33));
  assert.equal(cc.cwnd, 7000, "loss with a queue behind it: ×0.7");
  // Round 3: the queue stays; round 4 begins with two queued rounds in a row behind it.
  for (const ms of [32, 33, 31.5, 34]) cc.queueing(view(ms));
  cc.onSent(60, 1000, 20);
  cc.onAcked(61, 1000, 45, view(33));
  assert.equal(cc.cwnd, 7000 * 0.85, "queue in congestion avoidance: −15% once per round trip");
});

test("congestion: slow start doubles, a loss halves once per recovery period, RTO collapses", () => {
  const cc = new CongestionController({ maxDatagramBytes: 1000, lossTolerant: false });
  assert.equal(cc.cwnd, 10_000);
  cc.onSent(0, 10_000, 10);
  cc.onAcked(1, 10_000, 0);
  assert.equal(cc.cwnd, 20_000, "slow start: +acked bytes");
  cc.onSent(1, 4000, 10);
  cc.onLost(5, 1000, 1);
  assert.equal(cc.cwnd, 10_000);
  cc.onLost(6, 1000, 2); // sent before recovery started: same event
  assert.equal(cc.cwnd, 10_000);
  assert.equal(cc.congestionEvents, 1);
  cc.onAcked(7, 1000, 7); // congestion avoidance: + mss·acked/cwnd
  assert.equal(cc.cwnd, 10_100);
  cc.onPersistentCongestion(20);
  assert.equal(cc.cwnd, 2000, "minimum window: 2 datagrams");
});

test("pacer lets a burst through, then spaces datagrams at 1.25·cwnd/SRTT", () => {
  const cc = new CongestionController({ maxDatagramBytes: 1000, burstDatagrams: 2 });
  assert.equal(cc.pacedAtMs(0, 1000, 10), 0);
  cc.onSent(0, 1000, 10);
  cc.onSent(0, 1000, 10);
  const at = cc.pacedAtMs(0, 1000, 10);
  // rate = 1.25 · 10000 / 10 = 1250 bytes/ms: 1000 bytes after 0.8 ms.
  assert.ok(Math.abs(at - 0.8) < 1e-9, `paced at ${at}`);
});

test("timer heap pops in deadline order", () => {
  const h = new TimerHeap<{ heapIndex: number }>();
  const input = [5, 1, 9, 3, 3, 7, 0];
  for (const t of input) h.set({ heapIndex: -1 }, t);
  const out: number[] = [];
  while (h.size > 0) {
    out.push(h.peekMs());
    assert.equal(h.pop()!.heapIndex, -1);
  }
  assert.deepEqual(
    out,
    [...input].sort((a, b) => a - b),
  );
  assert.equal(h.peekMs(), Number.POSITIVE_INFINITY);
});

test("timer heap moves and removes items in place, keeping heap order (seeded random ops)", () => {
  type Item = { heapIndex: number; id: number };
  const h = new TimerHeap<Item>();
  const items: Item[] = Array.from({ length: 64 }, (_, id) => ({ heapIndex: -1, id }));
  const want = new Map<Item, number>();
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let op = 0; op < 5000; op++) {
    const it = items[Math.floor(rand() * items.length)]!;
    const r = rand();
    if (r < 0.15) {
      h.remove(it);
      want.delete(it);
    } else if (r < 0.2) {
      h.set(it, Number.POSITIVE_INFINITY);
      want.delete(it);
    } else if (r < 0.3 && h.size > 0) {
      const min = Math.min(...want.values());
      assert.equal(h.peekMs(), min);
      const top = h.pop()!;
      assert.equal(want.get(top), min);
      want.delete(top);
    } else {
      const at = Math.floor(rand() * 1000) / 7;
      h.set(it, at);
      want.set(it, at);
    }
    assert.equal(h.size, want.size);
    for (const [item, at] of want) assert.equal(h.deadlineOf(item), at);
    for (const item of items) if (!want.has(item)) assert.equal(item.heapIndex, -1);
  }
  const out: number[] = [];
  while (h.size > 0) out.push(want.get(h.pop()!)!);
  assert.deepEqual(
    out,
    [...out].sort((a, b) => a - b),
  );
});
