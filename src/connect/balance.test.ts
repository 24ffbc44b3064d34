import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../test/helpers/manual-clock.js";
import { RpcError } from "../runtime/errors.js";
import type { CallRequest, ClientTransport } from "../runtime/transport.js";
import { BalancedTransport, LazyTransport } from "./balance.js";

const request = (timeoutMs = 100): CallRequest<number> => ({
  program: 1,
  version: 1,
  procedure: 1,
  procedureName: "P",
  writeArgs: () => {},
  readResult: (r) => r.readInt(),
  timeoutMs,
});

/** A transport that answers its own name, or fails with `code`. */
function fake(name: number, code?: "unreachable" | "timeout"): ClientTransport & { calls: number } {
  return {
    kind: "fake",
    calls: 0,
    call<R>(): Promise<R> {
      this.calls++;
      return code === undefined
        ? Promise.resolve(name as R)
        : Promise.reject(new RpcError(code, `member ${name}`));
    },
    close: () => Promise.resolve(),
  };
}

describe("LazyTransport", () => {
  test("a call's deadline bounds the time spent opening", async () => {
    const clock = new ManualClock(0);
    const lazy = new LazyTransport("t", () => new Promise(() => {}), clock);
    const p = lazy.call(request(100));
    clock.advance(100);
    await assert.rejects(p, /\[timeout\] P: deadline passed while connecting/);
  });

  test("a failed open is unreachable and the next call opens again", async () => {
    const clock = new ManualClock(0);
    let opens = 0;
    const lazy = new LazyTransport(
      "t",
      async () => {
        opens++;
        if (opens === 1) throw new Error("ENOTFOUND");
        return fake(7);
      },
      clock,
    );
    await assert.rejects(lazy.call(request()), { code: "unreachable" });
    assert.equal(await lazy.call(request()), 7);
    assert.equal(opens, 2);
  });
});

describe("BalancedTransport", () => {
  test("failover moves past unreachable members, skips them while down, and sticks to the working one", async () => {
    const clock = new ManualClock(0);
    const a = fake(1, "unreachable");
    const b = fake(2);
    const t = new BalancedTransport([a, b], "failover", clock, 5000);
    assert.equal(await t.call(request()), 2);
    assert.equal(await t.call(request()), 2);
    assert.equal(a.calls, 1, "skipped while down");
    clock.advance(5000);
    assert.equal(
      await t.call(request()),
      2,
      "failover is sticky: it stays with the working member",
    );
    assert.equal(a.calls, 1);
  });

  test("a timeout is never retried elsewhere (the call may have run)", async () => {
    const a = fake(1, "timeout");
    const b = fake(2);
    const t = new BalancedTransport([a, b], "failover", new ManualClock(0));
    await assert.rejects(t.call(request()), { code: "timeout" });
    assert.equal(b.calls, 0);
  });

  test("round-robin alternates; all unreachable fails with the last error", async () => {
    const a = fake(1);
    const b = fake(2);
    const rr = new BalancedTransport([a, b], "round-robin", new ManualClock(0));
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await rr.call(request()));
    assert.deepEqual(got, [1, 2, 1, 2]);
    const dead = new BalancedTransport(
      [fake(1, "unreachable"), fake(2, "unreachable")],
      "round-robin",
      new ManualClock(0),
    );
    await assert.rejects(dead.call(request()), /member 2/);
  });
});
