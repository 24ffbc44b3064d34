/**
 * The `lupine://host:port` scheme: Lupine's reliable RPC transport over UDP (docs/protocol.md),
 * registered in the scheme registry, so `createClient(P, "lupine://10.0.0.7:7000")` and
 * `server.listen("lupine://0.0.0.0:7000")` work for every program, generated or hand-written.
 *
 * Options: `createClient(P, target, { lupine: { ... } })` and `createServer({ lupine: { ... } })`
 * (see {@link LupineClientSchemeOptions} and {@link LupineServerSchemeOptions}).
 */

import type { Endpoint } from "../io/index.js";
import { nodeCrc32 } from "../io/node/crc32.js";
import { nodeDefer } from "../io/node/defer.js";
import { openUdp } from "../io/node/udp.js";
import type { ClientTransport } from "../runtime/transport.js";
import { createLupineClient, type LupineClientOptions } from "../transport/lupine-client.js";
import { createLupineServer, type LupineServerOptions } from "../transport/lupine-server.js";
import { BalancedTransport, LazyTransport } from "./balance.js";
import { type ClientSchemeContext, registerScheme, resolveHost } from "./schemes.js";

/** Client options of the `lupine` scheme (everything of `createLupineClient` but the wiring). */
export type LupineClientSchemeOptions = Partial<
  Omit<LupineClientOptions, "port" | "server" | "clock" | "random" | "crc" | "defer">
> & {
  /** Kernel socket buffers, bytes (default 4 MiB each; the kernel may cap them). */
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
};

/** Server options of the `lupine` scheme. */
export type LupineServerSchemeOptions = Partial<
  Omit<LupineServerOptions, "port" | "clock" | "random" | "crc" | "defer" | "log">
> & {
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
};

declare module "./schemes.js" {
  interface TransportOptions {
    /** `lupine://` client settings. */
    readonly lupine?: LupineClientSchemeOptions;
  }
  interface ServerTransportOptions {
    /** `lupine://` server settings. */
    readonly lupine?: LupineServerSchemeOptions;
  }
}

const FOUR_MIB = 4 << 20;

async function openClient(to: Endpoint, context: ClientSchemeContext): Promise<ClientTransport> {
  const { recvBufferSize, sendBufferSize, ...rest } = context.options.lupine ?? {};
  const port = await openUdp({
    family: to.family === "IPv6" ? 6 : 4,
    recvBufferSize: recvBufferSize ?? FOUR_MIB,
    sendBufferSize: sendBufferSize ?? FOUR_MIB,
  });
  await port.connect(to);
  return createLupineClient({
    ...rest,
    port,
    server: to,
    clock: context.clock,
    random: context.random,
    crc: nodeCrc32,
    defer: nodeDefer,
  });
}

registerScheme("lupine", {
  async client(target, context) {
    if (target.port === undefined) throw new TypeError(`target ${target.text} needs a port`);
    const endpoints = await resolveHost(target.host, target.port);
    if (endpoints.length === 1) return openClient(endpoints[0]!, context);
    const members = endpoints.map(
      (e) => new LazyTransport("lupine", () => openClient(e, context), context.clock),
    );
    return new BalancedTransport(members, "failover", context.clock);
  },
  async server(target, context) {
    const { recvBufferSize, sendBufferSize, ...rest } = context.options.lupine ?? {};
    const port = await openUdp({
      host: target.host,
      ipv6Only: target.params.get("v6only") === "1",
      port: target.port ?? 0,
      recvBufferSize: recvBufferSize ?? FOUR_MIB,
      sendBufferSize: sendBufferSize ?? FOUR_MIB,
    });
    return createLupineServer({
      ...rest,
      port,
      clock: context.clock,
      random: context.random,
      crc: nodeCrc32,
      defer: nodeDefer,
      log: (message, error) => context.logger.error(message, error),
    });
  },
});
