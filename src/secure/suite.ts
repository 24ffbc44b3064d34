/**
 * The cryptographic functions a Noise protocol is built from (Noise Protocol Framework, revision
 * 34, §4 "Crypto functions" and §12 "DH functions, cipher functions, and hash functions"), as
 * interfaces: the state machines in this folder take a {@link NoiseSuite} and never touch a
 * crypto library themselves. `node-crypto.ts` implements the suites Lupine uses with
 * `node:crypto`: `25519` (X25519, RFC 7748), `ChaChaPoly` (RFC 8439) and `BLAKE2s` (RFC 7693,
 * WireGuard's choice) or `SHA256`.
 */
import type { Random } from "../io/random.js";

/** A Diffie-Hellman key pair, as raw bytes (32 bytes each for X25519). */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

/** DH functions (Noise §4.1, §12.1). */
export interface DhFunctions {
  /** The name in the protocol name, e.g. `25519`. */
  readonly name: string;
  /** `DHLEN`: bytes in a public key and in a DH output. */
  readonly dhLen: number;
  /** `GENERATE_KEYPAIR()`, drawing the private key from `random`. */
  generateKeyPair(random: Random): KeyPair;
  /** The key pair of a private key (derives the public key). Throws on a malformed key. */
  keyPairFromPrivate(privateKey: Uint8Array): KeyPair;
  /**
   * `DH(key_pair, public_key)`. Throws {@link DhError} when the result is invalid (an all-zero
   * output from a low-order public key: Noise §12.1 allows rejecting it, WireGuard does).
   */
  dh(keyPair: KeyPair, publicKey: Uint8Array): Uint8Array;
}

/** Cipher functions (Noise §4.2, §12.3): an AEAD with a 32-byte key and a 64-bit nonce. */
export interface CipherFunctions {
  readonly name: string;
  /** `ENCRYPT(k, n, ad, plaintext)`: ciphertext followed by the 16-byte tag. */
  encrypt(key: Uint8Array, nonce: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * `DECRYPT(k, n, ad, ciphertext)`: the plaintext, or `null` if authentication fails. No byte of
   * plaintext leaves this function unless the tag verified.
   */
  decrypt(
    key: Uint8Array,
    nonce: number,
    ad: Uint8Array,
    ciphertext: Uint8Array,
  ): Uint8Array | null;
  /**
   * `ENCRYPT(k, n, ad, parts[0] || parts[1] || ...)` written into `out` at `offset` (ciphertext,
   * then the 16-byte tag), which must have room for the plaintext's length plus 16: the transport
   * seals a gathered datagram straight into the packet it sends, without joining the parts first.
   * Same bytes as {@link encrypt}.
   */
  encryptInto(
    key: Uint8Array,
    nonce: number,
    ad: Uint8Array,
    parts: readonly Uint8Array[],
    out: Uint8Array,
    offset: number,
  ): void;
  /**
   * A new array of `length` bytes for the caller to overwrite entirely (a sealed packet: header,
   * ciphertext, tag). It may come uninitialized from a pool: Node's `Buffer.allocUnsafe` costs a
   * sixth of a zeroed `new Uint8Array` for a small packet. Returned as a plain `Uint8Array` view.
   */
  allocate(length: number): Uint8Array;
  /** `REKEY(k)`: the first 32 bytes of `ENCRYPT(k, 2^64-1, zerolen, zeros)` (Noise §4.2, §11.3). */
  rekey(key: Uint8Array): Uint8Array;
}

/** Hash functions (Noise §4.3, §12.5-12.8). */
export interface HashFunctions {
  readonly name: string;
  /** `HASHLEN` (32 for BLAKE2s and SHA256). */
  readonly hashLen: number;
  /** `HASH(parts[0] || parts[1] || ...)`. */
  hash(...parts: Uint8Array[]): Uint8Array;
  /** `HMAC-HASH(key, parts[0] || parts[1] || ...)` (RFC 2104 with this hash's block length). */
  hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array;
  /**
   * `HKDF(chaining_key, input_key_material, num_outputs)` of Noise §4.3: HKDF (RFC 5869) with the
   * chaining key as salt and empty info; returns 2 or 3 outputs of `hashLen` bytes.
   */
  hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2 | 3): Uint8Array[];
}

/** A complete set of crypto functions, named as in a Noise protocol name (`25519_ChaChaPoly_BLAKE2s`). */
export interface NoiseSuite {
  readonly dh: DhFunctions;
  readonly cipher: CipherFunctions;
  readonly hash: HashFunctions;
}

/** A DH computation produced an invalid shared secret (a low-order or malformed public key). */
export class DhError extends Error {
  override readonly name = "DhError";
}

/** The suite part of a protocol name, e.g. `25519_ChaChaPoly_BLAKE2s`. */
export function suiteName(suite: NoiseSuite): string {
  return `${suite.dh.name}_${suite.cipher.name}_${suite.hash.name}`;
}
