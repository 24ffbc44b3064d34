import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SecureInitiator } from "../../src/secure/initiator.js";
import { SecureResponder } from "../../src/secure/responder.js";
import type { NoiseSuite } from "../../src/secure/suite.js";
import {
  CLIENT_ADDRESS,
  connect,
  makePair,
  seededRandom,
  suite,
  text,
  WALL_MS,
} from "./harness.js";

/** The real suite, counting DH operations and decryptions (attempted and successful). */
function spySuite() {
  const counts = { dh: 0, decrypt: 0, decrypted: 0 };
  const spied: NoiseSuite = {
    hash: suite.hash,
    dh: {
      ...suite.dh,
      dh(pair, pub) {
        counts.dh++;
        return suite.dh.dh(pair, pub);
      },
    },
    cipher: {
      ...suite.cipher,
      decrypt(key, n, ad, ct) {
        counts.decrypt++;
        const out = suite.cipher.decrypt(key, n, ad, ct);
        if (out !== null) counts.decrypted++;
        return out;
      },
    },
  };
  return { counts, spied };
}

/** Tracks bytes received from and sent to each address, as the network would see them. */
class Ledger {
  readonly received = new Map<string, number>();
  readonly sent = new Map<string, number>();
  deliver(server: SecureResponder, datagram: Uint8Array, from: string, now: number) {
    this.received.set(from, (this.received.get(from) ?? 0) + datagram.length);
    const r = server.receive(datagram, from, now);
    if (r.kind === "reply") this.sent.set(from, (this.sent.get(from) ?? 0) + r.datagram.length);
    return r;
  }
  assertWithin(factor: number) {
    for (const [address, sent] of this.sent) {
      const received = this.received.get(address) ?? 0;
      assert.ok(sent <= factor * received, `${address}: sent ${sent} > ${factor} × ${received}`);
    }
  }
}

describe("denial of service: spoofed handshakes, cookies, amplification", () => {
  test("a flood of spoofed initiations does bounded DH work and never amplifies", () => {
    const { counts, spied } = spySuite();
    const random = seededRandom(21);
    const serverKeys = spied.dh.generateKeyPair(random);
    const server = new SecureResponder({
      suite: spied,
      staticKeyPair: serverKeys,
      random,
      nowMs: 0,
      admission: { unprovenHandshakesPerSecond: 100, maxHandshakesPerSecond: 1000 },
    });
    // The attacker knows the server's public key (it is public), so mac1 is right.
    const attackers = Array.from(
      { length: 20 },
      () =>
        new SecureInitiator({
          suite,
          staticKeyPair: suite.dh.generateKeyPair(random),
          serverPublicKey: serverKeys.publicKey,
          random,
        }),
    );
    const initiations = attackers.map((a, i) => a.initiate(0, WALL_MS + i));
    const ledger = new Ledger();
    const flood = 20_000;
    const dhBefore = counts.dh;
    for (let i = 0; i < flood; i++) {
      const now = i * 0.05; // 20,000 initiations in one second, each from a new spoofed address
      ledger.deliver(
        server,
        initiations[i % initiations.length]!,
        `IPv4/10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/9`,
        now,
      );
    }
    const processed = server.stats.handshakes + server.stats.dropped["replayed-initiation"];
    assert.ok(processed <= 10 + 100 + 1, `handshakes processed: ${processed} (burst 10 + 100/s)`);
    // Reading an IK initiation costs 2 DH (es, ss), answering 2 more (ee, se).
    assert.ok(counts.dh - dhBefore <= 4 * processed, `DH operations: ${counts.dh - dhBefore}`);
    // Cookie replies are budgeted too (10,000/s, burst 1,000); everything else is counted as dropped.
    assert.ok(
      server.stats.cookieReplies <= 11_001,
      `cookie replies: ${server.stats.cookieReplies}`,
    );
    assert.equal(
      processed + server.stats.cookieReplies + server.stats.dropped["rate-limited"],
      flood,
      "every initiation is accounted for",
    );
    ledger.assertWithin(3);
    // Replays of the same 20 initiations: at most 20 distinct sessions were ever created.
    assert.ok(server.sessionCount <= 20);
  });

  test("initiations with a wrong mac1 cost one MAC: no DH, no reply", () => {
    const { counts, spied } = spySuite();
    const random = seededRandom(22);
    const server = new SecureResponder({
      suite: spied,
      staticKeyPair: spied.dh.generateKeyPair(random),
      random,
      nowMs: 0,
    });
    const junk = new Uint8Array(148);
    junk[0] = 1;
    const dhBefore = counts.dh;
    for (let i = 0; i < 1000; i++) {
      junk.set(random.bytes(140), 8);
      assert.deepEqual(server.receive(junk, `IPv4/10.0.0.${i & 255}/1`, i), {
        kind: "dropped",
        reason: "bad-mac1",
      });
    }
    assert.equal(counts.dh - dhBefore, 0);
    assert.equal(counts.decrypt, 0);
  });

  test("under load a real client gets a cookie, retries with mac2 and connects; the cookie is bound to its address", () => {
    const { client, server } = makePair({ admission: { unprovenHandshakesPerSecond: 10 } });
    // Exhaust the unproven budget (burst 1 at 10/s) with someone else's traffic.
    const loadGen = new SecureInitiator({
      suite,
      staticKeyPair: suite.dh.generateKeyPair(seededRandom(6)),
      serverPublicKey: server.publicKey,
      random: seededRandom(7),
    });
    for (let i = 0; i < 5; i++)
      server.receive(loadGen.initiate(0, WALL_MS + i), `IPv4/10.9.9.${i}/1`, 0);

    const first = server.receive(client.initiate(0, WALL_MS), CLIENT_ADDRESS, 0);
    assert.equal(first.kind, "reply");
    if (first.kind !== "reply") return;
    assert.equal(first.datagram[0], 3, "a cookie reply");
    assert.equal(first.datagram.length, 40, "smaller than the 148-byte initiation");
    assert.deepEqual(client.receive(first.datagram, 1), { kind: "retry-now" });
    const retry = client.initiate(1, WALL_MS + 1);
    // The same retry from a different source address does not count as proven.
    const elsewhere = server.receive(retry, "IPv4/192.0.2.66/1", 1);
    assert.equal(
      elsewhere.kind === "reply" && elsewhere.datagram[0],
      3,
      "unproven elsewhere: another cookie",
    );
    const second = server.receive(retry, CLIENT_ADDRESS, 1);
    assert.equal(second.kind === "reply" && second.datagram[0], 2, "proven: a handshake response");
    if (second.kind === "reply")
      assert.equal(client.receive(second.datagram, 1).kind, "established");
  });

  test("a forged cookie reply is ignored by the client", () => {
    const { client, random } = makePair();
    const initiation = client.initiate(0, WALL_MS);
    const forged = new Uint8Array(40);
    forged[0] = 3;
    forged.set(initiation.subarray(4, 8), 4);
    forged.set(random.bytes(32), 8);
    assert.deepEqual(client.receive(forged, 0), { kind: "dropped", reason: "no-handshake" });
  });

  test("property: whatever spoofed sources send, replies to each stay within 3× (seeded mix)", () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const { client, server } = makePair({ seed, admission: { unprovenHandshakesPerSecond: 20 } });
      connect(client, server, 0);
      const dataTemplate = client.seal(text("x"), 0)!;
      const initiations = [client.initiate(0, WALL_MS + 1), client.initiate(0, WALL_MS + 2)];
      const ledger = new Ledger();
      for (let i = 0; i < 3000; i++) {
        const pick = random.nextU32() % 4;
        let d: Uint8Array;
        if (pick === 0) d = initiations[random.nextU32() % 2]!;
        else if (pick === 1) {
          d = Uint8Array.from(dataTemplate);
          d.set(random.bytes(4), 4); // unknown session index
        } else if (pick === 2) d = random.bytes(random.nextU32() % 200);
        else {
          d = Uint8Array.from(dataTemplate.subarray(0, 8 + (random.nextU32() % 40)));
          d[0] = 4;
        }
        ledger.deliver(
          server,
          d,
          `IPv4/172.16.${random.nextU32() % 4}.${random.nextU32() % 8}/1`,
          i,
        );
      }
      ledger.assertWithin(3);
      assert.ok(server.amplification.size <= 16_384);
    }
  });
});

describe("nothing is decrypted or delivered before authentication", () => {
  test("replays are refused before any decryption; tampered packets never yield plaintext", () => {
    const { counts, spied } = spySuite();
    const { client, server } = makePair({ suite: spied });
    connect(client, server, 0);
    const packet = client.seal(text("secret"), 1)!;
    assert.equal(server.receive(packet, CLIENT_ADDRESS, 1).kind, "data");
    const decrypts = counts.decrypt;
    for (let i = 0; i < 10; i++) server.receive(packet, CLIENT_ADDRESS, 1);
    assert.equal(counts.decrypt, decrypts, "replayed counters are rejected before decrypting");
    const decrypted = counts.decrypted;
    for (let i = 16; i < packet.length; i++) {
      const bad = Uint8Array.from(client.seal(text("secret"), 1)!);
      bad[i] = bad[i]! ^ 0x80;
      assert.equal(server.receive(bad, CLIENT_ADDRESS, 1).kind, "dropped");
    }
    assert.equal(counts.decrypted, decrypted, "no tampered packet produced plaintext");
  });
});
