import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromHex, toHex } from "../../src/secure/bytes.js";
import type { CipherState } from "../../src/secure/cipher-state.js";
import { HandshakeState } from "../../src/secure/handshake-state.js";
import {
  suite25519ChaChaPolyBlake2s,
  suite25519ChaChaPolySha256,
} from "../../src/secure/node-crypto.js";
import { IK, XX } from "../../src/secure/patterns.js";
import type { NoiseSuite } from "../../src/secure/suite.js";
import { cacophonyVectors } from "../vectors/cacophony.js";

const suites: Record<string, NoiseSuite> = {
  "25519_ChaChaPoly_BLAKE2s": suite25519ChaChaPolyBlake2s,
  "25519_ChaChaPoly_SHA256": suite25519ChaChaPolySha256,
};

describe("Noise test vectors (cacophony)", () => {
  test("the file has the four protocols Lupine implements", () => {
    assert.deepEqual(
      cacophonyVectors.map((v) => v.name),
      [
        "Noise_IK_25519_ChaChaPoly_BLAKE2s",
        "Noise_IK_25519_ChaChaPoly_SHA256",
        "Noise_XX_25519_ChaChaPoly_BLAKE2s",
        "Noise_XX_25519_ChaChaPoly_SHA256",
      ],
    );
  });

  for (const v of cacophonyVectors) {
    test(v.name, () => {
      const [, patternName, ...rest] = v.name.split("_");
      const suite = suites[rest.join("_")];
      assert.ok(suite, `suite of ${v.name}`);
      const pattern = patternName === "IK" ? IK : XX;
      const dh = suite.dh;
      const initStatic = dh.keyPairFromPrivate(fromHex(v.init_static));
      const respStatic = dh.keyPairFromPrivate(fromHex(v.resp_static));
      if (v.init_remote_static !== undefined) {
        // The vector's pinned key is the public key of resp_static: checks X25519 key derivation.
        assert.equal(toHex(respStatic.publicKey), v.init_remote_static);
      }
      const initiator = new HandshakeState({
        suite,
        pattern,
        initiator: true,
        prologue: fromHex(v.init_prologue),
        staticKeyPair: initStatic,
        ephemeralKeyPair: dh.keyPairFromPrivate(fromHex(v.init_ephemeral)),
        ...(v.init_remote_static === undefined
          ? {}
          : { remoteStaticPublicKey: fromHex(v.init_remote_static) }),
      });
      const responder = new HandshakeState({
        suite,
        pattern,
        initiator: false,
        prologue: fromHex(v.resp_prologue),
        staticKeyPair: respStatic,
        ephemeralKeyPair: dh.keyPairFromPrivate(fromHex(v.resp_ephemeral)),
      });
      let initKeys: { send: CipherState; receive: CipherState } | null = null;
      let respKeys: { send: CipherState; receive: CipherState } | null = null;
      v.messages.forEach((m, i) => {
        const fromInitiator = i % 2 === 0;
        const payload = fromHex(m.payload);
        let wire: Uint8Array;
        let received: Uint8Array;
        if (initKeys === null || respKeys === null) {
          const [writer, reader] = fromInitiator ? [initiator, responder] : [responder, initiator];
          const w = writer.writeMessage(payload);
          wire = w.message;
          const r = reader.readMessage(wire);
          received = r.payload;
          assert.equal(
            w.split === null,
            r.split === null,
            `message ${i}: both sides split together`,
          );
          if (w.split !== null && r.split !== null) {
            initKeys = fromInitiator ? w.split : r.split;
            respKeys = fromInitiator ? r.split : w.split;
            assert.equal(toHex(initiator.handshakeHash()), toHex(responder.handshakeHash()));
          }
        } else {
          const [send, receive] = fromInitiator
            ? [initKeys.send, respKeys.receive]
            : [respKeys.send, initKeys.receive];
          wire = send.encryptWithAd(new Uint8Array(0), payload);
          received = receive.decryptWithAd(new Uint8Array(0), wire);
        }
        assert.equal(toHex(wire), m.ciphertext, `message ${i} on the wire`);
        assert.equal(toHex(received), m.payload, `message ${i} payload`);
      });
      assert.ok(initiator.complete && responder.complete);
      assert.equal(toHex(initiator.remoteStaticPublicKey!), toHex(respStatic.publicKey));
      assert.equal(toHex(responder.remoteStaticPublicKey!), toHex(initStatic.publicKey));
    });
  }
});
