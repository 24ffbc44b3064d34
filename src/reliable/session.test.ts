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

test("port unreachable on an open session: sent calls end outcome unknown, are never sent again; new calls wait for a first-contact Hello", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 10_000);
  p.client.poll(0);
  p.toServer(0);
  p.toClient(0);
  const sent = p.client.flush(1);
  assert.deepEqual(sent.map(frames), [[4]], "c1 sent");
  for (const d of sent) p.server.receive(1, joinDatagram(d), "client"); // it runs; its reply will be lost
  const oldSession = p.client.builder.header.sessionLo;
  p.client.refused(); // the server process died: ICMP port unreachable
  assert.deepEqual(p.outcomes[0], [
    "c1",
    { kind: "outcome-unknown", reason: "server-unreachable" },
  ]);
  assert.equal(p.client.epoch, 0, "back to first contact");
  assert.notEqual(p.client.builder.header.sessionLo, oldSession, "a new session id");
  p.client.startCall(2, "c2", [new Uint8Array([2])], 10_000);
  p.client.poll(2);
  assert.deepEqual(p.client.flush(2).map(frames), [[1]], "a Hello alone: c2 waits");
  p.client.refused(); // still nothing there
  assert.deepEqual(p.outcomes[1], ["c2", { kind: "refused" }], "never sent: may move elsewhere");
  // A server is back: the next call opens a new session and goes out as its seq 1.
  p.client.startCall(3, "c3", [new Uint8Array([3])], 10_000);
  p.client.poll(3);
  p.toServer(3);
  p.toClient(3);
  p.toServer(4);
  assert.equal(p.calls.length, 2, "c1 once, then c3; c2 never");
  assert.equal(p.calls[1]!.seq, 1, "c3 is seq 1 of the new session");
  assert.notEqual(p.calls[1]!.session, p.calls[0]!.session);
});

test("a call that gives up ends the session: the other sent calls end outcome unknown, new ones wait for a Hello", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 600_000);
  p.client.poll(0);
  p.toServer(0);
  p.toClient(0);
  p.client.flush(1);
  p.client.startCall(1000, "c2", [new Uint8Array([2])], 600_000);
  p.client.flush(1000); // c2 sent too; the server is gone: nothing answers either
  let now = 1000;
  let last: Uint8Array[] = [];
  while (p.outcomes.length === 0) {
    now = p.client.nextDeadlineMs();
    p.client.poll(now);
    last = p.client.flush(now).map(joinDatagram);
  }
  assert.equal(p.outcomes[0]![0], "c1");
  assert.equal(p.outcomes[0]![1].kind, "gave-up");
  assert.deepEqual(p.outcomes[1], [
    "c2",
    { kind: "outcome-unknown", reason: "server-unreachable" },
  ]);
  assert.deepEqual(last.map(frames), [[1]], "instead of c2's retransmission: a Hello");
  assert.equal(p.client.epoch, 0, "a first-contact Hello");
  p.client.startCall(now + 1, "c3", [new Uint8Array([3])], 600_000);
  p.client.poll(now + 1);
  assert.deepEqual(p.client.flush(now + 1), [], "c3 waits for the Welcome");
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

test("a reply arriving in fits: each new fragment answers the probes, so the call never gives up", () => {
  const outcomes: [unknown, CallOutcome][] = [];
  const calls: ServerCall[] = [];
  const client = new ClientSession({
    random: fixedRandom(),
    crc: crc32,
    maxDatagramBytes: 1472,
    maxAttempts: 3,
    onSettle: (token, o) => outcomes.push([token, o]),
  });
  const server = new ServerEndpoint({
    random: fixedRandom(),
    crc: crc32,
    maxDatagramBytes: 1472,
    epoch: 77,
    onCall: (call) => calls.push(call),
  });
  client.startCall(0, "c1", [new Uint8Array([1])], 600_000);
  client.poll(0);
  for (const d of client.flush(0)) server.receive(0, joinDatagram(d), "client");
  server.flush(0, (d) => client.receive(0, joinDatagram(d)));
  for (const d of client.flush(1)) server.receive(1, joinDatagram(d), "client");
  server.complete(2, calls[0]!, [new Uint8Array(30_000)]);
  const fragments: Uint8Array[] = [];
  server.flush(2, (d) => fragments.push(joinDatagram(d)));
  assert.ok(fragments.length >= 6, `${fragments.length} reply fragments in the first flight`);
  // One fragment, then a pause long enough for a probe (which goes nowhere), again and again:
  // more pauses than maxAttempts, but each followed by progress.
  let now = 3;
  let probes = 0;
  for (let i = 0; i < 6; i++) {
    client.receive(now, fragments[i]!);
    client.flush(now);
    // Run the client's timers until it has sent a probe (acks of the fragment may come first).
    for (let sentProbe = false; !sentProbe && outcomes.length === 0; ) {
      now = client.nextDeadlineMs();
      client.poll(now);
      sentProbe = client.flush(now).some((d) => frames(d).includes(9));
      if (sentProbe) probes++;
    }
  }
  assert.equal(probes, 6, "a probe in each pause");
  assert.deepEqual(outcomes, [], "still receiving the reply");
  assert.equal(client.stats().callsInFlight, 1);
});

test("a settled call's reply fragments still arriving (its ack lost) are acknowledged by seq, freeing the server's window", () => {
  const p = pair();
  p.client.startCall(0, "c1", [new Uint8Array([1])], 600_000); // stays executing: holds the floor
  p.client.startCall(0, "c2", [new Uint8Array([2])], 600_000);
  p.client.poll(0);
  p.toServer(0);
  p.toClient(0);
  p.toServer(1);
  assert.equal(p.calls.length, 2);
  p.server.complete(2, p.calls[1]!, [new Uint8Array(10_000)]); // a fragmented reply to c2
  const fragments: Uint8Array[] = [];
  p.server.flush(2, (d) => fragments.push(joinDatagram(d)));
  for (const d of fragments) p.client.receive(3, d);
  assert.equal(p.outcomes[0]![0], "c2", "c2 has its whole reply");
  p.client.flush(3); // its FragmentAck and the Ack of c2: lost
  const session = p.server.sessions.values().next().value!;
  assert.ok(session.path.cc.bytesInFlight > 0, "the server still counts c2's fragments in flight");
  // The server's retransmission timer resends a fragment; it reaches the client.
  let now = 3;
  let again: Uint8Array[] = [];
  while (!again.some((d) => frames(d).includes(5)) && now < 10_000) {
    now = p.server.nextDeadlineMs();
    p.server.poll(now);
    again = [];
    p.server.flush(now, (d) => again.push(joinDatagram(d)));
  }
  assert.ok(now < 10_000, "a fragment of c2 sent again");
  for (const d of again) p.client.receive(now + 1, d);
  const ackAt = now + 1 + 5; // the delayed Ack
  p.client.poll(ackAt);
  const acks = p.client.flush(ackAt);
  assert.ok(
    acks.some((d) => frames(d).includes(6)),
    "an Ack goes out",
  );
  for (const d of acks) p.server.receive(ackAt + 1, joinDatagram(d), "client");
  assert.equal(session.path.cc.bytesInFlight, 0, "c2's window released");
  assert.equal(p.server.stats().cachedReplyBytes, 0, "c2's reply freed");
});
