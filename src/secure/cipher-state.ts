/**
 * Noise `CipherState` (Noise Protocol Framework rev. 34, §5.1): a key `k` (or none) and a 64-bit
 * nonce `n`, used for the handshake's encrypted fields and, after `Split()`, by the transport.
 *
 * Nonces are JavaScript numbers, so this implementation caps `n` at 2^53 - 1 (Noise lets an
 * implementation impose a lower limit than 2^64 - 1); the transport rekeys long before that.
 */
import { NoiseError, NoiseFailure } from "./noise-error.js";
import type { CipherFunctions } from "./suite.js";

/** The largest nonce this implementation uses. */
export const MAX_NONCE = Number.MAX_SAFE_INTEGER;

/** A Noise CipherState (§5.1): key `k` (or none) and nonce `n`. */
export class CipherState {
  private k: Uint8Array | null = null;
  private n = 0;
  private readonly cipher: CipherFunctions;

  constructor(cipher: CipherFunctions, key: Uint8Array | null = null) {
    this.cipher = cipher;
    if (key !== null) this.initializeKey(key);
  }

  /** `InitializeKey(key)`: sets `k` and resets `n` to 0. */
  initializeKey(key: Uint8Array | null): void {
    if (key !== null && key.length !== 32) throw new RangeError("cipher key must be 32 bytes");
    this.k = key === null ? null : Uint8Array.from(key);
    this.n = 0;
  }

  /** An independent copy with the same key and nonce. */
  clone(): CipherState {
    const copy = new CipherState(this.cipher, this.k);
    copy.n = this.n;
    return copy;
  }

  /** `HasKey()`. */
  hasKey(): boolean {
    return this.k !== null;
  }

  /** `SetNonce(nonce)`: for transports with explicit nonces (§11.4), like Lupine's data packets. */
  setNonce(nonce: number): void {
    if (!Number.isSafeInteger(nonce) || nonce < 0) throw new RangeError(`bad nonce ${nonce}`);
    this.n = nonce;
  }

  /** The nonce the next encrypt or decrypt uses. */
  get nonce(): number {
    return this.n;
  }

  /** `EncryptWithAd(ad, plaintext)`: the plaintext unchanged when there is no key yet. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.k === null) return plaintext;
    this.checkNonce();
    const out = this.cipher.encrypt(this.k, this.n, ad, plaintext);
    this.n++;
    return out;
  }

  /**
   * `DecryptWithAd(ad, ciphertext)`: throws {@link NoiseError} (`decrypt-failed`) if the tag does
   * not verify, and then leaves `n` unchanged, as §5.1 requires.
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.k === null) return ciphertext;
    this.checkNonce();
    const plaintext = this.cipher.decrypt(this.k, this.n, ad, ciphertext);
    if (plaintext === null) {
      throw new NoiseError(NoiseFailure.DecryptFailed, "authentication tag did not verify");
    }
    this.n++;
    return plaintext;
  }

  /** `Rekey()` (§4.2, §11.3): `k = REKEY(k)`; `n` is unchanged. */
  rekey(): void {
    if (this.k === null) throw new NoiseError(NoiseFailure.BadState, "rekey without a key");
    this.k = this.cipher.rekey(this.k);
  }

  /** The raw key, for the transport's explicit-nonce data keys (`transport-keys.ts`). */
  keyBytes(): Uint8Array {
    if (this.k === null) throw new NoiseError(NoiseFailure.BadState, "no key");
    return this.k;
  }

  private checkNonce(): void {
    if (this.n >= MAX_NONCE) throw new NoiseError(NoiseFailure.NonceExhausted, "nonce exhausted");
  }
}
