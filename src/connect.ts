/**
 * The composition root: target strings in, typed clients and servers out.
 *
 * ```ts
 * const client = createClient(PingProgV1, "udp://127.0.0.1:7000");
 * await client.pingEcho(42, { timeoutMs: 500 });
 *
 * const server = createServer({ rpcbind: true });
 * server.register(PingProgV1, { pingEcho: (n) => n });
 * await server.listen("udp://0.0.0.0:0", "tcp://0.0.0.0:0");
 * ```
 *
 * Targets: `udp://host:port`, `tcp://host:port`, `rpcbind://host[:port][/udp|tcp]`, host names
 * (DNS A and AAAA; the addresses fail over in order), a list (array or comma-separated) balanced
 * by `options.balance`, and any scheme added with {@link registerScheme} (`lupine://`).
 */

import { BalancedTransport, type BalancePolicy, LazyTransport } from "./connect/balance.js";
// Registers `lupine://` (Lupine's reliable transport) beside the built-in schemes.
import "./connect/lupine-scheme.js";
import {
  type ClientSchemeContext,
  openUdpClient,
  resolveHost,
  type ServerTransportOptions,
  schemeHandler,
  type TransportOptions,
} from "./connect/schemes.js";
import { parseTarget, splitTargets } from "./connect/targets.js";
import type { Clock, Random } from "./io/index.js";
import { nodeClock } from "./io/node/clock.js";
import { nodeRandom } from "./io/node/random.js";
import { RpcbindClient } from "./rpcbind/client.js";
import { type Binding, registerAll, unregisterAll } from "./rpcbind/register.js";
import { createRpcClient, type RpcClientOptions } from "./runtime/client.js";
import type { RemoteAddress } from "./runtime/context.js";
import { consoleLogger, type Logger } from "./runtime/logger.js";
import type { ClientOf, ProgramDescriptor } from "./runtime/program.js";
import { createRpcServer, type RpcServer, type RpcServerOptions } from "./runtime/server.js";
import type { ClientTransport, ServerTransport } from "./runtime/transport.js";

export { BalancedTransport, type BalancePolicy, LazyTransport } from "./connect/balance.js";
export {
  type ClientSchemeContext,
  registerScheme,
  type SchemeHandler,
  type ServerSchemeContext,
  type ServerTransportOptions,
  type TransportOptions,
} from "./connect/schemes.js";
export { type ParsedTarget, parseTarget } from "./connect/targets.js";

/** Options of {@link createClient}. */
export interface ClientOptions extends RpcClientOptions, TransportOptions {
  /** How calls spread over several targets; default `failover`. */
  readonly balance?: BalancePolicy;
  /** Clock and randomness (tests and simulations inject their own). */
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
}

/** Where a client sends its calls. */
export type ClientTarget = string | readonly string[] | ClientTransport;

function isTransport(t: ClientTarget): t is ClientTransport {
  return typeof t === "object" && t !== null && typeof (t as ClientTransport).call === "function";
}

/**
 * Creates a client transport for `target` without a typed client (to share one transport among
 * several programs' clients). Opening happens on the first call.
 */
export function createTransport(
  program: ProgramDescriptor,
  target: string | readonly string[],
  options: ClientOptions = {},
): ClientTransport {
  const context: ClientSchemeContext = {
    program,
    options,
    clock: options.clock ?? nodeClock,
    random: options.random ?? nodeRandom,
    logger: options.logger ?? consoleLogger,
  };
  const open = (text: string): ClientTransport => {
    const parsed = parseTarget(text);
    const handler = schemeHandler(parsed.scheme);
    if (handler.client === undefined)
      throw new TypeError(`scheme ${parsed.scheme}:// has no client`);
    const make = handler.client.bind(handler);
    return new LazyTransport(parsed.scheme, async () => make(parsed, context), context.clock);
  };
  const list = splitTargets(target);
  if (list.length === 1) return open(list[0]!);
  return new BalancedTransport(list.map(open), options.balance ?? "failover", context.clock);
}

/**
 * Creates the typed client of `program`: one method per procedure (see `ClientOf`). `target` is
 * a target string, a list of them, or a transport. The client owns what it opened; `$close()`
 * closes it.
 */
export function createClient<const P extends ProgramDescriptor>(
  program: P,
  target: ClientTarget,
  options: ClientOptions = {},
): ClientOf<P> {
  const transport = isTransport(target) ? target : createTransport(program, target, options);
  return createRpcClient(program, transport, {
    ...options,
    ownsTransport: isTransport(target) ? (options.ownsTransport ?? false) : true,
  });
}

/** Options of {@link createServer}. */
export interface ServerOptions extends RpcServerOptions, ServerTransportOptions {
  /**
   * Register every program version with the host's binder on `listen` and unregister on
   * `close`: `true` for 127.0.0.1:111, or where the binder is.
   */
  readonly rpcbind?: boolean | { readonly host?: string; readonly port?: number };
  readonly clock?: Clock;
  readonly random?: Random;
}

/** A server that listens on target strings too. */
export interface Server extends Omit<RpcServer, "listen"> {
  /**
   * Listens on each target (`udp://0.0.0.0:0`, `tcp://127.0.0.1:2049`, `lupine://...`) or
   * transport, then registers with rpcbind when asked. Resolves with the bound addresses.
   */
  listen(...targets: (string | ServerTransport)[]): Promise<RemoteAddress[]>;
}

/** Creates a server; see {@link Server}. */
export function createServer(options: ServerOptions = {}): Server {
  const clock = options.clock ?? nodeClock;
  const random = options.random ?? nodeRandom;
  const logger = options.logger ?? consoleLogger;
  const inner = createRpcServer({ ...options, logger });
  let registered: Binding[] = [];
  let rpcb: RpcbindClient | undefined;

  const binder = async (): Promise<RpcbindClient> => {
    if (rpcb !== undefined) return rpcb;
    const where = typeof options.rpcbind === "object" ? options.rpcbind : {};
    const [e] = await resolveHost(where.host ?? "127.0.0.1", where.port ?? 111);
    rpcb = new RpcbindClient(await openUdpClient(e!, { options: {}, clock, random }));
    return rpcb;
  };

  const server: Server = {
    ...inner,
    register(program, handlers) {
      inner.register(program, handlers);
      return server;
    },
    async listen(...targets) {
      const transports: ServerTransport[] = [];
      for (const t of targets) {
        if (typeof t !== "string") {
          transports.push(t);
          continue;
        }
        const parsed = parseTarget(t);
        const handler = schemeHandler(parsed.scheme);
        if (handler.server === undefined)
          throw new TypeError(`scheme ${parsed.scheme}:// cannot listen`);
        transports.push(await handler.server(parsed, { options, clock, random, logger }));
      }
      const addresses = await inner.listen(...transports);
      if (options.rpcbind !== undefined && options.rpcbind !== false) {
        const bindings: Binding[] = [];
        transports.forEach((t, i) => {
          if (t.kind !== "udp" && t.kind !== "tcp") return;
          for (const r of inner.registrations()) {
            bindings.push({
              program: r.program,
              version: r.version,
              protocol: t.kind,
              address: addresses[i]!,
            });
          }
        });
        registered.push(...(await registerAll(await binder(), bindings)));
      }
      return addresses;
    },
    async close(graceMs) {
      if (rpcb !== undefined) {
        const errors = await unregisterAll(rpcb, registered);
        registered = [];
        for (const e of errors) logger.error("cannot unregister from rpcbind", e);
        await rpcb.close();
        rpcb = undefined;
      }
      await inner.close(graceMs);
    },
  };
  return server;
}
