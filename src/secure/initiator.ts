/**
 * The client side of the secure transport, sans I/O: it starts IK handshakes to a server whose
 * static public key it pins, accepts cookie replies, opens data packets from the server and seals
 * data packets to it, rekeying after `rekeyAfterTimeMs` or `rekeyAfterPackets` (WireGuard paper
 * §6.2-6.4). It owns no socket, timer or clock: the transport asks {@link needsHandshake} when it
 * sends and on its timers, and sends what {@link initiate} returns.
 *
 * The server proves it holds the pinned key by completing the handshake: its response decrypts
 * only under keys mixed from DH(client ephemeral, server static). Anything else (a response from
 * an impersonator, a recorded old response, random bytes) is dropped and counted, and the
 * handshake in progress stays open for the genuine response.
 */
import type { Random } from "../io/random.js";
import { CookieJar } from "./cookie.js";
import { HandshakeState, type SplitResult } from "./handshake-state.js";
import { encodeKey } from "./key-text.js";
import { resolveLimits, type SecureLimits } from "./limits.js";
import { NoiseError } from "./noise-error.js";
import {
  buildInitiation,
  compareTimestamps,
  encodeTimestamp,
  PacketType,
  packetType,
  parseCookieReply,
  parseDataHeader,
  parseResponse,
  parseSessionUnknown,
  RESPONSE_MIN_LENGTH,
} from "./packet.js";
import { IK } from "./patterns.js";
import { PeerKeys, type SecurePeer } from "./peer-keys.js";
import { DROP_REASONS, type DropReason, newSecureStats, type SecureStats } from "./stats.js";
import type { KeyPair, NoiseSuite } from "./suite.js";
import { MAX_RESPONSE_PAYLOAD, PROLOGUE, ResponseStatus } from "./wire-constants.js";

/** What a client needs: its key pair, the server's pinned public key, randomness, limits. */
export interface InitiatorOptions {
  readonly suite: NoiseSuite;
  readonly staticKeyPair: KeyPair;
  /** The server's static public key: the client refuses any server that cannot prove it holds it. */
  readonly serverPublicKey: Uint8Array;
  readonly random: Random;
  readonly limits?: Partial<SecureLimits>;
}

/** What the client learned from one datagram. */
export type InitiatorResult =
  /** Handshake complete; `serverPayload` is the server's authenticated application data. */
  | { readonly kind: "established"; readonly serverPayload: Uint8Array }
  | { readonly kind: "data"; readonly payload: Uint8Array }
  /** A cookie arrived: send a new initiation now (it will carry mac2). */
  | { readonly kind: "retry-now" }
  /** The genuine server refused our key (not on its allow-list). */
  | { readonly kind: "refused" }
  /** The server says it lost our session (e.g. it restarted): handshake again. Unauthenticated hint. */
  | { readonly kind: "rehandshake" }
  | { readonly kind: "dropped"; readonly reason: DropReason };

interface Pending {
  readonly hs: HandshakeState;
  readonly localIndex: number;
  readonly startedMs: number;
}

/** The client side of the secure transport (sans I/O); see the module comment. */
export class SecureInitiator {
  readonly stats: SecureStats = newSecureStats();
  /** The server, as pinned. */
  readonly server: SecurePeer;
  private readonly suite: NoiseSuite;
  private readonly staticKeyPair: KeyPair;
  private readonly random: Random;
  /** The limits in force (defaults with the options' overrides). */
  readonly limits: SecureLimits;
  private readonly cookies: CookieJar;
  private readonly keys: PeerKeys;
  private pending: Pending | null = null;
  /** When the current run of handshake attempts began (null: none failing). */
  private attemptsSinceMs: number | null = null;
  private lastTimestamp: Uint8Array | null = null;
  private rehandshakeRequested = false;
  /** When a "session unknown" hint last started a handshake (they are rate-limited apart). */
  private lastHintHandshakeMs: number | null = null;

  constructor(options: InitiatorOptions) {
    this.suite = options.suite;
    this.staticKeyPair = options.staticKeyPair;
    this.random = options.random;
    this.limits = resolveLimits(options.limits);
    const serverPublicKey = Uint8Array.from(options.serverPublicKey);
    this.server = { publicKey: serverPublicKey, id: encodeKey(serverPublicKey) };
    this.cookies = new CookieJar({ hash: this.suite.hash, serverPublicKey, limits: this.limits });
    this.keys = new PeerKeys(this.server, "");
  }

  /**
   * Starts a handshake (or retries one, with a fresh ephemeral key and index, as WireGuard does):
   * returns the initiation datagram to send. `wallClockMs` (ms since the Unix epoch) orders our
   * initiations for the server's replay check; it must not go backwards across client restarts.
   */
  initiate(nowMs: number, wallClockMs: number): Uint8Array {
    const hs = new HandshakeState({
      suite: this.suite,
      pattern: IK,
      initiator: true,
      prologue: PROLOGUE,
      staticKeyPair: this.staticKeyPair,
      remoteStaticPublicKey: this.server.publicKey,
      random: this.random,
    });
    let timestamp = encodeTimestamp(wallClockMs);
    if (this.lastTimestamp !== null && compareTimestamps(timestamp, this.lastTimestamp) <= 0) {
      timestamp = nextTimestamp(this.lastTimestamp);
    }
    this.lastTimestamp = timestamp;
    const localIndex = this.freshIndex();
    const datagram = buildInitiation(localIndex, hs.writeMessage(timestamp).message);
    this.cookies.stamp(datagram, nowMs);
    this.pending = { hs, localIndex, startedMs: nowMs };
    this.attemptsSinceMs ??= nowMs;
    this.rehandshakeRequested = false;
    return datagram;
  }

  /**
   * Whether the transport should call {@link initiate} now: no usable keys, keys due for rotation,
   * the server asked, or the attempt in progress got no answer for `rekeyTimeoutMs`.
   */
  needsHandshake(nowMs: number): boolean {
    if (this.pending !== null) return nowMs - this.pending.startedMs >= this.limits.rekeyTimeoutMs;
    const current = this.keys.current;
    return (
      current === null ||
      !current.canSend(nowMs) ||
      current.wantsRekey(nowMs) ||
      this.rehandshakeRequested
    );
  }

  /**
   * Whether handshake attempts have failed for `rekeyAttemptTimeMs` and no usable keys remain:
   * report that the server did not prove it holds the pinned key (or is unreachable).
   */
  gaveUp(nowMs: number): boolean {
    return (
      this.attemptsSinceMs !== null &&
      nowMs - this.attemptsSinceMs >= this.limits.rekeyAttemptTimeMs &&
      !this.canSend(nowMs)
    );
  }

  /** Forgets a failed run of attempts (after reporting it): the next handshake starts a new one. */
  resetAttempts(): void {
    this.attemptsSinceMs = null;
    this.pending = null;
  }

  /** Whether data can be sealed now. */
  canSend(nowMs: number): boolean {
    return this.keys.current?.canSend(nowMs) === true;
  }

  /**
   * Seals `payload` (one array or a gathered datagram's parts) with the current keys, or `null`
   * if there are none usable (handshake first).
   */
  seal(payload: Uint8Array | readonly Uint8Array[], nowMs: number): Uint8Array | null {
    const datagram = this.keys.current?.seal(payload, nowMs) ?? null;
    if (datagram !== null) this.stats.sealed++;
    return datagram;
  }

  /** Handles one datagram from the server's address. */
  receive(datagram: Uint8Array, nowMs: number): InitiatorResult {
    switch (packetType(datagram)) {
      case PacketType.Data:
        return this.onData(datagram, nowMs);
      case PacketType.Response:
        return this.onResponse(datagram, nowMs);
      case PacketType.CookieReply:
        return this.onCookieReply(datagram, nowMs);
      case PacketType.SessionUnknown:
        return this.onSessionUnknown(datagram, nowMs);
      case null:
        return this.drop(DROP_REASONS.Malformed);
      default:
        return this.drop(DROP_REASONS.Unexpected);
    }
  }

  private onData(datagram: Uint8Array, nowMs: number): InitiatorResult {
    const header = parseDataHeader(datagram);
    if (header === null) return this.drop(DROP_REASONS.Malformed);
    const keys = this.keys.keysFor(header.receiverIndex);
    if (keys === null) return this.drop(DROP_REASONS.UnknownSession);
    const opened = keys.open(datagram, header, nowMs);
    if (opened.kind === "dropped") return this.drop(opened.reason);
    this.stats.opened++;
    return { kind: "data", payload: opened.payload };
  }

  private onResponse(datagram: Uint8Array, nowMs: number): InitiatorResult {
    const response = parseResponse(datagram, RESPONSE_MIN_LENGTH + MAX_RESPONSE_PAYLOAD);
    if (response === null) return this.drop(DROP_REASONS.Malformed);
    const pending = this.pending;
    if (pending === null || response.receiverIndex !== pending.localIndex) {
      return this.drop(DROP_REASONS.NoHandshake);
    }
    // Try the response on a copy: a forged one must not spoil the handshake in progress.
    const hs = pending.hs.clone();
    let payload: Uint8Array;
    let split: SplitResult;
    try {
      const read = hs.readMessage(response.noise);
      payload = read.payload;
      split = read.split!;
    } catch (e) {
      if (e instanceof NoiseError) return this.drop(DROP_REASONS.HandshakeFailed);
      throw e;
    }
    this.pending = null;
    this.attemptsSinceMs = null;
    if (payload[0] === ResponseStatus.NotAuthorized) {
      this.stats.dropped[DROP_REASONS.NotAuthorized]++;
      return { kind: "refused" };
    }
    if (payload[0] !== ResponseStatus.Accepted) return this.drop(DROP_REASONS.Malformed);
    this.keys.installCurrent({
      cipher: this.suite.cipher,
      sendKey: split.send.keyBytes(),
      receiveKey: split.receive.keyBytes(),
      localIndex: pending.localIndex,
      remoteIndex: response.senderIndex,
      createdAtMs: nowMs,
      isInitiator: true,
      limits: this.limits,
    });
    this.stats.handshakes++;
    return { kind: "established", serverPayload: payload.subarray(1) };
  }

  private onCookieReply(datagram: Uint8Array, nowMs: number): InitiatorResult {
    const reply = parseCookieReply(datagram);
    if (reply === null) return this.drop(DROP_REASONS.Malformed);
    if (this.pending === null || reply.receiverIndex !== this.pending.localIndex) {
      return this.drop(DROP_REASONS.NoHandshake);
    }
    if (!this.cookies.accept(datagram, nowMs)) return this.drop(DROP_REASONS.NoHandshake);
    return { kind: "retry-now" };
  }

  private onSessionUnknown(datagram: Uint8Array, nowMs: number): InitiatorResult {
    const hint = parseSessionUnknown(datagram);
    if (hint === null) return this.drop(DROP_REASONS.Malformed);
    const ours = [this.keys.current, this.keys.previous].some(
      (k) => k !== null && k.remoteIndex === hint.receiverIndex,
    );
    if (!ours) return this.drop(DROP_REASONS.NoHandshake);
    // A hint is unauthenticated: hints may cause at most one handshake per rekeyTimeoutMs. The
    // limit counts hint-caused handshakes only: a server that restarts just after a scheduled
    // handshake must be reached again at once, not after rekeyTimeoutMs of lost calls.
    const recent =
      this.lastHintHandshakeMs !== null &&
      nowMs - this.lastHintHandshakeMs < this.limits.rekeyTimeoutMs;
    if (this.pending !== null || recent) return this.drop(DROP_REASONS.NoHandshake);
    this.lastHintHandshakeMs = nowMs;
    this.rehandshakeRequested = true;
    return { kind: "rehandshake" };
  }

  private freshIndex(): number {
    for (;;) {
      const index = this.random.nextU32();
      if (index !== 0 && this.keys.keysFor(index) === null) return index;
    }
  }

  private drop(reason: DropReason): InitiatorResult {
    this.stats.dropped[reason]++;
    return { kind: "dropped", reason };
  }
}

/** The smallest timestamp after `t` (adds one nanosecond, carrying into the seconds). */
function nextTimestamp(t: Uint8Array): Uint8Array {
  const out = Uint8Array.from(t);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = (out[i]! + 1) & 0xff;
    if (out[i] !== 0) break;
  }
  return out;
}
