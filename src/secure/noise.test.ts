import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, test } from "node:test";
import { fromHex, toHex } from "./bytes.js";
import { CipherState } from "./cipher-state.js";
import { HandshakeState } from "./handshake-state.js";
import { chaChaPoly, suite25519ChaChaPolyBlake2s as suite, x25519 } from "./node-crypto.js";
import { NoiseError } from "./noise-error.js";
import { IK, XX } from "./patterns.js";
import { DhError } from "./suite.js";

const key = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const reason = (r: string) => (e: unknown) => e instanceof NoiseError && e.reason === r;

describe("Noise building blocks", () => {
  test("X25519 matches RFC 7748 §6.1", () => {
    const alice = x25519.keyPairFromPrivate(
      fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
    );
    assert.equal(
      toHex(alice.publicKey),
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    const bobPublic = fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    assert.equal(
      toHex(x25519.dh(alice, bobPublic)),
      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    );
  });

  test("a low-order public key is refused (all-zero shared secret)", () => {
    const pair = x25519.keyPairFromPrivate(key);
    assert.throws(() => x25519.dh(pair, new Uint8Array(32)), DhError);
    assert.throws(() => x25519.dh(pair, Uint8Array.of(1, ...new Uint8Array(31))), DhError);
    assert.throws(() => x25519.dh(pair, new Uint8Array(31)), DhError);
  });

  test("REKEY(k) is the ChaCha20 keystream at nonce 2^64-1, block 1 (Noise §4.2)", () => {
    const iv = Buffer.concat([
      Buffer.from([1, 0, 0, 0]),
      Buffer.from([0, 0, 0, 0]),
      Buffer.alloc(8, 0xff),
    ]);
    const expected = createCipheriv("chacha20", key, iv).update(Buffer.alloc(32));
    assert.equal(toHex(chaChaPoly.rekey(key)), expected.toString("hex"));
    const cs = new CipherState(chaChaPoly, key);
    const before = cs.encryptWithAd(new Uint8Array(0), new Uint8Array(4));
    const other = new CipherState(chaChaPoly, key);
    other.rekey();
    assert.notEqual(
      toHex(other.encryptWithAd(new Uint8Array(0), new Uint8Array(4))),
      toHex(before),
    );
  });

  test("CipherState: no key passes through; a failed decrypt keeps the nonce; exhausted nonces refuse", () => {
    const empty = new CipherState(chaChaPoly);
    assert.deepEqual(
      empty.encryptWithAd(new Uint8Array(0), Uint8Array.of(1, 2)),
      Uint8Array.of(1, 2),
    );
    const a = new CipherState(chaChaPoly, key);
    const b = new CipherState(chaChaPoly, key);
    const ct = a.encryptWithAd(Uint8Array.of(9), Uint8Array.of(1, 2, 3));
    assert.throws(
      () => b.decryptWithAd(Uint8Array.of(8), ct),
      reason("decrypt-failed"),
      "wrong AD",
    );
    assert.equal(b.nonce, 0);
    assert.deepEqual(b.decryptWithAd(Uint8Array.of(9), ct), Uint8Array.of(1, 2, 3));
    b.setNonce(Number.MAX_SAFE_INTEGER);
    assert.throws(
      () => b.encryptWithAd(new Uint8Array(0), new Uint8Array(0)),
      reason("nonce-exhausted"),
    );
  });

  test("HandshakeState refuses calls out of turn, short messages, and use after abort", () => {
    const responderKeys = suite.dh.generateKeyPair({
      nextU32: () => 1,
      next: () => 0,
      bytes: (n) => new Uint8Array(n).fill(3),
    });
    const rnd = {
      nextU32: () => 7,
      next: () => 0,
      bytes: (n: number) => new Uint8Array(n).fill(5),
    };
    const i = new HandshakeState({
      suite,
      pattern: XX,
      initiator: true,
      random: rnd,
      staticKeyPair: responderKeys,
    });
    assert.throws(() => i.readMessage(new Uint8Array(32)), reason("bad-state"));
    const r = new HandshakeState({
      suite,
      pattern: IK,
      initiator: false,
      staticKeyPair: responderKeys,
      random: rnd,
    });
    assert.throws(() => r.writeMessage(new Uint8Array(0)), reason("bad-state"));
    const short = new Uint8Array(40);
    short.set(responderKeys.publicKey); // a valid ephemeral key, then too few bytes for `s`
    assert.throws(() => r.readMessage(short), reason("bad-length"));
    assert.throws(
      () => r.readMessage(new Uint8Array(200)),
      reason("bad-state"),
      "aborted after a failure",
    );
    const r2 = new HandshakeState({
      suite,
      pattern: IK,
      initiator: false,
      staticKeyPair: responderKeys,
      random: rnd,
    });
    assert.throws(
      () => r2.readMessage(new Uint8Array(108)),
      reason("bad-public-key"),
      "all-zero ephemeral key",
    );
  });
});
