/**
 * A simulated datagram network: nodes with ports (each a {@link DatagramPort}), and directed links
 * between nodes with latency and jitter, bandwidth (a serialisation queue with a bounded backlog),
 * MTU, loss, duplication, reordering, single-bit corruption and partitions; nodes crash (every
 * port closes, datagrams in flight to it are lost) and come back. With `portUnreachable`, a
 * datagram reaching a node that is up but has nothing on the port is answered as a kernel
 * would: ICMP port unreachable, reported to the sending port's error handler as
 * `ECONNREFUSED` (what a connected Node socket sees when a server process has died while its
 * host lives on); off by default. Time is a {@link SimClock};
 * every random choice comes from one seeded {@link Prng}, so a run replays from its seed.
 *
 * The real transports run on it unchanged: give them `node.open()`'s port, `net.clock`,
 * `net.random` and `net.clock.defer`.
 */
import type { DatagramPort, Endpoint, SendFailure } from "../io/datagram.js";
import { Prng } from "./prng.js";
import { SimClock } from "./sim-clock.js";

/** How a directed link treats datagrams. Probabilities are per datagram, in [0, 1]. */
export interface LinkConfig {
  /** One-way delay, ms. */
  latencyMs: number;
  /** Extra delay, uniform in [0, jitterMs). */
  jitterMs: number;
  /** Bytes per ms (1 MB/s = 1000); ∞ for no serialisation delay. */
  bandwidthBytesPerMs: number;
  /** Longest backlog the link queues before it drops (tail drop), ms of sending. */
  queueMs: number;
  /** Largest datagram the link carries; bigger ones are dropped (IP with DF set). */
  mtu: number;
  loss: number;
  duplicate: number;
  /** Probability that a datagram is held back (up to 3× latency more) so later ones overtake. */
  reorder: number;
  /** Probability that one random bit of the datagram is flipped. */
  corrupt: number;
}

/** The defaults: a clean 1 ms, 1 GB/s LAN link with a 1500-byte MTU. */
export const DEFAULT_LINK: LinkConfig = {
  latencyMs: 1,
  jitterMs: 0,
  bandwidthBytesPerMs: Number.POSITIVE_INFINITY,
  queueMs: 200,
  mtu: 1500,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  corrupt: 0,
};

/** What the network did, summed over all links. */
export interface NetworkCounters {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  tooBig: number;
  queueDropped: number;
  partitioned: number;
  /** Arrived at a node that was down or a port that was closed. */
  undeliverable: number;
}

interface Link {
  config: LinkConfig;
  busyUntilMs: number;
  cut: boolean;
}

/** The simulated network. */
export class SimNetwork {
  readonly clock = new SimClock();
  readonly random: Prng;
  readonly counters: NetworkCounters = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    tooBig: 0,
    queueDropped: 0,
    partitioned: 0,
    undeliverable: 0,
  };
  /** Link settings for pairs without their own. */
  defaults: LinkConfig;
  private readonly nodes = new Map<string, SimNode>();
  private readonly links = new Map<string, Link>();

  /** Whether a datagram to a closed port on a live node comes back as port unreachable. */
  readonly portUnreachable: boolean;

  constructor(options: { seed: number; link?: Partial<LinkConfig>; portUnreachable?: boolean }) {
    this.random = new Prng(options.seed);
    this.defaults = { ...DEFAULT_LINK, ...options.link };
    this.portUnreachable = options.portUnreachable ?? false;
  }

  /** The node with this address (created on first use). */
  node(address: string): SimNode {
    let n = this.nodes.get(address);
    if (n === undefined) {
      n = new SimNode(this, address);
      this.nodes.set(address, n);
    }
    return n;
  }

  /** Sets the link from `a` to `b` (one direction); `both` sets `b` to `a` too. */
  setLink(a: string, b: string, config: Partial<LinkConfig>, both = true): void {
    this.link(a, b).config = { ...this.link(a, b).config, ...config };
    if (both) this.link(b, a).config = { ...this.link(b, a).config, ...config };
  }

  /** Cuts both directions between `a` and `b` until {@link heal}. */
  partition(a: string, b: string): void {
    this.link(a, b).cut = true;
    this.link(b, a).cut = true;
  }

  heal(a: string, b: string): void {
    this.link(a, b).cut = false;
    this.link(b, a).cut = false;
  }

  private link(a: string, b: string): Link {
    const key = `${a}>${b}`;
    let l = this.links.get(key);
    if (l === undefined) {
      l = { config: { ...this.defaults }, busyUntilMs: 0, cut: false };
      this.links.set(key, l);
    }
    return l;
  }

  /** Called by ports: applies the link's faults and schedules delivery. */
  transmit(from: Endpoint, to: Endpoint, data: Uint8Array): void {
    const c = this.counters;
    const r = this.random;
    c.sent++;
    const link = this.link(from.address, to.address);
    const cfg = link.config;
    if (link.cut) {
      c.partitioned++;
      return;
    }
    if (data.length > cfg.mtu) {
      c.tooBig++;
      return;
    }
    const now = this.clock.now();
    let departMs = now;
    if (Number.isFinite(cfg.bandwidthBytesPerMs)) {
      const start = Math.max(now, link.busyUntilMs);
      if (start - now > cfg.queueMs) {
        c.queueDropped++;
        return;
      }
      link.busyUntilMs = start + data.length / cfg.bandwidthBytesPerMs;
      departMs = link.busyUntilMs;
    }
    if (r.chance(cfg.loss)) {
      c.lost++;
      return;
    }
    const copies = r.chance(cfg.duplicate) ? 2 : 1;
    if (copies === 2) c.duplicated++;
    for (let k = 0; k < copies; k++) {
      let bytes = data;
      if (r.chance(cfg.corrupt)) {
        bytes = data.slice();
        const bit = r.int(bytes.length * 8);
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        c.corrupted++;
      }
      let delay = departMs - now + cfg.latencyMs + r.next() * cfg.jitterMs;
      if (r.chance(cfg.reorder)) {
        delay += r.next() * 3 * Math.max(cfg.latencyMs, 0.1);
        c.reordered++;
      }
      const node = this.node(to.address);
      const incarnation = node.incarnation;
      this.clock.setTimeout(() => node.deliver(incarnation, to.port, bytes, from), delay);
    }
  }
}

/** A simulated host: opens ports; crashes and restarts. */
export class SimNode {
  readonly address: string;
  up = true;
  /** Increases at every crash: datagrams sent to an earlier incarnation are lost. */
  incarnation = 0;
  private readonly net: SimNetwork;
  private readonly ports = new Map<number, SimPort>();
  private nextPort = 40000;

  constructor(net: SimNetwork, address: string) {
    this.net = net;
    this.address = address;
  }

  /** Opens a port (`port` 0 or absent: the next free one). */
  open(port = 0, maxDatagramSize = 65507): SimPort {
    if (!this.up) throw new Error(`node ${this.address} is down`);
    let p = port;
    while (p === 0 || (port === 0 && this.ports.has(p))) p = this.nextPort++;
    if (this.ports.has(p)) throw new Error(`port ${this.address}:${p} is in use`);
    const sp = new SimPort(
      this.net,
      this,
      { address: this.address, port: p, family: "IPv4" },
      maxDatagramSize,
    );
    this.ports.set(p, sp);
    return sp;
  }

  /** The node stops: every port closes, datagrams on their way to it are lost. */
  crash(): void {
    this.up = false;
    this.incarnation++;
    for (const p of [...this.ports.values()]) p.close();
  }

  /** The node is back (with no ports open: the caller starts its programs again). */
  restart(): void {
    this.up = true;
  }

  /** @internal An ICMP port unreachable for what `port` sent to `to` arrives. */
  unreachable(port: number, to: Endpoint): void {
    if (!this.up) return;
    const error = Object.assign(new Error(`port unreachable: ${to.address}:${to.port}`), {
      code: "ECONNREFUSED",
    });
    this.ports.get(port)?.fail({ to, error });
  }

  /** @internal */
  release(port: number): void {
    this.ports.delete(port);
  }

  /** @internal */
  deliver(incarnation: number, port: number, data: Uint8Array, from: Endpoint): void {
    const p = this.ports.get(port);
    if (!this.up || incarnation !== this.incarnation || p === undefined) {
      this.net.counters.undeliverable++;
      if (this.up && p === undefined && this.net.portUnreachable) {
        const to: Endpoint = { address: this.address, port, family: "IPv4" };
        this.net.clock.setTimeout(
          () => this.net.node(from.address).unreachable(from.port, to),
          this.net.defaults.latencyMs,
        );
      }
      return;
    }
    this.net.counters.delivered++;
    p.receive(data.slice(), from);
  }
}

/** A port on a simulated node. */
export class SimPort implements DatagramPort {
  readonly local: Endpoint;
  readonly maxDatagramSize: number;
  private handler: ((data: Uint8Array, from: Endpoint) => void) | null = null;
  private errorHandler: ((failure: SendFailure) => void) | null = null;
  private closed = false;
  private readonly net: SimNetwork;
  private readonly node: SimNode;

  constructor(net: SimNetwork, node: SimNode, local: Endpoint, maxDatagramSize: number) {
    this.net = net;
    this.node = node;
    this.local = local;
    this.maxDatagramSize = maxDatagramSize;
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    if (this.closed) return;
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) {
      bytes = data;
    } else {
      let n = 0;
      for (const d of data) n += d.length;
      bytes = new Uint8Array(n);
      let at = 0;
      for (const d of data) {
        bytes.set(d, at);
        at += d.length;
      }
    }
    this.net.transmit(this.local, to, bytes);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.errorHandler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler = null;
    this.node.release(this.local.port);
  }

  /** @internal */
  receive(data: Uint8Array, from: Endpoint): void {
    this.handler?.(data, from);
  }

  /** @internal A send failure (port unreachable) for this port. */
  fail(failure: SendFailure): void {
    if (!this.closed) this.errorHandler?.(failure);
  }
}
