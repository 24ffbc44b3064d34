/**
 * The Lupine client transport's clock timer over real loopback sockets: a reply's delayed Ack
 * (`ackDelayMs`) moves the timer only if no call made in the same turn carries that Ack (that
 * the Ack of a reply no call follows still leaves on time: test/sim/lupine-semantics.test.ts,
 * seed 21), and a caller that calls again at once costs no `defer` per reply.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Clock, TimerHandle } from "../io/clock.js";
import { nodeClock } from "../io/node/clock.js";
import { nodeCrc32 } from "../io/node/crc32.js";
import { nodeDefer } from "../io/node/defer.js";
import { nodeRandom } from "../io/node/random.js";
import { openUdp } from "../io/node/udp.js";
import { CallLedger } from "../testing/invariants.js";
import { ledgerDispatcher, ledgerRequest, resultKey } from "../testing/ledger-program.js";
import { createLupineClient } from "./lupine-client.js";
import { createLupineServer } from "./lupine-server.js";

/** The real clock, recording the delay of every timer set while `recording`. */
class RecordingClock implements Clock {
  recording = false;
  readonly delays: number[] = [];
  now(): number {
    return nodeClock.now();
  }
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    if (this.recording) this.delays.push(delayMs);
    return nodeClock.setTimeout(fn, delayMs);
  }
  clearTimeout(handle: TimerHandle): void {
    nodeClock.clearTimeout(handle);
  }
}

/**
 * A loopback server of the ledger program (lupine/testing) and a client to it whose clock records
 * timer delays and whose `defer` counts its uses while `clock.recording`. `call()` returns the
 * transport's own promise (no extra hop: the test counts on the caller's continuation coming
 * first), and `ledger` checks that every call ran once and returned what its handler did.
 */
async function ledgerPair(ackDelayMs: number) {
  const node = { random: nodeRandom, crc: nodeCrc32 };
  const serverPort = await openUdp({ host: "127.0.0.1" });
  const server = createLupineServer({
    ...node,
    defer: nodeDefer,
    clock: nodeClock,
    port: serverPort,
  });
  const ledger = new CallLedger();
  await server.listen(ledgerDispatcher(ledger, nodeClock));
  const clock = new RecordingClock();
  const deferred = { count: 0 };
  const client = createLupineClient({
    ...node,
    defer: (fn) => {
      if (clock.recording) deferred.count++;
      nodeDefer(fn);
    },
    clock,
    ackDelayMs,
    rtt: { rtoMinMs: RTO_FLOOR_MS },
    port: await openUdp({ host: "127.0.0.1" }),
    server: serverPort.local,
  });
  const payload = new Uint8Array(16);
  let nextId = 1;
  const call = () => {
    const id = nextId++;
    ledger.begin(id, nodeClock.now(), 10_000);
    return client.call(ledgerRequest({ id, delayMs: 0, replyBytes: 16, payload }, 10_000));
  };
  /** Records a call's result in the ledger (synchronously: no promise hop before the next call). */
  const record = (r: Awaited<ReturnType<typeof call>>) =>
    ledger.settled(r.id, nodeClock.now(), "ok", resultKey(r.id, r.payloadDigest, r.reply));
  const close = async () => {
    await client.close();
    await server.close(0);
  };
  return { clock, deferred, ledger, call, record, close };
}

// An odd value, so that a timer set for the Ack stands out among those set for retransmissions.
// Those are set RTO_FLOOR_MS after a request, or less when the timer is armed later for a call
// sent earlier: with the default floor of 20 ms such a delay fell in the Ack's window once, when
// the machine likely stalled a call for 13 ms. With the floor at 500 ms it takes a 493 ms stall.
// The Ack's delay stays the earliest deadline after a reply, as the test needs.
const ACK_DELAY_MS = 7.25;
const RTO_FLOOR_MS = 500;
const forAck = (d: number) => d > ACK_DELAY_MS - 1 && d <= ACK_DELAY_MS;

test("a call made in the reply's turn carries the Ack: the timer stays on retransmission times", async () => {
  const { clock, deferred, ledger, call, record, close } = await ledgerPair(ACK_DELAY_MS);
  try {
    for (let i = 0; i < 20; i++) record(await call()); // session set up, RTT measured
    clock.recording = true;
    for (let i = 0; i < 300; i++) record(await call());
    assert.deepEqual(
      clock.delays.filter(forAck),
      [],
      `timer delays while every reply was followed by a call: ${clock.delays.join(", ")}`,
    );
    // The caller calls again in the reply's first promise hop: the move of the timer needs no
    // `defer` (one per reply before; a few allowed for replies that came again after a stall).
    assert.ok(deferred.count < 10, `${deferred.count} defers in 300 calls`);
    assert.deepEqual(ledger.check({ lateBoundMs: 0 }), []);
  } finally {
    await close();
  }
});

test("a caller several promise hops away still carries the Ack: the timer's move waits for defer", async () => {
  const { clock, deferred, ledger, call, record, close } = await ledgerPair(ACK_DELAY_MS);
  // The caller's next call comes after more hops than the first step of the move waits for.
  const hops = async () => {
    for (let i = 0; i < 4; i++) await Promise.resolve();
  };
  try {
    for (let i = 0; i < 20; i++) record(await call());
    clock.recording = true;
    for (let i = 0; i < 100; i++) {
      record(await call());
      await hops();
    }
    assert.deepEqual(
      clock.delays.filter(forAck),
      [],
      `timer delays while every reply was followed by a call: ${clock.delays.join(", ")}`,
    );
    assert.ok(deferred.count >= 90, `${deferred.count} defers in 100 calls: the fallback ran`);
    assert.deepEqual(ledger.check({ lateBoundMs: 0 }), []);
  } finally {
    await close();
  }
});
