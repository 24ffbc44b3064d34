/**
 * The scheme registry: what turns a target string into a transport. Built in: `udp`, `tcp`
 * (ONC RPC, RFC 5531), `tcp+tls` (ONC RPC over TCP with RPC-with-TLS, RFC 9289; `tls.ts`) and
 * `rpcbind` (find the port through the host's binder, RFC 1833, then `udp`, `tcp` or `tcp+tls`).
 * Other transports add themselves with one call:
 *
 * ```ts
 * registerScheme("lupine", { client: (target, ctx) => ..., server: (target, ctx) => ... });
 * ```
 */
import type { Clock, Endpoint, Random } from "../io/index.js";
import { nodeErrorCode, rpcCodeForNodeError } from "../io/node/node-error.js";
import { connectTcp, listenTcp } from "../io/node/tcp.js";
import { openUdp, resolve } from "../io/node/udp.js";
import type { DrcOptions } from "../oncrpc/drc.js";
import type { RetransmitPolicy } from "../oncrpc/retransmit.js";
import { RpcbindClient } from "../rpcbind/client.js";
import { PMAP_PORT } from "../rpcbind/gen/rpcbind.js";
import { RpcError } from "../runtime/errors.js";
import type { Logger } from "../runtime/logger.js";
import type { ProgramDescriptor } from "../runtime/program.js";
import type { ClientTransport, ServerTransport } from "../runtime/transport.js";
import { OncTcpClient } from "../transport/onc-tcp-client.js";
import { OncTcpServer } from "../transport/onc-tcp-server.js";
import { OncUdpClient } from "../transport/onc-udp-client.js";
import { OncUdpServer } from "../transport/onc-udp-server.js";
import type { ReplyLimitOptions } from "../transport/reply-limit.js";
import { BalancedTransport, LazyTransport } from "./balance.js";
import { hostPort, type ParsedTarget } from "./targets.js";
import {
  openTlsClient,
  openTlsServer,
  type TlsClientOptions,
  type TlsServerOptions,
} from "./tls.js";

/** Transport settings of clients, per scheme. */
export interface TransportOptions {
  readonly udp?: {
    /** Retransmission pacing (see docs/runtime.md "Timeouts"). */
    readonly retransmit?: Partial<RetransmitPolicy>;
    /** Largest datagram sent or accepted (bytes); default 65507. */
    readonly maxDatagramSize?: number;
  };
  readonly tcp?: {
    /** Largest record sent or accepted (bytes); default 64 MiB. */
    readonly maxRecordSize?: number;
    /** Largest fragment written (bytes); default 1 MiB. */
    readonly maxFragmentSize?: number;
  };
  /** RPC-with-TLS: how `tcp+tls://` targets check the server (and present a client certificate). */
  readonly tls?: TlsClientOptions;
  /** Per-call timeout of rpcbind lookups (ms); default 3000. */
  readonly rpcbindTimeoutMs?: number;
}

/** What a scheme's client factory gets. */
export interface ClientSchemeContext {
  /** The program the client will call (rpcbind lookups need its number and version). */
  readonly program: ProgramDescriptor;
  /**
   * The client's options. A scheme with options of its own adds a field to `TransportOptions`
   * (e.g. `readonly lupine?: LupineOptions`), which `ClientOptions` extends.
   */
  readonly options: TransportOptions;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

/** Transport settings of servers, per scheme. */
export interface ServerTransportOptions {
  readonly udp?: {
    /** Duplicate-request cache limits, or `false` to turn it off. */
    readonly drc?: Partial<DrcOptions> | false;
    readonly maxDatagramSize?: number;
    /** Calls running at once before new ones are dropped; default 4096. */
    readonly maxInFlight?: number;
    /**
     * The reply-amplification limit: a reply to a call from outside `exempt` (default loopback)
     * is at most `maxReplyRatio` (default 4) times the call's size, else SYSTEM_ERR is sent
     * instead (docs/security.md). `false` turns it off.
     */
    readonly amplification?: ReplyLimitOptions | false;
  };
  readonly tcp?: {
    readonly maxRecordSize?: number;
    readonly maxFragmentSize?: number;
    /** Calls running at once per connection before it is no longer read; default 128. */
    readonly maxInFlightPerConnection?: number;
    readonly maxConnections?: number;
  };
  /** RPC-with-TLS: the certificate and client policy of `tcp+tls://` listeners. */
  readonly tls?: TlsServerOptions;
}

/** What a scheme's server factory gets. */
export interface ServerSchemeContext {
  /** The server's options; a scheme adds its own field to `ServerTransportOptions`. */
  readonly options: ServerTransportOptions;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

/** How one scheme makes transports; either side may be missing. */
export interface SchemeHandler {
  client?(
    target: ParsedTarget,
    context: ClientSchemeContext,
  ): ClientTransport | Promise<ClientTransport>;
  server?(
    target: ParsedTarget,
    context: ServerSchemeContext,
  ): ServerTransport | Promise<ServerTransport>;
}

const schemes = new Map<string, SchemeHandler>();

/**
 * Registers (or, with `replace`, replaces) the handler of a scheme such as `lupine`. Throws
 * when the scheme is taken and `replace` is not set.
 */
export function registerScheme(
  scheme: string,
  handler: SchemeHandler,
  options: { replace?: boolean } = {},
): void {
  const name = scheme.toLowerCase();
  if (schemes.has(name) && options.replace !== true)
    throw new Error(`scheme ${name}:// is already registered`);
  schemes.set(name, handler);
}

/** The handler of a scheme; throws a `TypeError` naming the known ones when there is none. */
export function schemeHandler(scheme: string): SchemeHandler {
  const h = schemes.get(scheme);
  if (h === undefined) {
    throw new TypeError(
      `unknown scheme ${scheme}:// (known: ${[...schemes.keys()].map((s) => `${s}://`).join(", ")})`,
    );
  }
  return h;
}

/** Resolves a host to endpoints, turning DNS failures into `unreachable`. */
export async function resolveHost(host: string, port: number): Promise<Endpoint[]> {
  try {
    const found = await resolve(host, port);
    if (found.length === 0) throw new RpcError("unreachable", `${host}: no addresses`);
    return found;
  } catch (e) {
    if (e instanceof RpcError) throw e;
    throw new RpcError(
      rpcCodeForNodeError(e),
      `cannot resolve ${host}: ${nodeErrorCode(e) ?? (e as Error).message}`,
      {
        cause: e,
        remote: false,
      },
    );
  }
}

/** Opens an ONC RPC UDP client transport to one endpoint. */
export async function openUdpClient(
  to: Endpoint,
  context: Pick<ClientSchemeContext, "options" | "clock" | "random">,
) {
  const udp = context.options.udp ?? {};
  const port = await openUdp({
    family: to.family === "IPv6" ? 6 : 4,
    ...(udp.maxDatagramSize === undefined ? {} : { maxDatagramSize: udp.maxDatagramSize }),
    recvBufferSize: 1 << 20,
  });
  await port.connect(to);
  return new OncUdpClient({
    port,
    server: to,
    clock: context.clock,
    random: context.random,
    ...(udp.retransmit === undefined ? {} : { retransmit: udp.retransmit }),
  });
}

/** Opens an ONC RPC TCP client transport to one endpoint (connects on the first call). */
export function openTcpClient(
  to: Endpoint,
  context: Pick<ClientSchemeContext, "options" | "clock" | "random">,
) {
  const tcp = context.options.tcp ?? {};
  const name = `tcp://${hostPort(to.address, to.port)}`;
  return new OncTcpClient({
    name,
    clock: context.clock,
    random: context.random,
    ...(tcp.maxRecordSize === undefined ? {} : { maxRecordSize: tcp.maxRecordSize }),
    ...(tcp.maxFragmentSize === undefined ? {} : { maxFragmentSize: tcp.maxFragmentSize }),
    connect: () =>
      connectTcp(to).catch((e: unknown) => {
        throw new RpcError(
          rpcCodeForNodeError(e),
          `cannot connect to ${name}: ${nodeErrorCode(e) ?? (e as Error).message}`,
          {
            cause: e,
            remote: false,
          },
        );
      }),
  });
}

function requirePort(target: ParsedTarget): number {
  if (target.port === undefined) throw new TypeError(`target ${target.text} needs a port`);
  return target.port;
}

/** One transport per resolved address; several addresses fail over in order. */
async function perAddress(
  host: string,
  port: number,
  context: ClientSchemeContext,
  open: (e: Endpoint) => ClientTransport | Promise<ClientTransport>,
): Promise<ClientTransport> {
  const endpoints = await resolveHost(host, port);
  if (endpoints.length === 1) return open(endpoints[0]!);
  const members = endpoints.map(
    (e) => new LazyTransport("onc", async () => open(e), context.clock),
  );
  return new BalancedTransport(members, "failover", context.clock);
}

/** Finds where the client's program listens through the binder at `target`. */
async function viaRpcbind(
  target: ParsedTarget,
  context: ClientSchemeContext,
): Promise<ClientTransport> {
  const path = target.path === "" ? "tcp" : target.path.toLowerCase();
  if (path !== "udp" && path !== "tcp" && path !== "tcp+tls") {
    throw new TypeError(`target ${target.text}: protocol must be udp, tcp or tcp+tls, not ${path}`);
  }
  // RPC-with-TLS runs on the program's TCP port (RFC 9289 §4.1).
  const protocol = path === "udp" ? "udp" : "tcp";
  const { program, version, name } = context.program;
  return perAddress(target.host, target.port ?? PMAP_PORT, context, async (binder) => {
    const rpcb = new RpcbindClient(await openUdpClient(binder, context), {
      timeoutMs: context.options.rpcbindTimeoutMs ?? 3000,
    });
    let found: Endpoint | null;
    try {
      found = await rpcb.lookup(program, version, protocol, binder);
    } finally {
      await rpcb.close();
    }
    if (found === null) {
      throw new RpcError(
        "unreachable",
        `${name} (${program}) version ${version} over ${protocol} is not registered with rpcbind at ${hostPort(binder.address, binder.port)}`,
        { remote: false },
      );
    }
    if (path === "tcp+tls") return openTlsClient(found, target.host, context);
    return protocol === "udp" ? openUdpClient(found, context) : openTcpClient(found, context);
  });
}

// Listen targets take `?v6only=1` to bind an IPv6 address for IPv6 only (`udp://[::]:111?v6only=1`
// beside `udp://0.0.0.0:111`).
registerScheme("udp", {
  client: (target, context) =>
    perAddress(target.host, requirePort(target), context, (e) => openUdpClient(e, context)),
  async server(target, context) {
    const udp = context.options.udp ?? {};
    const port = await openUdp({
      host: target.host,
      ipv6Only: target.params.get("v6only") === "1",
      port: target.port ?? 0,
      recvBufferSize: 4 << 20,
      sendBufferSize: 4 << 20,
      ...(udp.maxDatagramSize === undefined ? {} : { maxDatagramSize: udp.maxDatagramSize }),
    });
    return new OncUdpServer({
      port,
      clock: context.clock,
      logger: context.logger,
      ...(udp.drc === undefined ? {} : { drc: udp.drc }),
      ...(udp.maxInFlight === undefined ? {} : { maxInFlight: udp.maxInFlight }),
      ...(udp.amplification === undefined ? {} : { amplification: udp.amplification }),
    });
  },
});

registerScheme("tcp", {
  client: (target, context) =>
    perAddress(target.host, requirePort(target), context, (e) => openTcpClient(e, context)),
  server(target, context) {
    const tcp = context.options.tcp ?? {};
    return new OncTcpServer({
      clock: context.clock,
      logger: context.logger,
      listen: (onConnection) =>
        listenTcp(
          {
            host: target.host,
            port: target.port ?? 0,
            ipv6Only: target.params.get("v6only") === "1",
            ...(tcp.maxConnections === undefined ? {} : { maxConnections: tcp.maxConnections }),
          },
          onConnection,
        ),
      ...(tcp.maxRecordSize === undefined ? {} : { maxRecordSize: tcp.maxRecordSize }),
      ...(tcp.maxFragmentSize === undefined ? {} : { maxFragmentSize: tcp.maxFragmentSize }),
      ...(tcp.maxInFlightPerConnection === undefined
        ? {}
        : { maxInFlightPerConnection: tcp.maxInFlightPerConnection }),
    });
  },
});

registerScheme("tcp+tls", {
  client: (target, context) =>
    perAddress(target.host, requirePort(target), context, (e) =>
      openTlsClient(e, target.host, context),
    ),
  server: openTlsServer,
});

registerScheme("rpcbind", { client: viaRpcbind });
