/**
 * Idle sessions (docs/protocol.md §4.2): a client that stays silent for longer than the server's
 * `sessionIdleMs` comes back to a server that has forgotten its session. Its next calls must
 * simply work — the client opens a new session before sending (the Welcome told it the limit),
 * rather than sending into the forgotten one and ending them outcome unknown although nothing
 * ran. A session the server forgot must never come back with a call in it (calls travel only in
 * welcomed sessions, never beside a Hello). And an idle session must cost the server little: its
 * datagram builder lets go of the memory slab it last wrote into. Each test names its seed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32 } from "../../src/reliable/checksum.js";
import { ClientSession } from "../../src/reliable/client-session.js";
import { joinDatagram } from "../../src/reliable/datagram-builder.js";
import { ServerEndpoint } from "../../src/reliable/server-endpoint.js";
import { isRpcError } from "../../src/runtime/errors.js";
import { createSimPair, ledgerRequest, Prng, resultKey } from "../../src/testing/index.js";

test("seed 41: a client idle past the server's sessionIdleMs: its next calls succeed in a new session", async () => {
  const pair = createSimPair({ seed: 41, server: { sessionIdleMs: 10_000 } });
  const clock = pair.net.clock;
  const outcomes = new Map<number, string>();
  const call = (id: number) => {
    pair.ledger.begin(id, clock.now(), 5000);
    pair.client
      .call(ledgerRequest({ id, delayMs: 0, replyBytes: 8, payload: new Uint8Array([id]) }, 5000))
      .then(
        () => {
          pair.ledger.settled(id, clock.now(), "ok");
          outcomes.set(id, "ok");
        },
        (e: unknown) => outcomes.set(id, isRpcError(e) ? e.code : String(e)),
      );
  };
  call(1);
  clock.setTimeout(() => call(2), 4_000); // idle less than half the limit: same session
  clock.setTimeout(() => call(3), 30_000); // the server forgot the session meanwhile
  clock.setTimeout(() => call(4), 30_001);
  await clock.run({ done: () => outcomes.size === 4, untilMs: 60_000 });
  assert.deepEqual([...outcomes.values()], ["ok", "ok", "ok", "ok"]);
  assert.equal(pair.server.stats().sessionsExpired, 1, "the old session expired at the server");
  assert.equal(pair.server.stats().resetsSent, 0, "the client never sent into it");
  assert.equal(pair.client.stats().resets, 1, "one new session");
});

test("seed 43: a session the server forgot while its Welcome was lost is never brought back with a call in it", async () => {
  // The server forgets sessions silent for 1 s.
  const pair = createSimPair({
    seed: 43,
    server: { sessionIdleMs: 1000 },
    client: { maxAttempts: 40 },
  });
  const clock = pair.net.clock;
  const outcomes = new Map<number, string>();
  const call = (id: number) => {
    pair.ledger.begin(id, clock.now(), 30_000);
    pair.client
      .call(ledgerRequest({ id, delayMs: 0, replyBytes: 8, payload: new Uint8Array([id]) }, 30_000))
      .then(
        (r) => {
          pair.ledger.settled(id, clock.now(), "ok", resultKey(r.id, r.payloadDigest, r.reply));
          outcomes.set(id, "ok");
        },
        (e: unknown) => {
          const code = isRpcError(e) ? e.code : String(e);
          pair.ledger.settled(id, clock.now(), code);
          outcomes.set(id, code);
        },
      );
  };
  call(1);
  await clock.run({ done: () => outcomes.size === 1 });
  pair.crashServer();
  pair.restartServer(); // a new epoch: the client's next datagram gets Reset(wrong epoch)
  const server = "10.0.0.1";
  const client = "10.0.1.1";
  const t0 = clock.now();
  call(2); // sent to the old incarnation: Reset(wrong epoch) comes back 2 ms later
  clock.setTimeout(() => call(3), 2.2); // the new session is not welcomed yet
  // Then nothing from the server for 3 s, so the new session is not welcomed; and nothing from
  // the client for 2 s once its first Hello is in, so the server forgets that session meanwhile.
  // The client keeps saying Hello; once they get through again, the session is opened anew.
  clock.setTimeout(() => pair.net.setLink(server, client, { loss: 1 }, false), 2.5);
  clock.setTimeout(() => pair.net.setLink(client, server, { loss: 1 }, false), 3);
  clock.setTimeout(() => pair.net.setLink(client, server, { loss: 0 }, false), 2000);
  clock.setTimeout(() => pair.net.setLink(server, client, { loss: 0 }, false), 3000);
  await clock.run({ done: () => outcomes.size === 3, untilMs: t0 + 60_000 });
  assert.equal(outcomes.get(2), "outcome_unknown", "sent to the old incarnation");
  assert.equal(outcomes.get(3), "ok");
  assert.deepEqual(pair.ledger.check({ lateBoundMs: 50 }), []);
  assert.ok(pair.server.stats().sessionsExpired >= 1, "the server did forget the session");
});

test("seed 44: with a short sessionIdleMs, retransmissions still keep a session with a call in flight alive", async () => {
  const pair = createSimPair({
    seed: 44,
    server: { sessionIdleMs: 1000 },
    client: { maxAttempts: 20 },
  });
  const clock = pair.net.clock;
  const outcomes: string[] = [];
  const call = (id: number) =>
    pair.client
      .call(ledgerRequest({ id, delayMs: 0, replyBytes: 8, payload: new Uint8Array([id]) }, 30_000))
      .then(
        () => outcomes.push("ok"),
        (e: unknown) => outcomes.push(isRpcError(e) ? e.code : String(e)),
      );
  void call(1);
  await clock.run({ done: () => outcomes.length === 1 });
  // Every reply lost for 3 s: the client retransmits call 2, backing off — but never staying
  // silent longer than a quarter of the server's idle limit, which its Welcome gave it.
  pair.net.setLink("10.0.0.1", "10.0.1.1", { loss: 1 }, false);
  clock.setTimeout(() => pair.net.setLink("10.0.0.1", "10.0.1.1", { loss: 0 }, false), 3000);
  void call(2);
  await clock.run({ done: () => outcomes.length === 2, untilMs: 60_000 });
  assert.deepEqual(outcomes, ["ok", "ok"]);
  assert.equal(pair.server.stats().sessionsExpired, 0);
  assert.equal(pair.server.stats().callsStarted, 2, "call 2 ran once; its copies got the cache");
});

test("idle sessions do not keep the server's retired memory slabs alive", () => {
  const random = new Prng(42);
  const server = new ServerEndpoint({
    random,
    crc: crc32,
    maxDatagramBytes: 1472,
    epoch: 9,
    onCall: () => {},
  });
  // 3000 sessions say Hello in one turn: their Welcomes, built side by side, fill several slabs.
  for (let i = 0; i < 3000; i++) {
    const client = new ClientSession({
      random,
      crc: crc32,
      maxDatagramBytes: 1472,
      onSettle: () => {},
    });
    client.startCall(0, i, [new Uint8Array(8)], 1000);
    client.poll(0);
    for (const d of client.flush(0)) server.receive(0, joinDatagram(d), `peer${i}`);
  }
  server.flush(0, () => {});
  assert.equal(server.sessions.size, 3000);
  const held = new Set<ArrayBufferLike>();
  for (const s of server.sessions.values()) held.add(s.builder.bytes.buffer);
  const pinned = [...held].filter((b) => b.byteLength > 0).length;
  assert.equal(pinned, 0, `idle sessions hold ${pinned} slabs`);
});
