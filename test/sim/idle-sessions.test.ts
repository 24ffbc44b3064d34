/**
 * Idle sessions (docs/protocol.md §4.2): a client that stays silent for longer than the server's
 * `sessionIdleMs` comes back to a server that has forgotten its session. Its next calls must
 * simply work — the client opens a new session before sending (the Welcome told it the limit),
 * rather than sending into the forgotten one and ending them outcome unknown although nothing
 * ran. And an idle session must cost the server little: its datagram builder lets go of the
 * memory slab it last wrote into. Each test names its seed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32 } from "../../src/reliable/checksum.js";
import { ClientSession } from "../../src/reliable/client-session.js";
import { ServerEndpoint } from "../../src/reliable/server-endpoint.js";
import { isRpcError } from "../../src/runtime/errors.js";
import { createSimPair, ledgerRequest, Prng } from "../../src/testing/index.js";

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
    for (const d of client.flush(0)) server.receive(0, d, `peer${i}`);
  }
  server.flush(0, () => {});
  assert.equal(server.sessions.size, 3000);
  const held = new Set<ArrayBufferLike>();
  for (const s of server.sessions.values()) held.add(s.builder.bytes.buffer);
  const pinned = [...held].filter((b) => b.byteLength > 0).length;
  assert.equal(pinned, 0, `idle sessions hold ${pinned} slabs`);
});
