/**
 * The secure Lupine transport on the simulated network (src/testing): a secure server (Noise IK
 * under the reliable layer) and secure clients on a {@link SimNetwork}, one seed behind every
 * random choice — faults, keys, ephemerals, session indices — and the virtual clock behind every
 * timer, so a run replays from its seed.
 *
 * Every port is an {@link ObservedPort}: it records what its owner sent (the tap an attacker on
 * the path would have) and judges every datagram that arrives, against an oracle that knows what
 * the genuine peers sent:
 * - a datagram no genuine peer sent (corrupted on the link, forged) is never delivered and is
 *   counted as a drop;
 * - a byte-identical repeat of a datagram that arrived before (a link duplicate, an attacker's
 *   replay) is never delivered, and a repeated data packet is counted as a drop;
 * - the first arrival of a genuine data packet is delivered (or, after a server restart, dropped
 *   and counted because its keys are gone: tallied by reason).
 * Any breach is a violation, named with the datagram's direction and the drop reason.
 */
import type { DatagramPort, Endpoint, SendFailure } from "../../src/io/datagram.js";
import { crc32 } from "../../src/reliable/checksum.js";
import { suite25519ChaChaPolyBlake2s as suite } from "../../src/secure/node-crypto.js";
import { PacketType } from "../../src/secure/packet.js";
import { type SecureStats, totalDropped } from "../../src/secure/stats.js";
import type { KeyPair } from "../../src/secure/suite.js";
import {
  CallLedger,
  digest,
  type LinkConfig,
  ledgerDispatcher,
  ledgerRequest,
  resultKey,
  SimNetwork,
  type SimNode,
} from "../../src/testing/index.js";
import type { LupineClientTransport } from "../../src/transport/lupine-client.js";
import {
  createSecureLupineClient,
  createSecureLupineServer,
} from "../../src/transport/lupine-secure.js";
import type { LupineServerTransport } from "../../src/transport/lupine-server.js";
import type { SecureClientPort, SecureServerPort } from "../../src/transport/secure-port.js";

export const SERVER: Endpoint = { address: "10.0.0.1", port: 7000, family: "IPv4" };
/** Initiation timestamps: a fixed epoch plus virtual time. */
const WALL_MS = 1_750_000_000_000;
const MTU = 1500;

/** One datagram an {@link ObservedPort} sent: what a tap on the path captured. */
export interface Captured {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly bytes: Uint8Array;
  /** Server incarnation when it was sent (0 = first). */
  readonly incarnation: number;
}

/** Per-datagram verdicts, summed over every port. */
export interface Verdicts {
  /** First arrivals of genuine data packets, delivered. */
  freshDelivered: number;
  /** First arrivals of genuine data packets dropped (keys gone after a restart), by reason. */
  freshDropped: Record<string, number>;
  /** Repeats (duplicates, replays) that arrived, by drop reason (`-` = not a counted drop). */
  repeats: Record<string, number>;
  /** Datagrams no genuine peer sent (corrupted, forged), by drop reason. */
  bogus: Record<string, number>;
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");

function bump(r: Record<string, number>, k: string): void {
  r[k] = (r[k] ?? 0) + 1;
}

/** The reason of the one drop `before` → `after` added, or `-` if none (or several). */
function dropReason(before: SecureStats["dropped"], after: SecureStats["dropped"]): string {
  const changed = Object.keys(after).filter(
    (k) => after[k as keyof typeof after] !== before[k as keyof typeof before],
  );
  return changed.length === 1 ? changed[0]! : changed.length === 0 ? "-" : changed.join("+");
}

/** The oracle every {@link ObservedPort} reports to (see the module comment). */
export class Observer {
  readonly captured: Captured[] = [];
  readonly verdicts: Verdicts = { freshDelivered: 0, freshDropped: {}, repeats: {}, bogus: {} };
  readonly violations: string[] = [];
  /** Datagrams sent by the server (any incarnation) and by clients, by content. */
  readonly sentByServer = new Set<string>();
  readonly sentByClients = new Set<string>();
  /** Datagrams that arrived so far at the server (any incarnation) and at each client. */
  readonly arrived = new Map<string, Set<string>>();
  /** What became of each datagram's latest arrival: `delivered`, a drop reason, or `-`. */
  readonly fate = new Map<string, string>();
  incarnation = 0;

  /** What became of `bytes` when it last arrived (undefined: it never arrived). */
  fateOf(bytes: Uint8Array): string | undefined {
    return this.fate.get(b64(bytes));
  }

  /** Records that the server (or a client) genuinely sent `bytes` (when no ObservedPort saw it). */
  sent(role: "server" | "client", bytes: Uint8Array): void {
    (role === "server" ? this.sentByServer : this.sentByClients).add(b64(bytes));
  }

  violation(s: string): void {
    if (this.violations.length < 20) this.violations.push(s);
  }
}

/** A port that records what it sends and judges what arrives (see the module comment). */
export class ObservedPort implements DatagramPort {
  readonly local: Endpoint;
  readonly maxDatagramSize: number;
  /** The secure layer's counters above this port (set once it exists). */
  stats: SecureStats | null = null;

  constructor(
    private readonly inner: DatagramPort,
    private readonly observer: Observer,
    private readonly role: "server" | "client",
  ) {
    this.local = inner.local;
    this.maxDatagramSize = inner.maxDatagramSize;
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    const bytes = data instanceof Uint8Array ? Uint8Array.from(data) : Buffer.concat(data);
    const o = this.observer;
    o.sent(this.role, bytes);
    o.captured.push({ from: this.local, to, bytes, incarnation: o.incarnation });
    this.inner.send(bytes, to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.inner.onMessage((data, from) => this.judge(data, from, handler));
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.inner.onError(handler);
  }

  close(): void {
    this.inner.close();
  }

  private judge(
    data: Uint8Array,
    from: Endpoint,
    handler: (data: Uint8Array, from: Endpoint) => void,
  ): void {
    const o = this.observer;
    const stats = this.stats;
    if (stats === null) throw new Error("ObservedPort.stats not set");
    const key = b64(data);
    const where = this.role === "server" ? "server" : `${this.local.address}:${this.local.port}`;
    let arrived = o.arrived.get(where);
    if (arrived === undefined) {
      arrived = new Set();
      o.arrived.set(where, arrived);
    }
    const repeat = arrived.has(key);
    arrived.add(key);
    const genuine = (this.role === "server" ? o.sentByClients : o.sentByServer).has(key);
    const isData = data[0] === PacketType.Data;
    const opened = stats.opened;
    const dropped = totalDropped(stats);
    const before = { ...stats.dropped };
    handler(data, from);
    const delivered = stats.opened - opened;
    const counted = totalDropped(stats) - dropped;
    const reason = dropReason(before, stats.dropped);
    o.fate.set(key, delivered !== 0 ? "delivered" : reason);
    const what = `${genuine ? (repeat ? "repeated" : "fresh") : "bogus"} type-${data[0]} datagram at ${where}`;
    if (!genuine || repeat) {
      bump(genuine ? o.verdicts.repeats : o.verdicts.bogus, reason);
      if (delivered !== 0) o.violation(`${what} was delivered`);
      if ((!genuine || isData) && counted !== 1) o.violation(`${what}: ${counted} drops counted`);
    } else if (isData) {
      if (delivered === 1) o.verdicts.freshDelivered++;
      else {
        bump(o.verdicts.freshDropped, reason);
        if (counted !== 1) o.violation(`${what} neither delivered nor counted`);
      }
    }
  }
}

/** Options of {@link createSecureWorld}. */
export interface WorldOptions {
  readonly seed: number;
  readonly link?: Partial<LinkConfig>;
  readonly clients?: number;
}

/** A secure server and clients on one simulated network, all observed. */
export interface SecureWorld {
  readonly net: SimNetwork;
  readonly ledger: CallLedger;
  readonly observer: Observer;
  readonly serverKeys: KeyPair;
  readonly serverNode: SimNode;
  server: LupineServerTransport & { readonly securePort: SecureServerPort };
  readonly clients: readonly LupineClientTransport[];
  /** The secure port under each client (its initiator and counters). */
  readonly clientPorts: readonly SecureClientPort[];
  /** The node dies (its port closes, datagrams to it are lost): the server's memory is gone. */
  crashServer(): void;
  /** A new server process on the node, with the same static key (a new reliable-layer epoch). */
  restartServer(): void;
  /** Sends `bytes` from `from` to `to` as an attacker on the path would (spoofed source). */
  inject(c: Captured): void;
}

/** Builds the world (see the module comment); nothing is sent until a call is made. */
export function createSecureWorld(options: WorldOptions): SecureWorld {
  const net = new SimNetwork({ seed: options.seed, link: { mtu: MTU, ...options.link } });
  const ledger = new CallLedger();
  const observer = new Observer();
  const serverKeys = suite.dh.generateKeyPair(net.random);
  const serverNode = net.node(SERVER.address);
  const common = {
    clock: net.clock,
    random: net.random,
    crc: crc32,
    defer: net.clock.defer,
    suite,
    maxDatagramBytes: MTU - 28,
  };
  const startServer = () => {
    const port = new ObservedPort(serverNode.open(SERVER.port), observer, "server");
    const s = createSecureLupineServer({
      ...common,
      port,
      staticKeyPair: serverKeys,
      log: () => {},
    });
    port.stats = s.securePort.responder.stats;
    void s.listen(ledgerDispatcher(ledger, net.clock));
    return s;
  };
  const clients: LupineClientTransport[] = [];
  const clientPorts: SecureClientPort[] = [];
  for (let i = 0; i < (options.clients ?? 1); i++) {
    const port = new ObservedPort(net.node(`10.0.1.${i + 1}`).open(), observer, "client");
    const t = createSecureLupineClient({
      ...common,
      port,
      server: SERVER,
      staticKeyPair: suite.dh.generateKeyPair(net.random),
      serverPublicKey: serverKeys.publicKey,
      wallClockMs: () => WALL_MS + net.clock.now(),
    });
    const secure = (t as unknown as { port: SecureClientPort }).port;
    port.stats = secure.initiator.stats;
    clients.push(t);
    clientPorts.push(secure);
  }
  const world: SecureWorld = {
    net,
    ledger,
    observer,
    serverKeys,
    serverNode,
    server: startServer(),
    clients,
    clientPorts,
    crashServer: () => {
      serverNode.crash();
      observer.incarnation++;
    },
    restartServer: () => {
      serverNode.restart();
      world.server = startServer();
    },
    inject: (c) => net.transmit(c.from, c.to, c.bytes),
  };
  return world;
}

/** Makes ledger call `id` on `client` and records how it settled; resolves to the outcome. */
export async function ledgerCall(
  world: SecureWorld,
  client: LupineClientTransport,
  id: number,
  args: { delayMs?: number; payloadBytes?: number; replyBytes?: number; timeoutMs?: number },
): Promise<string> {
  const { net, ledger } = world;
  const timeoutMs = args.timeoutMs ?? 5000;
  const payload = net.random.bytes(args.payloadBytes ?? 16);
  ledger.begin(id, net.clock.now(), timeoutMs);
  try {
    const r = await client.call(
      ledgerRequest(
        { id, delayMs: args.delayMs ?? 0, replyBytes: args.replyBytes ?? 16, payload },
        timeoutMs,
      ),
    );
    if (r.payloadDigest !== digest(payload)) ledger.violations.push(`call ${id}: bad digest`);
    ledger.settled(id, net.clock.now(), "ok", resultKey(r.id, r.payloadDigest, r.reply));
    return "ok";
  } catch (e) {
    const code = (e as { code?: string }).code ?? `thrown:${String(e)}`;
    ledger.settled(id, net.clock.now(), code);
    return code;
  }
}
