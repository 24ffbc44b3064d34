import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_ADMISSION_LIMITS, HandshakeAdmission } from "./admission.js";
import { AmplificationGuard } from "./amplification.js";
import { BucketTable, TokenBucket } from "./rate-limit.js";

describe("token buckets", () => {
  test("rate and burst, with explicit time", () => {
    const b = new TokenBucket(10, 2, 0);
    assert.equal(b.take(0), true);
    assert.equal(b.take(0), true);
    assert.equal(b.take(0), false);
    assert.equal(b.take(99), false);
    assert.equal(b.take(100), true, "one token per 100 ms at 10/s");
    assert.equal(b.take(10_000), true);
    assert.equal(b.take(10_000), true);
    assert.equal(b.take(10_000), false, "never more than the burst saved");
  });

  test("a bucket table stays within its size", () => {
    const t = new BucketTable({ ratePerSecond: 1, burst: 1, maxEntries: 3 });
    for (let i = 0; i < 100; i++) t.take(`a${i}`, 0);
    assert.equal(t.size, 3);
  });
});

describe("handshake admission", () => {
  test("unproven handshakes within budget, then cookies; proven ones per address", () => {
    const a = new HandshakeAdmission(
      {
        ...DEFAULT_ADMISSION_LIMITS,
        unprovenHandshakesPerSecond: 10,
        handshakesPerSecondPerAddress: 20,
        handshakeBurstPerAddress: 5,
      },
      0,
    );
    assert.equal(a.decide("x", false, 0), "process", "burst of 1 (10/s ÷ 10)");
    assert.equal(a.decide("y", false, 0), "send-cookie");
    assert.equal(a.decide("y", false, 100), "process", "refilled after 100 ms");
    const proven = Array.from({ length: 7 }, () => a.decide("z", true, 200));
    assert.deepEqual(proven, [
      "process",
      "process",
      "process",
      "process",
      "process",
      "drop",
      "drop",
    ]);
    assert.equal(a.decide("w", true, 200), "process", "another proven address has its own bucket");
  });

  test("the global ceiling bounds proven handshakes too", () => {
    const a = new HandshakeAdmission(
      { ...DEFAULT_ADMISSION_LIMITS, maxHandshakesPerSecond: 20 },
      0,
    );
    let processed = 0;
    for (let i = 0; i < 1000; i++) if (a.decide(`p${i}`, true, 0) === "process") processed++;
    assert.equal(processed, 2, "burst = 20/s ÷ 10");
  });
});

describe("amplification guard (RFC 9000 §8)", () => {
  test("3× what was received until validated", () => {
    const g = new AmplificationGuard();
    assert.equal(g.trySend("a", 1), false, "nothing received: nothing sent");
    g.received("a", 100);
    assert.equal(g.trySend("a", 300), true);
    assert.equal(g.trySend("a", 1), false);
    assert.equal(g.blocked, 2);
    g.validate("a");
    assert.equal(g.trySend("a", 1_000_000), true);
  });

  test("bounded table; forgetting only ever reduces what may be sent", () => {
    const g = new AmplificationGuard({ maxAddresses: 2 });
    g.received("a", 100);
    g.received("b", 100);
    g.received("c", 100);
    assert.equal(g.size, 2);
    assert.equal(g.allows("a", 1), false, "a was forgotten: no credit");
    assert.equal(g.allows("c", 300), true);
  });
});
