/**
 * The client and server state machines driven by hand with explicit times (no sockets, no
 * simulation): exact deadlines for Hello, retransmission, Working and acks; resets; and random
 * bytes thrown at both never throw.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { crc32 } from "./checksum.js";
import { ClientSession } from "./client-session.js";
import { joinDatagram } from "./datagram-builder.js";
import type { CallOutcome } from "./outcome.js";
import { FrameCursor, type Header, readHeader } from "./packet.js";
import { ServerEndpoint } from "./server-endpoint.js";
import type { ServerCall } from "./server-session.js";

/** Randomness that always draws the middle: back-off jitter factor exactly 1. */
function fixedRandom() {
  let n = 0x1234;
  return { next: () => 0.5, nextU32: () => (n = (n * 1103515245 + 12345) >>> 0) };
}

function frames(datagram: Uint8Array | readonly Uint8Array[]): number[] {
  const d = joinDatagram(datagram);
  const h: Header = { flags: 0, sessionHi: 0, sessionLo: 0, epoch: 0 };
  assert.equal(readHeader(d, crc32, h), "ok");
  const c = new FrameCursor();
  c.reset(d);
  const out: number[] = [];
  while (c.next()) out.push(c.type);
  return out;
}

function pair() {
  const outcomes: [unknown, CallOutcome][] = [];
  const calls: ServerCall[] = [];
  const client = new ClientSession({
    random: fixedRandom(),
    crc: crc32,
    maxDatagramBytes: 1472,
    onSettle: (token, o) => outcomes.push([token, o]),
  });
  const server = new ServerEndpoint({
    random: fixedRandom(),
    crc: crc32,
    maxDatagramBytes: 1472,
    epoch: 77,
    onCall: (call) => calls.push(call),
  });
  const toServer = (now: number) => {
    for (const d of client.flush(now)) server.receive(now, joinDatagram(d), "client");
  };
  const toClient = (now: number) => {
    const out: Uint8Array[] = [];
    server.flush(now, (d) => out.push(joinDatagram(d)));
    for (const d of out) client.receive(now, d);
    return out;
  };
  return { client, server, outcomes, calls, toServer, toClient };
}

test("first contact: Hello (epoch 0) → Welcome → the call goes out; exact retransmission times", () => {
  const p = pair();
  const call = p.client.startCall(0, "c1", [new Uint8Array([1, 2, 3])], 10_000);
  assert.equal(p.client.nextDeadlineMs(), 0, "Hello due now");
  p.client.poll(0);
  const hello = p.client.flush(0);
  assert.deepEqual(hello.map(frames), [[1]], "one datagram: Hello only; no call before the epoch");
  assert.equal(p.client.nextDeadlineMs(), 200, "Hello retransmission after the initial RTO");
  for (const d of hello) p.server.receive(1, joinDatagram(d), "client");
  p.toClient(1);
  assert.equal(p.client.epoch, 77);
  const out = p.client.flush(2);
  assert.deepEqual(out.map(frames), [[4]], "the Call");
  assert.equal(call.seq, 1);
  // No answer: retransmissions at RTO · 2^(n−1) (jitter factor 1 here), from the last send.
  const times: number[] = [];
  let now = 2;
  for (let i = 0; i < 3; i++) {
    now = p.client.nextDeadlineMs();
    p.client.poll(now);
    assert.deepEqual(p.client.flush(now).map(frames), [[4]]);
    times.push(now);
  }
  assert.deepEqual(times, [202, 602, 1402]);
  assert.equal(p.client.stats().retransmissions, 3);
});

test("the reply is the ack; the next call carries the Ack of the previous reply", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 10_000);
  p.client.poll(0);
  p.toServer(0);
  p.toClient(0);
  p.toServer(1);
  assert.equal(p.calls.length, 1);
  assert.equal(p.server.nextDeadlineMs(), 3, "Working due 2 ms after the call arrived");
  p.server.complete(1.5, p.calls[0]!, [new Uint8Array([9, 9])]);
  const replies = p.toClient(1.5);
  assert.deepEqual(replies.map(frames), [[5]], "Reply only");
  assert.deepEqual(p.outcomes[0]![1], { kind: "reply", body: new Uint8Array([9, 9]) });
  assert.equal(p.client.nextDeadlineMs(), 6.5, "delayed Ack due 5 ms after the reply");
  p.client.startCall(2, "c2", [new Uint8Array([2])], 10_000);
  const next = p.client.flush(2);
  assert.deepEqual(next.map(frames), [[4, 6]], "Call and Ack in one datagram");
  for (const d of next) p.server.receive(2, joinDatagram(d), "client");
  assert.equal(p.server.stats().cachedReplyBytes, 0, "the Ack freed the cached reply");
});

test("a long call: Working after 2 ms; the client probes and keeps waiting", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 600_000);
  p.client.poll(0);
  p.toServer(0);
  p.toClient(0);
  p.toServer(0);
  p.server.poll(2);
  assert.deepEqual(p.toClient(2).map(frames), [[8]], "Working");
  assert.equal(p.client.stats().callsInFlight, 1);
  const probeAt = p.client.nextDeadlineMs();
  // The Working gave an RTT sample (2 ms): RTO = its 20 ms floor; first probe after 2·RTO.
  assert.equal(p.client.stats().rtoMs, 20);
  assert.equal(probeAt, 2 + 40, "first probe after max(20 ms, 2·RTO)");
  p.client.poll(probeAt);
  const probe = p.client.flush(probeAt);
  assert.deepEqual(probe.map(frames), [[9]]);
  for (const d of probe) p.server.receive(probeAt, joinDatagram(d), "client");
  assert.deepEqual(p.toClient(probeAt).map(frames), [[8]], "still working");
  assert.equal(p.client.nextDeadlineMs(), probeAt + 80, "the probe interval doubled");
  assert.equal(p.outcomes.length, 0);
});

test("a datagram for an old epoch gets Reset and runs nothing; the client ends the call outcome unknown", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 10_000);
  p.client.poll(0);
  p.toServer(0);
  p.toClient(0);
  const call = p.client.flush(1);
  const restarted = new ServerEndpoint({
    random: fixedRandom(),
    crc: crc32,
    maxDatagramBytes: 1472,
    epoch: 78,
    onCall: () => assert.fail("a call from an old epoch must not run"),
  });
  for (const d of call) restarted.receive(1, joinDatagram(d), "client");
  const resets: Uint8Array[] = [];
  restarted.flush(1, (d) => resets.push(joinDatagram(d)));
  assert.deepEqual(resets.map(frames), [[3]]);
  for (const d of resets) p.client.receive(2, d);
  assert.deepEqual(p.outcomes[0], ["c1", { kind: "outcome-unknown", reason: "server-restarted" }]);
  assert.equal(p.client.epoch, 78);
});

test("property: random bytes never throw, whatever side receives them", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 10_000);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, fixHeader) => {
      const d = new Uint8Array(Math.max(20, bytes.length));
      d.set(bytes);
      if (fixHeader) {
        // A valid header, random frames: exercises the frame parsers past the checksum.
        d[0] = 0x4c;
        d[1] = 0x75;
        d[2] = 1;
        d[3] = 0;
        d[16] = 0;
        d[19] = 77;
        const v = crc32(d.subarray(8), crc32(d.subarray(0, 4)));
        d[4] = v >>> 24;
        d[5] = (v >>> 16) & 0xff;
        d[6] = (v >>> 8) & 0xff;
        d[7] = v & 0xff;
      }
      p.server.receive(1, d, "x");
      p.client.receive(1, d);
      p.server.flush(1, () => {});
      p.client.flush(1);
      return true;
    }),
    { numRuns: 3000 },
  );
});
