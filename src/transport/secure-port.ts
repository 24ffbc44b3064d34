/**
 * The secure transport as a {@link DatagramPort} decorator: a Lupine client or server takes a
 * secure port instead of the UDP socket and everything it sends is sealed, everything it receives
 * authenticated and opened (`docs/security.md` §4). The ports run the handshake themselves
 * (queueing what the client sends until keys exist), retry it from their {@link Clock}, and
 * report a server that cannot prove its pinned key, or refuses the client's key, through
 * `onError` (then through the reliable layer's usual failure path).
 *
 * Contract: single-threaded, like the port it wraps; `close()` stops timers and closes the inner
 * port. Datagrams handed to `send` must fit `maxDatagramSize` (the inner size minus 32 bytes).
 */
import type { Clock, TimerHandle } from "../io/clock.js";
import type { DatagramPort, Endpoint, SendFailure } from "../io/datagram.js";
import type { Random } from "../io/random.js";
import { endpointKey } from "../secure/address.js";
import { concatBytes } from "../secure/bytes.js";
import { type InitiatorOptions, SecureInitiator } from "../secure/initiator.js";
import { DATA_OVERHEAD } from "../secure/packet.js";
import type { SecurePeer } from "../secure/peer-keys.js";
import { type ResponderOptions, SecureResponder } from "../secure/responder.js";

/**
 * Address keys of the endpoint objects seen, so the per-datagram and per-call lookups do not
 * build a string each time. Endpoints are immutable values (`io/datagram.ts`), and the UDP port
 * hands out the same object for the same source, so the memo hits on the hot path.
 */
const endpointKeys = new WeakMap<Endpoint, string>();

function keyOf(endpoint: Endpoint): string {
  let key = endpointKeys.get(endpoint);
  if (key === undefined) {
    key = endpointKey(endpoint);
    endpointKeys.set(endpoint, key);
  }
  return key;
}

/** Why a secure client port gave up on its server (delivered to `onError`). */
export class SecureTransportError extends Error {
  override readonly name = "SecureTransportError";
  readonly reason: "refused" | "no-proof";
  constructor(reason: "refused" | "no-proof", message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The initiator's options plus the port to wrap, the server's address, a clock and a wall clock. */
export interface SecureClientPortOptions extends Omit<InitiatorOptions, "random"> {
  readonly port: DatagramPort;
  readonly server: Endpoint;
  readonly clock: Clock;
  readonly random: Random;
  /** Milliseconds since the Unix epoch (initiation timestamps): `Date.now` in production. */
  readonly wallClockMs: () => number;
  /** Datagrams held while the handshake runs; beyond, the oldest is dropped. Default 256. */
  readonly maxQueued?: number;
}

/** A client's secure port: talks to one server, whose key it pins. */
export class SecureClientPort implements DatagramPort {
  readonly initiator: SecureInitiator;
  readonly local: Endpoint;
  readonly maxDatagramSize: number;
  /** Datagrams dropped because the queue was full while waiting for the handshake. */
  queueDrops = 0;
  private readonly inner: DatagramPort;
  private readonly server: Endpoint;
  private readonly serverKey: string;
  private readonly clock: Clock;
  private readonly wallClockMs: () => number;
  private readonly maxQueued: number;
  private queue: Uint8Array[] = [];
  private handler: (data: Uint8Array, from: Endpoint) => void = () => {};
  private errorHandler: (failure: SendFailure) => void = () => {};
  private failureHandler: (error: SecureTransportError) => void = () => {};
  private timer: TimerHandle | null = null;
  private closed = false;
  /** Whether a handshake with the server has ever completed on this port. */
  private everEstablished = false;

  constructor(options: SecureClientPortOptions) {
    this.inner = options.port;
    this.server = options.server;
    this.serverKey = endpointKey(options.server);
    this.clock = options.clock;
    this.wallClockMs = options.wallClockMs;
    this.maxQueued = options.maxQueued ?? 256;
    this.initiator = new SecureInitiator(options);
    this.local = options.port.local;
    this.maxDatagramSize = options.port.maxDatagramSize - DATA_OVERHEAD;
    this.inner.onMessage((data, from) => this.receive(data, from));
    this.inner.onError((failure) => this.errorHandler(failure));
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    if (this.closed) return;
    if (to !== this.server && keyOf(to) !== this.serverKey) {
      this.errorHandler({ to, error: new Error("a secure client port only talks to its server") });
      return;
    }
    const now = this.clock.now();
    if (this.initiator.needsHandshake(now)) this.handshake(now);
    // A gathered datagram's parts are sealed straight into the packet (no joined copy first).
    const sealed = this.initiator.seal(data, now);
    if (sealed !== null) {
      this.inner.send(sealed, this.server);
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.queueDrops++;
    }
    // Rare (no keys yet): a gathered datagram is joined here, as it was before sealing from parts,
    // so nothing queued depends on the caller's buffers staying untouched until the handshake ends.
    this.queue.push(data instanceof Uint8Array ? data : concatBytes(...data));
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.errorHandler = handler;
  }

  /**
   * Sets the one listener told when the server refused this client's key or gave no proof of
   * holding the pinned key (also reported through `onError`, which the transport above may
   * ignore: this one is for whoever must fail the calls waiting on it).
   */
  onFailure(handler: (error: SecureTransportError) => void): void {
    this.failureHandler = handler;
  }

  /** Whether a handshake with the server has completed on this port (its key is proven). */
  get established(): boolean {
    return this.everEstablished;
  }

  /**
   * Whether a datagram sent now is sealed at once with keys the server has accepted (no handshake
   * due or running, nothing queued): then no security failure can stop it from being sent.
   */
  get ready(): boolean {
    if (this.closed || this.queue.length > 0) return false;
    const now = this.clock.now();
    return this.initiator.canSend(now) && !this.initiator.needsHandshake(now);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.queue = [];
    this.inner.close();
  }

  private receive(data: Uint8Array, from: Endpoint): void {
    if (this.closed || (from !== this.server && keyOf(from) !== this.serverKey)) return;
    const now = this.clock.now();
    const r = this.initiator.receive(data, now);
    switch (r.kind) {
      case "data":
        this.handler(r.payload, from);
        return;
      case "established":
        this.everEstablished = true;
        this.flush(now);
        return;
      case "retry-now":
      case "rehandshake":
        this.handshake(now);
        return;
      case "refused":
        this.fail(
          "refused",
          `server ${this.initiator.server.id} refused this client's key (not on its allow-list)`,
        );
        return;
      case "dropped":
        return;
    }
  }

  private handshake(now: number): void {
    if (this.initiator.gaveUp(now)) {
      this.fail(
        "no-proof",
        `no valid handshake response from ${this.server.address}:${this.server.port}: ` +
          `the server did not prove it holds key ${this.initiator.server.id}`,
      );
      return;
    }
    this.inner.send(this.initiator.initiate(now, this.wallClockMs()), this.server);
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.onTimer(), this.retryDelayMs());
  }

  private onTimer(): void {
    this.timer = null;
    if (this.closed) return;
    const now = this.clock.now();
    // Retry only while something waits to be sent; an idle client handshakes on its next send.
    if (this.queue.length > 0 && this.initiator.needsHandshake(now)) this.handshake(now);
  }

  private retryDelayMs(): number {
    return this.initiator.limits.rekeyTimeoutMs;
  }

  private flush(now: number): void {
    const queued = this.queue;
    this.queue = [];
    for (const payload of queued) {
      const sealed = this.initiator.seal(payload, now);
      if (sealed !== null) this.inner.send(sealed, this.server);
    }
  }

  private fail(reason: "refused" | "no-proof", message: string): void {
    const dropped = this.queue.length;
    this.queue = [];
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.initiator.resetAttempts(); // a later send tries again (the server may come back)
    const error = new SecureTransportError(
      reason,
      dropped > 0 ? `${message}; ${dropped} datagram(s) not sent` : message,
    );
    this.errorHandler({ to: this.server, error });
    this.failureHandler(error);
  }
}

/** The responder's options plus the port to wrap and a clock. */
export interface SecureServerPortOptions extends Omit<ResponderOptions, "nowMs"> {
  readonly port: DatagramPort;
  readonly clock: Clock;
  /** How often expired keys are swept (ms). Default 10 s. */
  readonly sweepIntervalMs?: number;
}

/** A server's secure port: answers handshakes, opens and seals for every authenticated client. */
export class SecureServerPort implements DatagramPort {
  readonly responder: SecureResponder;
  readonly local: Endpoint;
  readonly maxDatagramSize: number;
  /** Sends to addresses with no usable keys (dropped; the client rehandshakes). */
  sendDrops = 0;
  private readonly inner: DatagramPort;
  private readonly clock: Clock;
  private readonly peers = new Map<string, { peer: SecurePeer; endpoint: Endpoint }>();
  private readonly maxPeers: number;
  private handler: (data: Uint8Array, from: Endpoint) => void = () => {};
  private timer: TimerHandle | null = null;
  private readonly sweepIntervalMs: number;
  private closed = false;

  constructor(options: SecureServerPortOptions) {
    this.inner = options.port;
    this.clock = options.clock;
    this.responder = new SecureResponder({ ...options, nowMs: options.clock.now() });
    this.local = options.port.local;
    this.maxDatagramSize = options.port.maxDatagramSize - DATA_OVERHEAD;
    this.maxPeers = options.maxPeers ?? 65_536;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
    this.inner.onMessage((data, from) => this.receive(data, from));
    this.scheduleSweep();
  }

  /** The authenticated client behind the datagrams from `from`, if any (for `CallContext`). */
  peerOf(from: Endpoint): SecurePeer | undefined {
    return this.peers.get(keyOf(from))?.peer;
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    if (this.closed) return;
    const known = this.peers.get(keyOf(to));
    const sealed =
      known === undefined ? null : this.responder.seal(known.peer, data, this.clock.now());
    if (sealed === null) {
      this.sendDrops++;
      return;
    }
    this.inner.send(sealed.datagram, this.peers.get(sealed.to)?.endpoint ?? to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.inner.onError(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.inner.close();
  }

  private receive(data: Uint8Array, from: Endpoint): void {
    if (this.closed) return;
    const key = keyOf(from);
    const r = this.responder.receive(data, key, this.clock.now());
    if (r.kind === "reply") {
      this.inner.send(r.datagram, from);
    } else if (r.kind === "data") {
      this.remember(key, r.peer, from);
      this.handler(r.payload, from);
    }
  }

  private remember(key: string, peer: SecurePeer, endpoint: Endpoint): void {
    const known = this.peers.get(key);
    if (known !== undefined && known.peer.id === peer.id) return;
    if (known === undefined && this.peers.size >= this.maxPeers) {
      const oldest = this.peers.keys().next().value;
      if (oldest !== undefined) this.peers.delete(oldest);
    }
    this.peers.set(key, { peer, endpoint });
  }

  private scheduleSweep(): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.responder.sweep(this.clock.now());
      this.scheduleSweep();
    }, this.sweepIntervalMs);
  }
}
