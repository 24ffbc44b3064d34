/**
 * Noise `SymmetricState` (Noise Protocol Framework rev. 34, §5.2): the chaining key `ck`, the
 * handshake hash `h` and a {@link CipherState}; every handshake token and payload passes through
 * it, so the final keys depend on everything both sides sent and on the prologue.
 */
import { CipherState } from "./cipher-state.js";
import type { NoiseSuite } from "./suite.js";

/** A Noise SymmetricState (§5.2): chaining key, handshake hash and a CipherState. */
export class SymmetricState {
  private ck: Uint8Array;
  private h: Uint8Array;
  private cipherState: CipherState;
  private readonly suite: NoiseSuite;

  /**
   * `InitializeSymmetric(protocol_name)`: `h` is the name padded with zeros to `HASHLEN` if it
   * fits, else `HASH(name)`; `ck = h`; no key.
   */
  constructor(suite: NoiseSuite, protocolName: string) {
    this.suite = suite;
    const name = new TextEncoder().encode(protocolName);
    const hashLen = suite.hash.hashLen;
    if (name.length <= hashLen) {
      this.h = new Uint8Array(hashLen);
      this.h.set(name);
    } else {
      this.h = suite.hash.hash(name);
    }
    this.ck = this.h;
    this.cipherState = new CipherState(suite.cipher);
  }

  /** An independent copy (a handshake can try a message on a copy and keep the original). */
  clone(): SymmetricState {
    const copy = new SymmetricState(this.suite, "");
    // ck and h are replaced, never written in place, so the copy may share them.
    copy.ck = this.ck;
    copy.h = this.h;
    copy.cipherState = this.cipherState.clone();
    return copy;
  }

  /** `MixKey(input_key_material)`: `ck, temp_k = HKDF(ck, ikm, 2)`; the cipher key becomes `temp_k`. */
  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = this.suite.hash.hkdf(this.ck, inputKeyMaterial, 2);
    this.ck = ck!;
    this.cipherState.initializeKey(tempK!.subarray(0, 32));
  }

  /** `MixHash(data)`: `h = HASH(h || data)`. */
  mixHash(data: Uint8Array): void {
    this.h = this.suite.hash.hash(this.h, data);
  }

  /** `MixKeyAndHash(input_key_material)` (used by PSK modes; kept for completeness of §5.2). */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, tempK] = this.suite.hash.hkdf(this.ck, inputKeyMaterial, 3);
    this.ck = ck!;
    this.mixHash(tempH!);
    this.cipherState.initializeKey(tempK!.subarray(0, 32));
  }

  /** `GetHandshakeHash()`: `h`, a unique id of this handshake for channel binding (§11.2). */
  handshakeHash(): Uint8Array {
    return this.h;
  }

  /** Whether a key has been mixed in yet (static keys are encrypted once it has). */
  hasKey(): boolean {
    return this.cipherState.hasKey();
  }

  /** `EncryptAndHash(plaintext)`: encrypt with `h` as associated data, then mix the ciphertext. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipherState.encryptWithAd(this.h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** `DecryptAndHash(ciphertext)`: throws `NoiseError` (`decrypt-failed`) on a bad tag. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipherState.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /**
   * `Split()`: two CipherStates from `HKDF(ck, zerolen, 2)`: the first for initiator → responder,
   * the second for responder → initiator.
   */
  split(): [CipherState, CipherState] {
    const [k1, k2] = this.suite.hash.hkdf(this.ck, new Uint8Array(0), 2);
    return [
      new CipherState(this.suite.cipher, k1!.subarray(0, 32)),
      new CipherState(this.suite.cipher, k2!.subarray(0, 32)),
    ];
  }
}
