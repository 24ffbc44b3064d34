/**
 * Stateless address validation for handshakes: WireGuard's mac1/mac2 and cookie reply (paper
 * §5.3, §5.4.4, §5.4.7), which plays the role of QUIC's Retry token (RFC 9000 §8.1.2) and DTLS's
 * HelloVerifyRequest cookie.
 *
 * - `mac1 = MAC(HASH("mac1----" || server public key), initiation before mac1)`: only a sender
 *   that knows the server's public key gets any work done (scanners are dropped after one MAC).
 * - The server's cookie for a source address is `MAC(secret, address)`, with a random `secret`
 *   that changes every `cookieSecretRotationMs`; the server keeps nothing per address.
 * - Under load the server answers an initiation without a valid `mac2` with a cookie reply (40
 *   bytes, less than the 148 it received) sent to the claimed address; only a client that really
 *   receives there can put `mac2 = MAC(cookie, initiation before mac2)` on its retry.
 * - The cookie reply carries the cookie in clear with `tag = MAC(HASH("cookie--" || server public
 *   key), reply before tag || mac1 it answers)`, so a blind attacker cannot feed a client false
 *   cookies. WireGuard encrypts the cookie with XChaCha20-Poly1305 under that key instead; Node
 *   has no XChaCha20, and since the key derives from the public key, encryption would hide the
 *   cookie only from those who do not know that key, while the tag gives the same binding.
 *
 * `MAC` is HMAC over the suite's hash, truncated to 16 bytes (WireGuard uses keyed BLAKE2s,
 * which `node:crypto` does not offer).
 */
import type { Random } from "../io/random.js";
import { concatBytes, constantTimeEqual } from "./bytes.js";
import type { SecureLimits } from "./limits.js";
import {
  buildCookieReply,
  INITIATION_LENGTH,
  MAC_LENGTH,
  MAC1_OFFSET,
  MAC2_OFFSET,
  parseCookieReply,
} from "./packet.js";
import type { HashFunctions } from "./suite.js";

const LABEL_MAC1 = new TextEncoder().encode("mac1----");
const LABEL_COOKIE = new TextEncoder().encode("cookie--");
const encoder = new TextEncoder();

/** `MAC(key, parts...)`: HMAC truncated to 16 bytes. */
export function mac(hash: HashFunctions, key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return hash.hmac(key, ...parts).subarray(0, MAC_LENGTH);
}

/** The keys both sides derive from the server's static public key. */
export function cookieKeys(hash: HashFunctions, serverPublicKey: Uint8Array) {
  return {
    mac1Key: hash.hash(LABEL_MAC1, serverPublicKey),
    replyKey: hash.hash(LABEL_COOKIE, serverPublicKey),
  };
}

/** What the server's {@link CookieIssuer} needs. */
export interface CookieIssuerOptions {
  readonly hash: HashFunctions;
  readonly serverPublicKey: Uint8Array;
  readonly random: Random;
  readonly limits: SecureLimits;
}

/** The server side: checks mac1 and mac2, makes cookie replies. Keeps two secrets, no per-address state. */
export class CookieIssuer {
  private readonly hash: HashFunctions;
  private readonly random: Random;
  private readonly rotationMs: number;
  private readonly mac1Key: Uint8Array;
  private readonly replyKey: Uint8Array;
  private current: { secret: Uint8Array; period: number } | null = null;
  private previous: Uint8Array | null = null;

  constructor(options: CookieIssuerOptions) {
    this.hash = options.hash;
    this.random = options.random;
    this.rotationMs = options.limits.cookieSecretRotationMs;
    ({ mac1Key: this.mac1Key, replyKey: this.replyKey } = cookieKeys(
      options.hash,
      options.serverPublicKey,
    ));
  }

  /** Whether an initiation's mac1 is right (it was made by someone who knows our public key). */
  verifyMac1(initiation: Uint8Array): boolean {
    if (initiation.length !== INITIATION_LENGTH) return false;
    const expected = mac(this.hash, this.mac1Key, initiation.subarray(0, MAC1_OFFSET));
    return constantTimeEqual(expected, initiation.subarray(MAC1_OFFSET, MAC2_OFFSET));
  }

  /** Whether an initiation's mac2 proves that its sender receives at `address` (current or previous secret). */
  verifyMac2(initiation: Uint8Array, address: string, nowMs: number): boolean {
    if (initiation.length !== INITIATION_LENGTH) return false;
    const got = initiation.subarray(MAC2_OFFSET);
    if (got.every((b) => b === 0)) return false;
    this.rotate(nowMs);
    const covered = initiation.subarray(0, MAC2_OFFSET);
    for (const secret of [this.current?.secret ?? null, this.previous]) {
      if (secret === null) continue;
      const cookie = mac(this.hash, secret, encoder.encode(address));
      if (constantTimeEqual(mac(this.hash, cookie, covered), got)) return true;
    }
    return false;
  }

  /** The cookie reply to send to `address` for an initiation from `senderIndex` (mac1 already verified). */
  cookieReply(
    initiation: Uint8Array,
    senderIndex: number,
    address: string,
    nowMs: number,
  ): Uint8Array {
    this.rotate(nowMs);
    const cookie = mac(this.hash, this.current!.secret, encoder.encode(address));
    const reply = buildCookieReply(senderIndex, cookie);
    const parsed = parseCookieReply(reply)!;
    reply.set(
      mac(this.hash, this.replyKey, parsed.tagged, initiation.subarray(MAC1_OFFSET, MAC2_OFFSET)),
      parsed.tagged.length,
    );
    return reply;
  }

  private rotate(nowMs: number): void {
    // Secrets belong to fixed periods of `rotationMs`: one made in period p is current during p
    // and previous during p + 1, so no cookie outlives two periods however rarely we are asked.
    const period = Math.floor(nowMs / this.rotationMs);
    const c = this.current;
    if (c !== null && c.period === period) return;
    this.previous = c !== null && c.period === period - 1 ? c.secret : null;
    this.current = { secret: this.random.bytes(32), period };
  }
}

/** What the client's {@link CookieJar} needs. */
export interface CookieJarOptions {
  readonly hash: HashFunctions;
  readonly serverPublicKey: Uint8Array;
  readonly limits: SecureLimits;
}

/** The client side: stamps mac1 (and mac2 while it holds a fresh cookie) on initiations, accepts cookie replies. */
export class CookieJar {
  private readonly hash: HashFunctions;
  private readonly mac1Key: Uint8Array;
  private readonly replyKey: Uint8Array;
  private readonly lifetimeMs: number;
  private cookie: { value: Uint8Array; receivedMs: number } | null = null;
  private lastMac1: Uint8Array | null = null;

  constructor(options: CookieJarOptions) {
    this.hash = options.hash;
    this.lifetimeMs = options.limits.cookieSecretRotationMs - options.limits.cookieLatencyMs;
    ({ mac1Key: this.mac1Key, replyKey: this.replyKey } = cookieKeys(
      options.hash,
      options.serverPublicKey,
    ));
  }

  /** Writes mac1, and mac2 if a fresh cookie is held, into an initiation (in place). */
  stamp(initiation: Uint8Array, nowMs: number): void {
    const mac1 = mac(this.hash, this.mac1Key, initiation.subarray(0, MAC1_OFFSET));
    initiation.set(mac1, MAC1_OFFSET);
    this.lastMac1 = Uint8Array.from(mac1);
    const fresh = this.cookie !== null && nowMs - this.cookie.receivedMs < this.lifetimeMs;
    const mac2 = fresh
      ? mac(this.hash, this.cookie!.value, initiation.subarray(0, MAC2_OFFSET))
      : new Uint8Array(MAC_LENGTH);
    initiation.set(mac2, MAC2_OFFSET);
  }

  /** Takes the cookie of a reply whose tag matches the last initiation sent; false if forged or stale. */
  accept(reply: Uint8Array, nowMs: number): boolean {
    const parsed = parseCookieReply(reply);
    if (parsed === null || this.lastMac1 === null) return false;
    const expected = mac(this.hash, this.replyKey, concatBytes(parsed.tagged, this.lastMac1));
    if (!constantTimeEqual(expected, parsed.tag)) return false;
    this.cookie = { value: Uint8Array.from(parsed.cookie), receivedMs: nowMs };
    return true;
  }

  /** Whether a cookie is held that will still be put on initiations at `nowMs`. */
  hasFreshCookie(nowMs: number): boolean {
    return this.cookie !== null && nowMs - this.cookie.receivedMs < this.lifetimeMs;
  }
}
