import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HandshakeState } from "../../src/secure/handshake-state.js";
import { NoiseError } from "../../src/secure/noise-error.js";
import { IK } from "../../src/secure/patterns.js";
import { SecureResponder } from "../../src/secure/responder.js";
import { PROLOGUE } from "../../src/secure/wire-constants.js";
import {
  CLIENT_ADDRESS,
  connect,
  keyPair,
  makePair,
  seededRandom,
  suite,
  text,
  WALL_MS,
} from "./harness.js";

describe("server identity: the client pins the server's key", () => {
  test("a server with another key cannot answer; the client gives up after rekeyAttemptTime", () => {
    const realServer = keyPair(seededRandom(5));
    const { client, server } = makePair({ pinnedServerKey: realServer.publicKey });
    // `server` holds a different key than the one pinned: it is an impersonator.
    for (let t = 0; t < 90_000; t += 5_000) {
      assert.equal(client.needsHandshake(t), true);
      const r = server.receive(client.initiate(t, WALL_MS + t), CLIENT_ADDRESS, t);
      assert.deepEqual(
        r,
        { kind: "dropped", reason: "bad-mac1" },
        "mac1 is keyed by the pinned key",
      );
      assert.equal(client.gaveUp(t), false);
    }
    assert.equal(client.gaveUp(90_000), true);
    assert.equal(client.canSend(90_000), false);
    assert.equal(server.stats.handshakes, 0);
  });

  test("an impersonator that ignores mac1 still cannot read the initiation (Noise es/ss)", () => {
    const { client } = makePair();
    const impostor = new HandshakeState({
      suite,
      pattern: IK,
      initiator: false,
      prologue: PROLOGUE,
      staticKeyPair: keyPair(seededRandom(7)),
      random: seededRandom(8),
    });
    const initiation = client.initiate(0, WALL_MS);
    assert.throws(
      () => impostor.readMessage(initiation.subarray(8, 116)),
      (e: unknown) => e instanceof NoiseError && e.reason === "decrypt-failed",
    );
  });

  test("responses the genuine server did not make for this handshake are dropped; the handshake survives", () => {
    const { client, server, serverKeys, random } = makePair();
    const initiation = client.initiate(0, WALL_MS);
    // An attacker answers first: random bytes, and a genuine response to another client's
    // handshake with the index rewritten to ours.
    const forged = new Uint8Array(61);
    forged.set([2, 0, 0, 0]);
    forged.set(initiation.subarray(4, 8), 8);
    forged.set(random.bytes(49), 12);
    assert.deepEqual(client.receive(forged, 0), { kind: "dropped", reason: "handshake-failed" });
    const other = makePair({ seed: 3, serverKeys });
    const otherResponse = server.receive(other.client.initiate(0, WALL_MS), "IPv4/10.0.0.2/1", 0);
    assert.equal(otherResponse.kind, "reply");
    if (otherResponse.kind !== "reply") return;
    const stolen = Uint8Array.from(otherResponse.datagram);
    stolen.set(initiation.subarray(4, 8), 8);
    assert.deepEqual(client.receive(stolen, 0), { kind: "dropped", reason: "handshake-failed" });
    // The genuine response still completes the same handshake.
    const genuine = server.receive(initiation, CLIENT_ADDRESS, 0);
    assert.equal(genuine.kind, "reply");
    if (genuine.kind === "reply")
      assert.equal(client.receive(genuine.datagram, 0).kind, "established");
    assert.equal(client.stats.dropped["handshake-failed"], 2);
  });
});

describe("a restarted server cannot be impersonated with its old packets", () => {
  test("replayed old responses and data fail against a new handshake; replayed initiations do nothing", () => {
    const { client, server, serverKeys, random } = makePair();
    // Recorded by an attacker: a whole old exchange.
    const old = connect(client, server, 0);
    const oldRequest = client.seal(text("old call"), 1)!;
    const r = server.receive(oldRequest, CLIENT_ADDRESS, 1);
    assert.equal(r.kind, "data");
    if (r.kind !== "data") return;
    const oldReply = server.seal(r.peer, text("old reply"), 1)!.datagram;
    assert.equal(client.receive(oldReply, 2).kind, "data");

    // The server restarts (same key, no state); the client notices and handshakes again.
    const restarted = new SecureResponder({
      suite,
      staticKeyPair: serverKeys,
      random,
      nowMs: 10_000,
    });
    const hint = restarted.receive(client.seal(text("lost"), 10_000)!, CLIENT_ADDRESS, 10_000);
    assert.equal(hint.kind, "reply", "unknown session: the restarted server hints");
    if (hint.kind === "reply")
      assert.equal(client.receive(hint.datagram, 10_000).kind, "rehandshake");
    assert.equal(client.needsHandshake(10_000), true);
    const initiation = client.initiate(10_000, WALL_MS + 10_000);

    // The attacker replays the old response: it was made for another ephemeral key.
    const replayedResponse = Uint8Array.from(old.response);
    replayedResponse.set(initiation.subarray(4, 8), 8);
    assert.deepEqual(client.receive(old.response, 10_001), {
      kind: "dropped",
      reason: "no-handshake",
    });
    assert.deepEqual(client.receive(replayedResponse, 10_001), {
      kind: "dropped",
      reason: "handshake-failed",
    });
    // Replayed old data from the server: the replay window of the old keys rejects it.
    assert.deepEqual(client.receive(oldReply, 10_001), { kind: "dropped", reason: "replayed" });

    // The attacker replays the old initiation to the restarted server: it answers (it cannot
    // know), but nobody can use those keys, and the real handshake is unaffected.
    const replayedInit = restarted.receive(old.initiation, "IPv4/198.51.100.7/9", 10_002);
    assert.equal(replayedInit.kind, "reply");
    if (replayedInit.kind === "reply") {
      assert.deepEqual(client.receive(replayedInit.datagram, 10_002), {
        kind: "dropped",
        reason: "no-handshake",
      });
    }
    assert.deepEqual(
      restarted.receive(oldRequest, CLIENT_ADDRESS, 10_003).kind,
      "reply",
      "old data: unknown session",
    );

    const genuine = restarted.receive(initiation, CLIENT_ADDRESS, 10_004);
    assert.equal(genuine.kind, "reply");
    if (genuine.kind === "reply")
      assert.equal(client.receive(genuine.datagram, 10_004).kind, "established");
    const fresh = restarted.receive(client.seal(text("new call"), 10_005)!, CLIENT_ADDRESS, 10_005);
    assert.equal(fresh.kind, "data");
    assert.equal(restarted.stats.opened, 1, "only the new call was delivered");
  });

  test("forged 'session unknown' hints cause at most one handshake per rekeyTimeoutMs, and keys keep working", () => {
    const { client, server } = makePair();
    connect(client, server, 0);
    const sent = client.seal(text("x"), 0)!;
    const hint = Uint8Array.of(5, 0, 0, 0, ...sent.subarray(4, 8)); // names our session's index
    // The first hint is honoured even just after a handshake: a server that restarted right
    // after it must be reached again at once.
    assert.deepEqual(client.receive(hint, 1_000), { kind: "rehandshake" });
    assert.equal(client.needsHandshake(1_000), true);
    connect(client, server, 1_000);
    assert.deepEqual(client.receive(hint, 1_001), { kind: "dropped", reason: "no-handshake" });
    assert.deepEqual(client.receive(hint, 5_999), { kind: "dropped", reason: "no-handshake" });
    assert.equal(client.needsHandshake(5_999), false);
    assert.deepEqual(client.receive(hint, 6_000), { kind: "rehandshake" });
    assert.equal(client.needsHandshake(6_000), true);
    client.initiate(6_000, WALL_MS + 6_000);
    assert.deepEqual(client.receive(hint, 6_001), { kind: "dropped", reason: "no-handshake" });
    assert.equal(
      server.receive(client.seal(text("still"), 6_002)!, CLIENT_ADDRESS, 6_002).kind,
      "data",
    );
  });

  test("a replayed initiation to a running server is refused and does not displace the session", () => {
    const { client, server } = makePair();
    const { initiation } = connect(client, server, 0);
    assert.equal(server.receive(client.seal(text("a"), 1)!, CLIENT_ADDRESS, 1).kind, "data");
    assert.deepEqual(server.receive(initiation, "IPv4/198.51.100.7/9", 2), {
      kind: "dropped",
      reason: "replayed-initiation",
    });
    assert.equal(server.receive(client.seal(text("b"), 3)!, CLIENT_ADDRESS, 3).kind, "data");
  });

  test("initiation timestamps keep growing even if the wall clock repeats", () => {
    const { client, server } = makePair();
    connect(client, server, 0);
    // Same wall-clock time again (a coarse clock): the client bumps its timestamp.
    const again = client.initiate(1, WALL_MS);
    const r = server.receive(again, CLIENT_ADDRESS, 1);
    assert.equal(r.kind, "reply");
  });
});

describe("client allow-list", () => {
  test("a client not on the allow-list is refused with an authenticated answer; no session", () => {
    const allowed = keyPair(seededRandom(11)).publicKey;
    const { client, server } = makePair({
      authorize: (key) => key.every((b, i) => b === allowed[i]),
    });
    const r = server.receive(client.initiate(0, WALL_MS), CLIENT_ADDRESS, 0);
    assert.equal(r.kind, "reply");
    if (r.kind !== "reply") return;
    assert.deepEqual(client.receive(r.datagram, 0), { kind: "refused" });
    assert.equal(client.canSend(0), false);
    assert.equal(server.sessionCount, 0);
    assert.equal(server.stats.dropped["not-authorized"], 1);
    assert.equal(server.stats.handshakes, 0);
  });

  test("a refusal cannot be forged by a third party (it is part of the handshake)", () => {
    const { client, server } = makePair();
    const initiation = client.initiate(0, WALL_MS);
    const r = server.receive(initiation, CLIENT_ADDRESS, 0);
    assert.equal(r.kind, "reply");
    if (r.kind !== "reply") return;
    const tampered = Uint8Array.from(r.datagram);
    tampered[44] = tampered[44]! ^ 1; // the encrypted status byte
    assert.deepEqual(client.receive(tampered, 0), { kind: "dropped", reason: "handshake-failed" });
    assert.equal(client.receive(r.datagram, 0).kind, "established");
  });
});
