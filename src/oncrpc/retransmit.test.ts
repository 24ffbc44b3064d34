import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CallSchedule, DEFAULT_RETRANSMIT_POLICY, RttEstimator } from "./retransmit.js";

describe("UDP retransmission schedule", () => {
  test("exact times: 100 ms doubling to 400, deadline 1000", () => {
    const s = new CallSchedule({ now: 5000, timeoutMs: 1000, intervalMs: 100, maxIntervalMs: 400 });
    const wakes: [number, string][] = [];
    for (let i = 0; i < 10; i++) {
      const at = s.wakeAt;
      const action = s.onWake(at);
      wakes.push([at - 5000, action]);
      if (action === "timeout") break;
    }
    // sent at 0; retransmit at 100, 300 (+200), 700 (+400), then the 1000 deadline (< 1100).
    assert.deepEqual(wakes, [
      [100, "retransmit"],
      [300, "retransmit"],
      [700, "retransmit"],
      [1000, "timeout"],
    ]);
    assert.equal(s.transmissions, 4);
  });

  test("an early timer waits; a late one retransmits from the late time", () => {
    const s = new CallSchedule({ now: 0, timeoutMs: 10_000, intervalMs: 100, maxIntervalMs: 1000 });
    assert.equal(s.onWake(99), "wait");
    assert.equal(s.transmissions, 1);
    assert.equal(s.onWake(150), "retransmit");
    assert.equal(s.wakeAt, 350);
  });

  test("a deadline shorter than the first interval times out with one transmission", () => {
    const s = new CallSchedule({ now: 0, timeoutMs: 50, intervalMs: 100, maxIntervalMs: 1000 });
    assert.equal(s.wakeAt, 50);
    assert.equal(s.onWake(50), "timeout");
    assert.equal(s.transmissions, 1);
  });
});

describe("RTT estimator (RFC 6298 §2)", () => {
  const policy = { ...DEFAULT_RETRANSMIT_POLICY, minIntervalMs: 10, maxIntervalMs: 5000 };

  test("no sample: the initial interval", () => {
    assert.equal(new RttEstimator().intervalMs(policy), policy.initialIntervalMs);
  });

  test("first sample R: SRTT = R, RTTVAR = R/2, RTO = 3R", () => {
    const e = new RttEstimator();
    e.sample(20);
    assert.equal(e.srttMs, 20);
    assert.equal(e.rttvarMs, 10);
    assert.equal(e.intervalMs(policy), 60);
  });

  test("later samples smooth with 1/8 and 1/4", () => {
    const e = new RttEstimator();
    e.sample(20);
    e.sample(36);
    assert.equal(e.rttvarMs, 0.75 * 10 + 0.25 * 16);
    assert.equal(e.srttMs, 0.875 * 20 + 0.125 * 36);
  });

  test("clamped to the floor and the ceiling; non-adaptive ignores samples", () => {
    const e = new RttEstimator();
    e.sample(0.1);
    assert.equal(e.intervalMs(policy), 10);
    e.sample(100_000);
    assert.equal(e.intervalMs(policy), 5000);
    assert.equal(e.intervalMs({ ...policy, adaptive: false }), policy.initialIntervalMs);
  });
});
