/**
 * The server side of the secure transport, sans I/O: feed it every datagram with its source
 * address and the time; it answers handshakes (IK responder, `handshake-state.ts`), hands out
 * cookies under load (`cookie.ts`, `admission.ts`), keeps within 3× amplification for
 * unvalidated addresses (`amplification.ts`), and opens data packets of established sessions
 * (`transport-keys.ts`), returning what to send and what to deliver. It owns no socket or clock.
 *
 * Per client key it keeps three key sets, as WireGuard does (paper §5.4.5, §6): `current`,
 * `previous` (for packets in flight across a rekey) and `next` (a completed handshake not yet
 * confirmed by the client's first data packet: a replayed initiation never displaces working keys).
 * Initiation timestamps must grow per client key, so a recorded initiation cannot be replayed.
 */
import type { Random } from "../io/random.js";
import { type AdmissionLimits, DEFAULT_ADMISSION_LIMITS, HandshakeAdmission } from "./admission.js";
import { AmplificationGuard } from "./amplification.js";
import { concatBytes } from "./bytes.js";
import { CookieIssuer } from "./cookie.js";
import { HandshakeState } from "./handshake-state.js";
import { encodeKey } from "./key-text.js";
import { resolveLimits, type SecureLimits } from "./limits.js";
import { NoiseError } from "./noise-error.js";
import {
  buildResponse,
  buildSessionUnknown,
  compareTimestamps,
  PacketType,
  packetType,
  parseDataHeader,
  parseInitiation,
  RESPONSE_MIN_LENGTH,
  TIMESTAMP_LENGTH,
} from "./packet.js";
import { IK } from "./patterns.js";
import { PeerKeys, type SecurePeer } from "./peer-keys.js";
import { TokenBucket } from "./rate-limit.js";
import { DROP_REASONS, type DropReason, newSecureStats, type SecureStats } from "./stats.js";
import type { KeyPair, NoiseSuite } from "./suite.js";
import { MAX_RESPONSE_PAYLOAD, PROLOGUE, ResponseStatus } from "./wire-constants.js";

/** What a server needs: its key pair, randomness, the time, and its policies and limits. */
export interface ResponderOptions {
  readonly suite: NoiseSuite;
  readonly staticKeyPair: KeyPair;
  readonly random: Random;
  /** Time of creation (ms, the same clock as every later `nowMs`). */
  readonly nowMs: number;
  /** Which client keys may connect (an allow-list); default: any key. */
  readonly authorize?: (clientPublicKey: Uint8Array) => boolean;
  /** Application bytes sent, authenticated and encrypted, in every handshake response (e.g. the server's epoch). */
  readonly responsePayload?: Uint8Array;
  readonly limits?: Partial<SecureLimits>;
  readonly admission?: Partial<AdmissionLimits>;
  /** Client keys remembered (LRU beyond). Default 65536. */
  readonly maxPeers?: number;
  /** "Session unknown" hints sent a second, in total. Default 100. */
  readonly sessionUnknownPerSecond?: number;
}

/** What to do after a datagram: send a reply to its source, deliver a payload, or nothing. */
export type ResponderResult =
  | { readonly kind: "reply"; readonly datagram: Uint8Array }
  | { readonly kind: "data"; readonly payload: Uint8Array; readonly peer: SecurePeer }
  | { readonly kind: "dropped"; readonly reason: DropReason };

/** The server side of the secure transport (sans I/O); see the module comment. */
export class SecureResponder {
  readonly stats: SecureStats = newSecureStats();
  readonly amplification = new AmplificationGuard();
  private readonly suite: NoiseSuite;
  private readonly staticKeyPair: KeyPair;
  private readonly random: Random;
  private readonly limits: SecureLimits;
  private readonly authorize: (key: Uint8Array) => boolean;
  private readonly responsePayload: Uint8Array;
  private readonly cookies: CookieIssuer;
  private readonly admission: HandshakeAdmission;
  private readonly unknownHints: TokenBucket;
  private readonly maxPeers: number;
  private readonly peers = new Map<string, PeerKeys>();
  private readonly byIndex = new Map<number, PeerKeys>();

  constructor(options: ResponderOptions) {
    this.suite = options.suite;
    this.staticKeyPair = options.staticKeyPair;
    this.random = options.random;
    this.limits = resolveLimits(options.limits);
    this.authorize = options.authorize ?? (() => true);
    this.responsePayload = options.responsePayload ?? new Uint8Array(0);
    if (this.responsePayload.length > MAX_RESPONSE_PAYLOAD) {
      throw new RangeError(`responsePayload is limited to ${MAX_RESPONSE_PAYLOAD} bytes`);
    }
    this.cookies = new CookieIssuer({
      hash: this.suite.hash,
      serverPublicKey: this.staticKeyPair.publicKey,
      random: this.random,
      limits: this.limits,
    });
    this.admission = new HandshakeAdmission(
      { ...DEFAULT_ADMISSION_LIMITS, ...options.admission },
      options.nowMs,
    );
    this.unknownHints = new TokenBucket(options.sessionUnknownPerSecond ?? 100, 10, options.nowMs);
    this.maxPeers = options.maxPeers ?? 65_536;
  }

  /** Our static public key (what clients pin). */
  get publicKey(): Uint8Array {
    return this.staticKeyPair.publicKey;
  }

  /** Handles one datagram from `from` (an address key, e.g. `endpointKey(endpoint)`). */
  receive(datagram: Uint8Array, from: string, nowMs: number): ResponderResult {
    switch (packetType(datagram)) {
      case PacketType.Initiation:
        return this.onInitiation(datagram, from, nowMs);
      case PacketType.Data:
        return this.onData(datagram, from, nowMs);
      case null:
        return this.drop(DROP_REASONS.Malformed);
      default:
        return this.drop(DROP_REASONS.Unexpected);
    }
  }

  /**
   * Seals `payload` for `peer` with its current keys. Returns the datagram and the address to send
   * it to (the last one the peer sent an authenticated packet from), or `null` when the peer has
   * no usable keys (it must handshake again; the client side does that by itself).
   */
  seal(
    peer: SecurePeer,
    payload: Uint8Array | readonly Uint8Array[],
    nowMs: number,
  ): { datagram: Uint8Array; to: string } | null {
    const state = this.peers.get(peer.id);
    const datagram = state?.current?.seal(payload, nowMs) ?? null;
    if (state === undefined || datagram === null) return null;
    this.stats.sealed++;
    return { datagram, to: state.address };
  }

  /** Forgets expired keys (call now and then, e.g. every few seconds). */
  sweep(nowMs: number): void {
    for (const peer of this.peers.values()) {
      for (const keys of peer.dropExpired(nowMs)) this.byIndex.delete(keys.localIndex);
    }
  }

  /** Sessions (key sets) held; bounded by 3 × maxPeers. */
  get sessionCount(): number {
    return this.byIndex.size;
  }

  private onInitiation(datagram: Uint8Array, from: string, nowMs: number): ResponderResult {
    const initiation = parseInitiation(datagram);
    if (initiation === null) return this.drop(DROP_REASONS.Malformed);
    this.amplification.received(from, datagram.length);
    if (!this.cookies.verifyMac1(datagram)) return this.drop(DROP_REASONS.BadMac1);
    const proven = this.cookies.verifyMac2(datagram, from, nowMs);
    if (proven) this.amplification.validate(from);
    const decision = this.admission.decide(from, proven, nowMs);
    if (decision === "drop") return this.drop(DROP_REASONS.RateLimited);
    if (decision === "send-cookie") {
      const reply = this.cookies.cookieReply(datagram, initiation.senderIndex, from, nowMs);
      if (!this.amplification.trySend(from, reply.length))
        return this.drop(DROP_REASONS.AmplificationLimit);
      this.stats.cookieReplies++;
      return { kind: "reply", datagram: reply };
    }
    const responseLength = RESPONSE_MIN_LENGTH + this.responsePayload.length;
    if (!this.amplification.allows(from, responseLength))
      return this.drop(DROP_REASONS.AmplificationLimit);

    const hs = new HandshakeState({
      suite: this.suite,
      pattern: IK,
      initiator: false,
      prologue: PROLOGUE,
      staticKeyPair: this.staticKeyPair,
      random: this.random,
    });
    let timestamp: Uint8Array;
    try {
      timestamp = hs.readMessage(initiation.noise).payload;
    } catch (e) {
      if (e instanceof NoiseError) return this.drop(DROP_REASONS.HandshakeFailed);
      throw e;
    }
    const clientKey = hs.remoteStaticPublicKey!;
    if (timestamp.length !== TIMESTAMP_LENGTH) return this.drop(DROP_REASONS.Malformed);
    if (!this.authorize(clientKey)) {
      this.stats.dropped[DROP_REASONS.NotAuthorized]++;
      const refusal = this.respond(
        hs,
        initiation.senderIndex,
        0,
        ResponseStatus.NotAuthorized,
        new Uint8Array(0),
      );
      this.amplification.trySend(from, refusal.datagram.length);
      return { kind: "reply", datagram: refusal.datagram };
    }
    const peer = this.peerFor(clientKey, from);
    if (peer.lastTimestamp !== null && compareTimestamps(timestamp, peer.lastTimestamp) <= 0) {
      return this.drop(DROP_REASONS.ReplayedInitiation);
    }
    peer.lastTimestamp = Uint8Array.from(timestamp);
    const localIndex = this.freshIndex();
    const { datagram: response, split } = this.respond(
      hs,
      initiation.senderIndex,
      localIndex,
      ResponseStatus.Accepted,
      this.responsePayload,
    );
    const replaced = peer.installNext({
      cipher: this.suite.cipher,
      sendKey: split.send.keyBytes(),
      receiveKey: split.receive.keyBytes(),
      localIndex,
      remoteIndex: initiation.senderIndex,
      createdAtMs: nowMs,
      isInitiator: false,
      limits: this.limits,
    });
    if (replaced !== null) this.byIndex.delete(replaced.localIndex);
    this.byIndex.set(localIndex, peer);
    this.amplification.trySend(from, response.length);
    this.stats.handshakes++;
    return { kind: "reply", datagram: response };
  }

  private respond(
    hs: HandshakeState,
    receiverIndex: number,
    localIndex: number,
    status: number,
    payload: Uint8Array,
  ) {
    const { message, split } = hs.writeMessage(concatBytes(Uint8Array.of(status), payload));
    return { datagram: buildResponse(localIndex, receiverIndex, message), split: split! };
  }

  private onData(datagram: Uint8Array, from: string, nowMs: number): ResponderResult {
    const header = parseDataHeader(datagram);
    if (header === null) return this.drop(DROP_REASONS.Malformed);
    const peer = this.byIndex.get(header.receiverIndex);
    const keys = peer?.keysFor(header.receiverIndex) ?? null;
    if (peer === undefined || keys === null) {
      this.stats.dropped[DROP_REASONS.UnknownSession]++;
      this.amplification.received(from, datagram.length);
      const hint = buildSessionUnknown(header.receiverIndex);
      if (this.unknownHints.take(nowMs) && this.amplification.trySend(from, hint.length)) {
        return { kind: "reply", datagram: hint };
      }
      return { kind: "dropped", reason: DROP_REASONS.UnknownSession };
    }
    const opened = keys.open(datagram, header, nowMs);
    if (opened.kind === "dropped") return this.drop(opened.reason);
    for (const gone of peer.confirm(keys)) this.byIndex.delete(gone.localIndex);
    peer.address = from;
    this.stats.opened++;
    return { kind: "data", payload: opened.payload, peer: peer.identity };
  }

  private peerFor(publicKey: Uint8Array, from: string): PeerKeys {
    const id = encodeKey(publicKey);
    let peer = this.peers.get(id);
    if (peer === undefined) {
      if (this.peers.size >= this.maxPeers) this.evictOldestPeer();
      peer = new PeerKeys({ publicKey: Uint8Array.from(publicKey), id }, from);
    } else {
      this.peers.delete(id);
    }
    this.peers.set(id, peer);
    return peer;
  }

  private evictOldestPeer(): void {
    const [id, oldest] = this.peers.entries().next().value ?? [];
    if (id === undefined || oldest === undefined) return;
    for (const keys of oldest.all()) this.byIndex.delete(keys.localIndex);
    this.peers.delete(id);
  }

  private freshIndex(): number {
    for (;;) {
      const index = this.random.nextU32();
      if (index !== 0 && !this.byIndex.has(index)) return index;
    }
  }

  private drop(reason: DropReason): ResponderResult {
    this.stats.dropped[reason]++;
    return { kind: "dropped", reason };
  }
}
