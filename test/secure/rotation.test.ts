import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CLIENT_ADDRESS, connect, makePair, text, untext, WALL_MS } from "./harness.js";

describe("key rotation", () => {
  test("after rekeyAfterPackets the client rehandshakes; in-flight packets on old keys still open", () => {
    const { client, server } = makePair({
      limits: { rekeyAfterPackets: 10, rejectAfterPackets: 20 },
    });
    connect(client, server, 0);
    const first = Array.from({ length: 10 }, (_, i) => client.seal(text(`old ${i}`), 1)!);
    // Deliver half now, half after the rotation (in flight).
    for (const p of first.slice(0, 5))
      assert.equal(server.receive(p, CLIENT_ADDRESS, 1).kind, "data");
    assert.equal(client.needsHandshake(1), true, "10 packets sent: rekey");
    const r = server.receive(client.initiate(2, WALL_MS + 2), CLIENT_ADDRESS, 2);
    assert.equal(r.kind, "reply");
    if (r.kind === "reply") assert.equal(client.receive(r.datagram, 2).kind, "established");
    assert.equal(client.needsHandshake(2), false);
    const next = client.seal(text("new 0"), 3)!;
    assert.equal(untext(recv(server, next, 3)), "new 0", "new keys confirmed by the first packet");
    for (const p of first.slice(5))
      assert.equal(server.receive(p, CLIENT_ADDRESS, 3).kind, "data", "old keys still accepted");

    // The server now answers on the new keys; a reply sealed on the old ones before is still read.
    const peer = server.receive(client.seal(text("new 1"), 4)!, CLIENT_ADDRESS, 4);
    assert.equal(peer.kind, "data");
    if (peer.kind !== "data") return;
    const reply = server.seal(peer.peer, text("reply"), 4)!;
    assert.equal(client.receive(reply.datagram, 4).kind, "data");
  });

  test("keys older than two rotations are gone: their packets are dropped", () => {
    const { client, server } = makePair({
      limits: { rekeyAfterPackets: 2, rejectAfterPackets: 4 },
    });
    connect(client, server, 0);
    const generation0 = client.seal(text("g0"), 1)!;
    for (let g = 1; g <= 2; g++) {
      client.seal(text("filler"), g);
      const r = server.receive(client.initiate(g, WALL_MS + g), CLIENT_ADDRESS, g);
      if (r.kind === "reply") client.receive(r.datagram, g);
      assert.equal(server.receive(client.seal(text(`g${g}`), g)!, CLIENT_ADDRESS, g).kind, "data");
    }
    const opened = server.stats.opened;
    const r = server.receive(generation0, CLIENT_ADDRESS, 3);
    assert.equal(
      r.kind === "reply" && r.datagram[0],
      5,
      "answered only with a 'session unknown' hint",
    );
    assert.equal(server.stats.dropped["unknown-session"], 1);
    assert.equal(server.stats.opened, opened);
    assert.deepEqual(
      client.receive(r.kind === "reply" ? r.datagram : new Uint8Array(0), 3),
      {
        kind: "dropped",
        reason: "no-handshake",
      },
      "the client ignores a hint about keys it no longer uses",
    );
  });

  test("rejectAfterPackets: a key set never seals or opens past its limit", () => {
    const { client, server } = makePair({
      limits: { rekeyAfterPackets: 3, rejectAfterPackets: 5 },
    });
    connect(client, server, 0);
    for (let i = 0; i < 5; i++) assert.notEqual(client.seal(text("x"), 1), null);
    assert.equal(client.seal(text("x"), 1), null);
    assert.equal(client.canSend(1), false);
  });

  test("after rekeyAfterTimeMs the client rehandshakes; after rejectAfterTimeMs old keys are refused", () => {
    const { client, server } = makePair();
    connect(client, server, 0);
    const early = client.seal(text("early"), 1)!;
    assert.equal(client.needsHandshake(119_999), false);
    assert.equal(client.needsHandshake(120_000), true, "REKEY_AFTER_TIME = 120 s");
    assert.notEqual(client.seal(text("still ok"), 150_000), null, "old keys send until 180 s");
    assert.equal(client.seal(text("too late"), 180_000), null, "REJECT_AFTER_TIME = 180 s");
    assert.deepEqual(server.receive(early, CLIENT_ADDRESS, 180_000), {
      kind: "dropped",
      reason: "expired",
    });
    server.sweep(180_000);
    assert.equal(server.sessionCount, 0, "sweep forgets expired keys");
  });

  test("an unanswered handshake is retried after rekeyTimeoutMs with a new ephemeral key", () => {
    const { client } = makePair();
    const a = client.initiate(0, WALL_MS);
    assert.equal(client.needsHandshake(4_999), false);
    assert.equal(client.needsHandshake(5_000), true);
    const b = client.initiate(5_000, WALL_MS + 5_000);
    assert.notDeepEqual(a.subarray(8, 40), b.subarray(8, 40), "fresh ephemeral");
    assert.notDeepEqual(a.subarray(4, 8), b.subarray(4, 8), "fresh index");
  });
});

function recv(
  server: ReturnType<typeof makePair>["server"],
  datagram: Uint8Array,
  now: number,
): Uint8Array {
  const r = server.receive(datagram, CLIENT_ADDRESS, now);
  if (r.kind !== "data") throw new Error(`expected data, got ${JSON.stringify(r)}`);
  return r.payload;
}
