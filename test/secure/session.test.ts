import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeKey } from "../../src/secure/key-text.js";
import { DATA_OVERHEAD } from "../../src/secure/packet.js";
import { totalDropped } from "../../src/secure/stats.js";
import { CLIENT_ADDRESS, connect, makePair, text, untext } from "./harness.js";

describe("secure session: handshake and data", () => {
  test("IK handshake, data both ways, the server sees the client's key", () => {
    const { client, server, clientKeys } = makePair({ responsePayload: text("epoch=7") });
    assert.equal(client.needsHandshake(0), true);
    const initiation = client.initiate(0, 1_750_000_000_000);
    assert.equal(initiation.length, 148, "initiation is 148 bytes, as WireGuard's");
    const reply = server.receive(initiation, CLIENT_ADDRESS, 0);
    assert.equal(reply.kind, "reply");
    if (reply.kind !== "reply") return;
    assert.equal(reply.datagram.length, 61 + 7);
    const established = client.receive(reply.datagram, 1);
    assert.deepEqual(established.kind, "established");
    if (established.kind === "established")
      assert.equal(untext(established.serverPayload), "epoch=7");
    assert.equal(client.needsHandshake(1), false);

    const request = client.seal(text("ping"), 2)!;
    assert.equal(request.length, 4 + DATA_OVERHEAD);
    const got = server.receive(request, CLIENT_ADDRESS, 2);
    assert.equal(got.kind, "data");
    if (got.kind !== "data") return;
    assert.equal(untext(got.payload), "ping");
    assert.equal(
      got.peer.id,
      encodeKey(clientKeys.publicKey),
      "the caller's identity is its public key",
    );
    const sealed = server.seal(got.peer, text("pong"), 3)!;
    assert.equal(sealed.to, CLIENT_ADDRESS);
    const back = client.receive(sealed.datagram, 3);
    assert.equal(back.kind === "data" && untext(back.payload), "pong");
    assert.equal(totalDropped(server.stats) + totalDropped(client.stats), 0);
  });

  test("the server cannot send on keys the client has not confirmed yet", () => {
    const { client, server, clientKeys } = makePair();
    connect(client, server);
    const peer = { publicKey: clientKeys.publicKey, id: encodeKey(clientKeys.publicKey) };
    assert.equal(
      server.seal(peer, text("x"), 1),
      null,
      "no current keys before the first client packet",
    );
    server.receive(client.seal(text("hi"), 1)!, CLIENT_ADDRESS, 1);
    assert.notEqual(server.seal(peer, text("x"), 1), null);
  });
});

describe("secure session: hostile packets are rejected 100% and counted", () => {
  function established() {
    const pair = makePair();
    connect(pair.client, pair.server);
    return pair;
  }

  test("every single-bit flip of a data packet is rejected", () => {
    const { client, server } = established();
    const packet = client.seal(text("a call with some arguments"), 1)!;
    let delivered = 0;
    for (let bit = 0; bit < packet.length * 8; bit++) {
      const bad = Uint8Array.from(packet);
      bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7));
      if (server.receive(bad, CLIENT_ADDRESS, 1).kind === "data") delivered++;
    }
    assert.equal(delivered, 0);
    assert.equal(totalDropped(server.stats), packet.length * 8, "each one counted");
    assert.equal(
      server.receive(packet, CLIENT_ADDRESS, 1).kind,
      "data",
      "the original still opens",
    );
  });

  test("every truncation of a data packet is rejected", () => {
    const { client, server } = established();
    const packet = client.seal(text("payload"), 1)!;
    for (let n = 0; n < packet.length; n++) {
      assert.equal(
        server.receive(packet.subarray(0, n), CLIENT_ADDRESS, 1).kind,
        "dropped",
        `length ${n}`,
      );
    }
    assert.equal(totalDropped(server.stats), packet.length);
    assert.equal(server.stats.opened, 0);
  });

  test("a replayed packet is delivered once", () => {
    const { client, server } = established();
    const packet = client.seal(text("once"), 1)!;
    assert.equal(server.receive(packet, CLIENT_ADDRESS, 1).kind, "data");
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(server.receive(packet, CLIENT_ADDRESS, 2), {
        kind: "dropped",
        reason: "replayed",
      });
    }
    assert.equal(server.stats.dropped.replayed, 5);
  });

  test("reordered within the window: each accepted once; behind the window: too old", () => {
    const { client, server } = established();
    const packets = Array.from({ length: 3000 }, (_, i) => client.seal(text(`#${i}`), 1)!);
    // Newest first for the last 2048, then everything again (duplicates), then the oldest.
    const order = [
      ...packets.slice(952).reverse(),
      ...packets.slice(952),
      ...packets.slice(0, 952),
    ];
    const seen = new Set<string>();
    for (const p of order) {
      const r = server.receive(p, CLIENT_ADDRESS, 1);
      if (r.kind === "data") {
        const key = untext(r.payload);
        assert.ok(!seen.has(key), `${key} delivered twice`);
        seen.add(key);
      }
    }
    assert.equal(seen.size, 2048, "exactly the 2048 packets inside the window");
    assert.equal(server.stats.dropped.replayed, 2048);
    assert.equal(server.stats.dropped["too-old"], 952);
  });

  test("forged packets (random bodies, other sessions' keys) are rejected", () => {
    const { client, server, random, serverKeys } = established();
    const real = client.seal(text("real"), 1)!;
    for (let i = 0; i < 200; i++) {
      const forged = Uint8Array.from(real);
      forged.set(random.bytes(real.length - 16), 16);
      assert.equal(server.receive(forged, CLIENT_ADDRESS, 1).kind, "dropped");
    }
    // A second client of the same server cannot inject into the first one's session.
    const other = makePair({ seed: 99, serverKeys });
    connect(other.client, server, 1, "IPv4/127.0.0.1/40001");
    const foreign = other.client.seal(text("foreign"), 1)!;
    foreign.set(real.subarray(4, 8), 4);
    assert.equal(server.receive(foreign, CLIENT_ADDRESS, 1).kind, "dropped");
    assert.equal(server.stats.opened, 0);
    assert.equal(server.stats.dropped["auth-failed"], 201);
  });

  test("unknown session indices are dropped and answered only with a small, rate-limited hint", () => {
    const { client, server } = established();
    const packet = client.seal(text("x"), 1)!;
    packet[4] = packet[4]! ^ 0xff;
    const r = server.receive(packet, "IPv4/203.0.113.9/1", 1);
    assert.equal(r.kind, "reply");
    if (r.kind === "reply") assert.ok(r.datagram.length <= 3 * packet.length);
    assert.equal(server.stats.dropped["unknown-session"], 1);
  });
});
