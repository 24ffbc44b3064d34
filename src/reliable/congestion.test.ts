/**
 * The congestion controller's delay response and window growth, with explicit times: a queue seen
 * in one round trip only (a descheduled process) is not a bottleneck's; above the window of the
 * last reduction the window probes BIC-style (one datagram, then doubling, at most 16 per round).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CongestionController, MAX_INCREASE_DATAGRAMS } from "./congestion.js";

const MSS = 1000;

/** RTT views with a fresh sample each (min RTT 20 ms), as an `RttEstimator` would give. */
function sampler() {
  let samples = 0;
  return (latestMs: number) => ({ srttMs: 20, latestMs, minRttMs: 20, samples: ++samples });
}

/**
 * A round trip in which every RTT sample (`samplesMs`) sits 12+ ms above the 20 ms minimum, then
 * the first send of the next round at `nextRoundMs`.
 */
function queuedRound(
  cc: CongestionController,
  view: ReturnType<typeof sampler>,
  samplesMs: readonly number[],
  nextRoundMs: number,
): void {
  for (const ms of samplesMs) cc.queueing(view(ms));
  cc.onSent(nextRoundMs, 1000, 20);
}

/** Acknowledges one window's worth in datagrams sent after any recovery began; cwnd growth. */
function oneRoundOfAcks(cc: CongestionController, nowMs: number): number {
  const before = cc.cwnd;
  let left = cc.cwnd;
  while (left > 0) {
    cc.onAcked(nowMs, MSS, nowMs, undefined);
    left -= MSS;
  }
  return cc.cwnd - before;
}

test("congestion avoidance: a queue in one round trip only is not trimmed; two in a row are", () => {
  const cc = new CongestionController({ maxDatagramBytes: MSS });
  cc.ssthresh = cc.cwnd; // congestion avoidance
  const view = sampler();
  cc.onSent(0, 5000, 20);
  // Round 1 (0–20 ms) queued (the receiver was descheduled); round 2 begins at 20 ms.
  queuedRound(cc, view, [33, 34, 32, 35], 20);
  const before = cc.cwnd;
  cc.onAcked(21, MSS, 10, view(33));
  assert.ok(cc.cwnd > before, `one queued round: the window grows (${before} → ${cc.cwnd})`);
  assert.equal(cc.reductions.queue, 0);
  // Round 2 queued as well: now it is a standing queue.
  queuedRound(cc, view, [33, 34, 32], 40);
  const grown = cc.cwnd;
  cc.onAcked(41, MSS, 30, view(33));
  assert.equal(cc.cwnd, grown * 0.85, "two queued rounds in a row: −15%");
  assert.equal(cc.reductions.queue, 1);
});

test("slow start ends on a queue in two round trips in a row, not one", () => {
  const cc = new CongestionController({ maxDatagramBytes: MSS });
  const view = sampler();
  cc.onSent(0, 10_000, 20);
  queuedRound(cc, view, [33, 34, 32, 35], 20);
  cc.onAcked(21, MSS, 0, view(33));
  assert.equal(cc.ssthresh, Number.POSITIVE_INFINITY, "one queued round: still slow start");
  queuedRound(cc, view, [33, 34, 32], 40);
  cc.onAcked(41, MSS, 20, view(33));
  assert.equal(cc.ssthresh, cc.cwnd, "two queued rounds: slow start ends here");
});

test("growth beyond the last reduction's window: one datagram per round, then doubling, then 16", () => {
  const cc = new CongestionController({ maxDatagramBytes: MSS });
  const view = sampler();
  // A standing queue in slow start (two rounds) ends it: wmax = ssthresh = cwnd there.
  cc.onSent(0, 10_000, 20);
  queuedRound(cc, view, [33, 34, 32, 35], 20);
  queuedRound(cc, view, [33, 34, 32, 35], 40);
  cc.onAcked(41, MSS, 30, view(33));
  const wmax = cc.ssthresh;
  assert.equal(cc.cwnd, wmax);
  // No queue from here on: acks without RTT evidence, one window's worth per round trip.
  const gains: number[] = [];
  for (let round = 0; round < 12; round++) gains.push(oneRoundOfAcks(cc, 100 + 20 * round));
  assert.ok(gains[0]! >= 0.9 * MSS && gains[0]! < 1.5 * MSS, `first round past wmax: ${gains[0]}`);
  assert.ok(gains[3]! > 2 * gains[0]!, `growth accelerates: ${gains.join(", ")}`);
  const last = gains[gains.length - 1]!;
  assert.ok(
    last > (MAX_INCREASE_DATAGRAMS - 1) * MSS && last <= MAX_INCREASE_DATAGRAMS * MSS,
    `at most ${MAX_INCREASE_DATAGRAMS} datagrams per round trip: ${gains.join(", ")}`,
  );
});

test("without lossTolerant, congestion avoidance grows by one datagram per round trip (Reno)", () => {
  const cc = new CongestionController({ maxDatagramBytes: MSS, lossTolerant: false });
  cc.ssthresh = cc.cwnd;
  for (let round = 0; round < 3; round++) {
    const gain = oneRoundOfAcks(cc, 100 + 20 * round);
    assert.ok(gain >= 0.9 * MSS && gain <= MSS, `Reno: one datagram per round (${gain})`);
  }
});
