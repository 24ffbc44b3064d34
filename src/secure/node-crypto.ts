/**
 * The one module of `secure/` that touches `node:crypto`: the Noise crypto functions of
 * `suite.ts` over Node's OpenSSL (X25519, ChaCha20-Poly1305, BLAKE2s-256 / SHA-256, HMAC), except
 * ChaCha20-Poly1305 on small packets, which runs in TypeScript (`chacha20-poly1305.ts`).
 * Everything else in `secure/` takes a {@link NoiseSuite} and stays
 * pure, so the simulated network can drive it.
 *
 * Costs measured on the development machine (see `bench/secure.bench.ts`): importing a raw X25519
 * private key through DER/PKCS#8 takes ~400 µs, through JWK ~30 µs, so keys enter OpenSSL as JWK
 * and the resulting `KeyObject`s are cached per key pair; one X25519 ~40 µs.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from "node:crypto";
import type { Random } from "../io/random.js";
import { openInto, sealInPlace } from "./chacha20-poly1305.js";
import {
  type CipherFunctions,
  DhError,
  type DhFunctions,
  type HashFunctions,
  type KeyPair,
  type NoiseSuite,
} from "./suite.js";

const KEY_LEN = 32;
const TAG_LEN = 16;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

function fromB64url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64url"));
}

/** Private `KeyObject`s of the key pairs this module made, so each is imported once. */
const privateKeys = new WeakMap<KeyPair, KeyObject>();

function privateKeyObject(pair: KeyPair): KeyObject {
  let key = privateKeys.get(pair);
  if (key === undefined) {
    key = importPrivate(pair.privateKey);
    privateKeys.set(pair, key);
  }
  return key;
}

function importPrivate(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_LEN)
    throw new RangeError(`X25519 private key must be 32 bytes, got ${raw.length}`);
  // OpenSSL imports an OKP private JWK with EVP_PKEY_new_raw_private_key(d) and derives the
  // public key from d; Node only checks that `x` is a string, so `d` stands in for it.
  const d = b64url(raw);
  return createPrivateKey({ key: { kty: "OKP", crv: "X25519", d, x: d }, format: "jwk" });
}

function importPublic(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_LEN)
    throw new DhError(`X25519 public key must be 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64url(raw) }, format: "jwk" });
}

function pairOf(privateKey: Uint8Array, key: KeyObject): KeyPair {
  const jwk = createPublicKey(key).export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("X25519 public key export failed");
  const pair: KeyPair = { publicKey: fromB64url(jwk.x), privateKey: Uint8Array.from(privateKey) };
  privateKeys.set(pair, key);
  return pair;
}

/** X25519 (RFC 7748) as Noise's `25519` DH functions (§12.1). */
export const x25519: DhFunctions = {
  name: "25519",
  dhLen: KEY_LEN,
  generateKeyPair(random: Random): KeyPair {
    const raw = random.bytes(KEY_LEN);
    // Clamp as RFC 7748 §5 (X25519 clamps anyway; stored keys then match `wg genkey` output).
    raw[0] = raw[0]! & 248;
    raw[31] = (raw[31]! & 127) | 64;
    return pairOf(raw, importPrivate(raw));
  },
  keyPairFromPrivate(privateKey: Uint8Array): KeyPair {
    return pairOf(privateKey, importPrivate(privateKey));
  },
  dh(pair: KeyPair, publicKey: Uint8Array): Uint8Array {
    let shared: Buffer;
    try {
      shared = diffieHellman({
        privateKey: privateKeyObject(pair),
        publicKey: importPublic(publicKey),
      });
    } catch (e) {
      // OpenSSL refuses an all-zero shared secret (a low-order public key).
      if (e instanceof DhError) throw e;
      throw new DhError("X25519 produced an invalid shared secret (low-order public key?)", {
        cause: e,
      });
    }
    if (shared.length !== KEY_LEN || shared.every((b) => b === 0)) {
      throw new DhError("X25519 produced an all-zero shared secret");
    }
    return new Uint8Array(shared.buffer, shared.byteOffset, shared.byteLength);
  },
};

const ALGORITHM = "chacha20-poly1305";
/** The cipher options, one shared object (no allocation per packet). */
const AEAD_OPTIONS = { authTagLength: TAG_LEN } as const;

/**
 * The 12-byte ChaChaPoly nonce of Noise §12.3: 32 zero bits, then `n` as 64-bit little-endian.
 * One scratch buffer serves every call: OpenSSL copies the IV when the cipher is created.
 */
const nonceScratch = Buffer.alloc(12);
function chachaNonce(n: number): Buffer {
  nonceScratch.writeUInt32LE(n >>> 0, 4);
  nonceScratch.writeUInt32LE(Math.floor(n / 0x1_0000_0000), 8);
  return nonceScratch;
}

/** The nonce 2^64 - 1 of REKEY (Noise §4.2), in §12.3's encoding. */
const REKEY_NONCE = Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/**
 * Packets whose plaintext is at most this many bytes are sealed and opened by the TypeScript
 * ChaCha20-Poly1305 (`chacha20-poly1305.ts`), larger ones by OpenSSL. Node cannot give a cipher
 * object a new nonce, so OpenSSL costs ~4–5 µs per packet before the first byte; the TypeScript
 * code has no such fixed cost but runs ~7 ns per byte against OpenSSL's ~1.5. Measured side by
 * side in one process (seal + open, docs/security.md §3.8): ~4 vs ~14 µs at 72 bytes, about even
 * at 640–768 bytes; the threshold sits below the crossing, where the saving is still clear.
 */
export const SMALL_PACKET_BYTES = 512;

/** Seals the concatenated `parts` (`length` bytes in all) into `out` at `offset`, tag after. */
type SealInto = (
  key: Uint8Array,
  n: number,
  ad: Uint8Array,
  parts: readonly Uint8Array[],
  out: Uint8Array,
  offset: number,
  length: number,
) => void;
/** Opens `ciphertext` (at least a tag long): the plaintext, or `null` if the tag fails. */
type Open = (
  key: Uint8Array,
  n: number,
  ad: Uint8Array,
  ciphertext: Uint8Array,
) => Uint8Array | null;

/**
 * Noise's `ChaChaPoly` cipher functions (§12.3) around one way of sealing and opening: the
 * length checks, `encrypt` as `encryptInto` a new array, pooled packet memory and REKEY are the
 * same whichever AEAD implementation does the work.
 */
function chaChaPolyFunctions(sealInto: SealInto, open: Open): CipherFunctions {
  return {
    name: "ChaChaPoly",
    encrypt(key, n, ad, plaintext) {
      const out = new Uint8Array(plaintext.length + TAG_LEN);
      sealInto(key, n, ad, [plaintext], out, 0, plaintext.length);
      return out;
    },
    encryptInto(key, n, ad, parts, out, offset) {
      let length = 0;
      for (const p of parts) length += p.length;
      if (out.length - offset < length + TAG_LEN)
        throw new RangeError("no room for the sealed bytes");
      sealInto(key, n, ad, parts, out, offset, length);
    },
    allocate,
    decrypt(key, n, ad, ciphertext) {
      return ciphertext.length < TAG_LEN ? null : open(key, n, ad, ciphertext);
    },
    rekey(key) {
      const cipher = createCipheriv(ALGORITHM, key, REKEY_NONCE, AEAD_OPTIONS);
      cipher.setAAD(new Uint8Array(0), { plaintextLength: KEY_LEN });
      const out = cipher.update(new Uint8Array(KEY_LEN));
      cipher.final();
      return new Uint8Array(out.buffer, out.byteOffset, KEY_LEN);
    },
  };
}

/** Pooled, uninitialised packet memory (`CipherFunctions.allocate`) as a plain `Uint8Array`. */
function allocate(length: number): Uint8Array {
  const pooled = Buffer.allocUnsafe(length);
  return new Uint8Array(pooled.buffer, pooled.byteOffset, length);
}

/** Sealing by length: the TypeScript AEAD up to {@link SMALL_PACKET_BYTES}, OpenSSL above. */
const hybridSealInto: SealInto = (key, n, ad, parts, out, offset, length) => {
  if (length > SMALL_PACKET_BYTES) {
    opensslSealInto(key, n, ad, parts, out, offset, length);
    return;
  }
  let at = offset;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  sealInPlace(key, n, ad, out, offset, at);
};

/** Opening by length, as {@link hybridSealInto} seals. */
const hybridOpen: Open = (key, n, ad, ciphertext) => {
  const bodyLength = ciphertext.length - TAG_LEN;
  if (bodyLength > SMALL_PACKET_BYTES) return opensslOpen(key, n, ad, ciphertext);
  const out = allocate(bodyLength);
  return openInto(key, n, ad, ciphertext, out) ? out : null;
};

/** ChaCha20-Poly1305 sealing through OpenSSL (one cipher object per packet). */
function opensslSealInto(
  key: Uint8Array,
  n: number,
  ad: Uint8Array,
  parts: readonly Uint8Array[],
  out: Uint8Array,
  offset: number,
  length: number,
): void {
  const cipher = createCipheriv(ALGORITHM, key, chachaNonce(n), AEAD_OPTIONS);
  cipher.setAAD(ad, { plaintextLength: length });
  let at = offset;
  for (const p of parts) {
    const piece = cipher.update(p);
    out.set(piece, at);
    at += piece.length;
  }
  cipher.final();
  // A stream cipher: as many ciphertext bytes as plaintext, so every byte up to the tag is set.
  if (at !== offset + length)
    throw new Error(`ChaCha20 returned ${at - offset} of ${length} bytes`);
  out.set(cipher.getAuthTag(), at);
}

/** ChaCha20-Poly1305 opening through OpenSSL: the plaintext, or `null` if the tag fails. */
function opensslOpen(
  key: Uint8Array,
  n: number,
  ad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | null {
  const bodyLength = ciphertext.length - TAG_LEN;
  const decipher = createDecipheriv(ALGORITHM, key, chachaNonce(n), AEAD_OPTIONS);
  decipher.setAAD(ad, { plaintextLength: bodyLength });
  decipher.setAuthTag(ciphertext.subarray(bodyLength));
  // The plaintext is held here until final() has checked the tag; it is never returned otherwise.
  const body = decipher.update(ciphertext.subarray(0, bodyLength));
  try {
    decipher.final();
  } catch {
    body.fill(0);
    return null;
  }
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * ChaCha20-Poly1305 (RFC 8439) as Noise's `ChaChaPoly` cipher functions (§12.3): small packets
 * (≤ {@link SMALL_PACKET_BYTES}) through the TypeScript implementation, larger ones through
 * OpenSSL, which creates a cipher object per packet (Node cannot re-IV one). Both produce the same
 * bytes (property-tested); which one ran is invisible on the wire.
 */
export const chaChaPoly: CipherFunctions = chaChaPolyFunctions(hybridSealInto, hybridOpen);

/**
 * The same cipher functions through OpenSSL only, whatever the length: the reference the
 * property test compares the hybrid against, and the "before" row of `bench/secure.bench.ts`.
 */
export const chaChaPolyOpenssl: CipherFunctions = chaChaPolyFunctions(opensslSealInto, opensslOpen);

function hashFunctions(name: string, algorithm: string): HashFunctions {
  const hmac = (key: Uint8Array, ...parts: Uint8Array[]): Uint8Array => {
    const h = createHmac(algorithm, key);
    for (const p of parts) h.update(p);
    const d = h.digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
  return {
    name,
    hashLen: 32,
    hash(...parts) {
      const h = createHash(algorithm);
      for (const p of parts) h.update(p);
      const d = h.digest();
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    },
    hmac,
    hkdf(chainingKey, inputKeyMaterial, outputs) {
      const tempKey = hmac(chainingKey, inputKeyMaterial);
      const out1 = hmac(tempKey, Uint8Array.of(1));
      const out2 = hmac(tempKey, out1, Uint8Array.of(2));
      if (outputs === 2) return [out1, out2];
      return [out1, out2, hmac(tempKey, out2, Uint8Array.of(3))];
    },
  };
}

/** BLAKE2s-256 (RFC 7693; HMAC block length 64) as Noise's `BLAKE2s` (§12.7). */
export const blake2s: HashFunctions = hashFunctions("BLAKE2s", "blake2s256");
/** SHA-256 as Noise's `SHA256` (§12.5). */
export const sha256: HashFunctions = hashFunctions("SHA256", "sha256");

/** `25519_ChaChaPoly_BLAKE2s`: the suite Lupine uses (WireGuard's). */
export const suite25519ChaChaPolyBlake2s: NoiseSuite = {
  dh: x25519,
  cipher: chaChaPoly,
  hash: blake2s,
};
/** `25519_ChaChaPoly_SHA256`: the alternative suite (FIPS-friendlier hash), vector-tested too. */
export const suite25519ChaChaPolySha256: NoiseSuite = {
  dh: x25519,
  cipher: chaChaPoly,
  hash: sha256,
};
