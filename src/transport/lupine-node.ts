/**
 * Lupine's transport on Node: binds a UDP socket (io/node/udp.ts) and wires it with Node's clock,
 * crypto randomness, `zlib.crc32` and `setImmediate` to the transport adapters. This is what a
 * `lupine://host:port` target resolves to (see {@link connectLupine}).
 */
import { nodeClock } from "../io/node/clock.js";
import { nodeCrc32 } from "../io/node/crc32.js";
import { nodeDefer } from "../io/node/defer.js";
import { nodeRandom } from "../io/node/random.js";
import { openUdp, resolve } from "../io/node/udp.js";
import type { RemoteAddress } from "../runtime/context.js";
import type { Dispatcher } from "../runtime/transport.js";
import {
  createLupineClient,
  type LupineClientOptions,
  type LupineClientTransport,
} from "./lupine-client.js";
import {
  createLupineServer,
  type LupineServerOptions,
  type LupineServerTransport,
} from "./lupine-server.js";

/** Socket options shared by client and server. */
export interface LupineSocketOptions {
  /** Kernel buffers (SO_RCVBUF / SO_SNDBUF), bytes; default 4 MiB each (capped by the kernel). */
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
  /**
   * Largest datagram, bytes. Default: per destination (`defaultDatagramBytes`): 65,507 to a
   * loopback address (65,488 over IPv6), else 1,472 (an Ethernet MTU; 1,452 over IPv6).
   */
  readonly maxDatagramBytes?: number;
}

/** Options of {@link connectLupine}. */
export type ConnectLupineOptions = LupineSocketOptions &
  Partial<Omit<LupineClientOptions, "port" | "server" | "clock" | "random" | "crc" | "defer">>;

/** Options of {@link listenLupine}. */
export type ListenLupineOptions = LupineSocketOptions &
  Partial<Omit<LupineServerOptions, "port" | "clock" | "random" | "crc" | "defer">> & {
    /** Address to bind (default 0.0.0.0, or :: for an IPv6 host). */
    readonly host?: string;
    /** Port to bind (default 0: ephemeral). */
    readonly port?: number;
  };

const FOUR_MIB = 4 * 1024 * 1024;

/** Parses `lupine://host:port` (IPv6 literals in brackets). */
export function parseLupineTarget(target: string): { host: string; port: number } {
  const m = /^lupine:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(target);
  if (m === null) throw new RangeError(`not a lupine://host:port target: ${target}`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new RangeError(`bad port in ${target}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** Opens a client transport to a Lupine server (`lupine://host:port` or host and port). */
export async function connectLupine(
  target: string | { host: string; port: number },
  options: ConnectLupineOptions = {},
): Promise<LupineClientTransport> {
  const { host, port } = typeof target === "string" ? parseLupineTarget(target) : target;
  const [server] = await resolve(host, port);
  if (server === undefined) throw new RangeError(`no address for ${host}`);
  const { recvBufferSize, sendBufferSize, ...rest } = options;
  const socket = await openUdp({
    family: server.family === "IPv6" ? 6 : 4,
    recvBufferSize: recvBufferSize ?? FOUR_MIB,
    sendBufferSize: sendBufferSize ?? FOUR_MIB,
  });
  // Connected: no destination per datagram, and ICMP port unreachable reaches the client.
  await socket.connect(server);
  return createLupineClient({
    ...rest,
    port: socket,
    server,
    clock: nodeClock,
    random: nodeRandom,
    crc: nodeCrc32,
    defer: nodeDefer,
  });
}

/** Binds a Lupine server and starts serving `dispatcher`. */
export async function listenLupine(
  dispatcher: Dispatcher,
  options: ListenLupineOptions = {},
): Promise<{ transport: LupineServerTransport; address: RemoteAddress }> {
  const { host, port, recvBufferSize, sendBufferSize, ...rest } = options;
  const socket = await openUdp({
    ...(host === undefined ? {} : { host }),
    port: port ?? 0,
    recvBufferSize: recvBufferSize ?? FOUR_MIB,
    sendBufferSize: sendBufferSize ?? FOUR_MIB,
  });
  const transport = createLupineServer({
    ...rest,
    port: socket,
    clock: nodeClock,
    random: nodeRandom,
    crc: nodeCrc32,
    defer: nodeDefer,
  });
  const address = await transport.listen(dispatcher);
  return { transport, address };
}
