/**
 * The secure Lupine transport: Lupine's reliable transport (`lupine-client.ts`,
 * `lupine-server.ts`) over the secure datagram layer (`secure-port.ts`, docs/security.md §3–4).
 * Every reliable datagram — header, acks, frames — is the plaintext of one sealed data packet, so
 * everything the reliable layer sends is encrypted and authenticated, and every datagram it
 * receives has been opened, replay-checked and authenticated first.
 *
 * What this module adds to the two layers it joins:
 * - **MTU**: the reliable layer's datagrams shrink by the sealing overhead (`DATA_OVERHEAD`, 32
 *   bytes), so a sealed datagram fits where a plain one did (1472 → 1440 bytes on Ethernet,
 *   65,507 → 65,475 to loopback: the plain transport's per-address sizes, `lupine-mtu.ts`).
 * - **Retransmissions** are sealed afresh: each `send` is a new data packet with a new counter
 *   (a byte-identical resend would be dropped as a replay, by design).
 * - **Identity**: the server hands handlers the caller's key (`CallContext.peer`, scheme `noise`)
 *   and `secure: true`.
 * - **Clear failures**: a server that refuses this client's key fails the waiting calls at once
 *   with `unauthenticated`; a call that ends (timeout, no answer) before any handshake ever
 *   completed fails with `unauthenticated` too, naming the pinned key the server did not prove
 *   it holds. Nothing of such a call was sent: only handshake initiations were.
 */
import type { DatagramPort, Endpoint } from "../io/datagram.js";
import type { PeerIdentity } from "../runtime/context.js";
import { isRpcError, RpcError } from "../runtime/errors.js";
import type { CallRequest } from "../runtime/transport.js";
import { DATA_OVERHEAD } from "../secure/packet.js";
import type { SecurePeer } from "../secure/peer-keys.js";
import {
  createLupineClient,
  type LupineClientOptions,
  type LupineClientTransport,
} from "./lupine-client.js";
import { defaultDatagramBytes } from "./lupine-mtu.js";
import {
  createLupineServer,
  type LupineServerOptions,
  type LupineServerTransport,
} from "./lupine-server.js";
import {
  SecureClientPort,
  type SecureClientPortOptions,
  SecureServerPort,
  type SecureServerPortOptions,
} from "./secure-port.js";

/**
 * The reliable layer's datagram size inside sealed datagrams to `to`: the configured size, else
 * the plain transport's default for that address (`lupine-mtu.ts`: 65,507 to loopback, an
 * Ethernet MTU's 1,472 elsewhere), within the port's limit, less the sealing overhead.
 */
export function innerDatagramBytes(
  port: DatagramPort,
  configured: number | undefined,
  to: Endpoint,
): number {
  return Math.min(configured ?? defaultDatagramBytes(to), port.maxDatagramSize) - DATA_OVERHEAD;
}

/** Identities made so far, one per peer: every call of a peer gets the same frozen object. */
const identities = new WeakMap<SecurePeer, PeerIdentity>();

/** A secure peer as handlers see it (made once per peer: the server asks for it on every call). */
export function noiseIdentity(peer: SecurePeer): PeerIdentity {
  let identity = identities.get(peer);
  if (identity === undefined) {
    identity = Object.freeze({ scheme: "noise", id: peer.id, publicKey: peer.publicKey });
    identities.set(peer, identity);
  }
  return identity;
}

/** Options of {@link createSecureLupineClient}: both layers' options, one port. */
export type SecureLupineClientOptions = Omit<LupineClientOptions, "port"> &
  Omit<SecureClientPortOptions, "port" | "server" | "clock" | "random"> & {
    /** The UDP port (connected or not) to the server. */
    readonly port: DatagramPort;
  };

/** A client transport to one secure Lupine server (see the module comment). */
export function createSecureLupineClient(o: SecureLupineClientOptions): LupineClientTransport {
  const secure = new SecureClientPort({
    port: o.port,
    server: o.server,
    clock: o.clock,
    random: o.random,
    suite: o.suite,
    staticKeyPair: o.staticKeyPair,
    serverPublicKey: o.serverPublicKey,
    wallClockMs: o.wallClockMs,
    ...(o.limits === undefined ? {} : { limits: o.limits }),
    ...(o.maxQueued === undefined ? {} : { maxQueued: o.maxQueued }),
  });
  const inner = createLupineClient({
    ...o,
    port: secure,
    maxDatagramBytes: innerDatagramBytes(o.port, o.maxDatagramBytes, o.server),
  });
  return new SecureClientTransport(inner, secure, o.server);
}

/** A call waiting on the inner transport; rejected at once if the secure layer fails. */
interface Waiting {
  readonly name: string;
  readonly reject: (e: unknown) => void;
}

/**
 * Maps the secure layer's failures onto the calls waiting above it: a call made while the port
 * has no keys the server accepted (before the first handshake, or while one is due or running)
 * is watched — one promise and a set entry, no AbortController, whose allocation and listeners
 * cost more than the rest of a small call — and rejected at once if the server refuses this
 * client's key. A call made while the keys are ready goes straight to the inner transport: its
 * datagrams are sealed at once with keys the server accepted, so no refusal can stop them from
 * being sent (the wrapper was a fifth of the secure transport's extra CPU per small call). After
 * a refusal, the inner calls keep their own timers until their deadlines; late outcomes of
 * watched calls are ignored.
 */
class SecureClientTransport implements LupineClientTransport {
  readonly kind = "lupine" as const;
  private readonly waiting = new Set<Waiting>();

  constructor(
    private readonly inner: LupineClientTransport,
    readonly port: SecureClientPort,
    private readonly server: Endpoint,
  ) {
    port.onFailure((failure) => {
      const all = [...this.waiting];
      this.waiting.clear();
      for (const w of all) {
        w.reject(
          new RpcError("unauthenticated", `${w.name}: ${failure.message}`, {
            cause: failure,
            remote: false,
          }),
        );
      }
    });
  }

  stats() {
    return this.inner.stats();
  }

  call<R>(request: CallRequest<R>): Promise<R> {
    if (this.port.ready) return this.inner.call(request);
    return new Promise<R>((resolve, reject) => {
      const w: Waiting = { name: request.procedureName, reject };
      this.waiting.add(w);
      this.inner.call(request).then(
        (v) => {
          if (this.waiting.delete(w)) resolve(v);
        },
        (e: unknown) => {
          if (this.waiting.delete(w)) reject(this.explain(e, request.procedureName));
        },
      );
    });
  }

  /** The error a call failed with, said in security terms where security is why. */
  private explain(e: unknown, name: string): unknown {
    if (
      isRpcError(e) &&
      (e.code === "timeout" || e.code === "unreachable") &&
      !this.port.established
    ) {
      const where = `${this.server.address}:${this.server.port}`;
      return new RpcError(
        "unauthenticated",
        `${name}: no valid handshake response from ${where}: the server did not prove it holds ` +
          `key ${this.port.initiator.server.id} (a wrong pinned key, or no secure Lupine server ` +
          `there); nothing of the call was sent (${e.message})`,
        { cause: e, remote: false, details: e.details },
      );
    }
    return e;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Options of {@link createSecureLupineServer}. */
export type SecureLupineServerOptions = Omit<LupineServerOptions, "port" | "identify"> &
  Omit<SecureServerPortOptions, "port" | "clock"> & {
    readonly port: DatagramPort;
  };

/** A secure Lupine server transport on a bound port (see the module comment). */
export function createSecureLupineServer(
  o: SecureLupineServerOptions,
): LupineServerTransport & { readonly securePort: SecureServerPort } {
  const securePort = new SecureServerPort({ ...o, port: o.port, clock: o.clock });
  const transport = createLupineServer({
    ...o,
    port: securePort,
    // Unless configured, each session's size follows its client's address, as in the plain
    // server, less the sealing overhead (the secure port's own limit is already net of it).
    ...(o.maxDatagramBytes === undefined
      ? { datagramOverheadBytes: DATA_OVERHEAD }
      : { maxDatagramBytes: Math.min(o.maxDatagramBytes, o.port.maxDatagramSize) - DATA_OVERHEAD }),
    identify: (from) => {
      const peer = securePort.peerOf(from);
      return peer === undefined ? undefined : noiseIdentity(peer);
    },
  });
  return Object.assign(transport, { securePort });
}
