/**
 * The `lupine://host:port` scheme: Lupine's reliable RPC transport over UDP (docs/protocol.md),
 * registered in the scheme registry, so `createClient(P, "lupine://10.0.0.7:7000")` and
 * `server.listen("lupine://0.0.0.0:7000")` work for every program, generated or hand-written.
 *
 * Options: `createClient(P, target, { lupine: { ... } })` and `createServer({ lupine: { ... } })`
 * (see {@link LupineClientSchemeOptions} and {@link LupineServerSchemeOptions}).
 *
 * Secure by default where keys are configured (docs/security.md §4): a server given a key
 * (`keyFile`, `keyPair`) serves only the secure transport (Noise IK, every datagram sealed), and
 * may admit only the client keys of an allow-list; a client given the server's public key
 * (`serverKey`, or `?key=` in the target: `lupine://host:7000?key=<base64>`) pins it and talks
 * only the secure transport to it.
 */

import type { Endpoint } from "../io/index.js";
import { nodeWallClockMs } from "../io/node/clock.js";
import { nodeCrc32 } from "../io/node/crc32.js";
import { nodeDefer } from "../io/node/defer.js";
import { bufferShortfall, openUdp, type UdpSocket } from "../io/node/udp.js";
import type { Logger } from "../runtime/logger.js";
import type { ClientTransport } from "../runtime/transport.js";
import { type AllowList, createAllowList } from "../secure/allow-list.js";
import { readAllowListFile, readPrivateKeyFile } from "../secure/key-file.js";
import { decodeKey } from "../secure/key-text.js";
import type { SecureLimits } from "../secure/limits.js";
import { suite25519ChaChaPolyBlake2s, x25519 } from "../secure/node-crypto.js";
import type { KeyPair } from "../secure/suite.js";
import { createLupineClient, type LupineClientOptions } from "../transport/lupine-client.js";
import { createSecureLupineClient, createSecureLupineServer } from "../transport/lupine-secure.js";
import { createLupineServer, type LupineServerOptions } from "../transport/lupine-server.js";
import { BalancedTransport, LazyTransport } from "./balance.js";
import {
  type ClientSchemeContext,
  registerScheme,
  resolveHost,
  type ServerSchemeContext,
} from "./schemes.js";
import type { ParsedTarget } from "./targets.js";

/** Client options of the `lupine` scheme (everything of `createLupineClient` but the wiring). */
export type LupineClientSchemeOptions = Partial<
  Omit<LupineClientOptions, "port" | "server" | "clock" | "random" | "crc" | "defer">
> & {
  /** Kernel socket buffers, bytes (default 4 MiB each; the kernel may cap them). */
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
  /**
   * The server's public key (base64, as `lupine keygen` prints it): the client pins it and uses
   * the secure transport. Same as `?key=` in the target.
   */
  readonly serverKey?: string;
  /** This client's key (`lupine keygen` file, checked for safe permissions); default: a fresh one. */
  readonly keyFile?: string;
  readonly keyPair?: KeyPair;
  /** Secure-transport limits (rekey times, handshake retries; docs/security.md §3.3). */
  readonly secureLimits?: Partial<SecureLimits>;
};

/** Server options of the `lupine` scheme. */
export type LupineServerSchemeOptions = Partial<
  Omit<LupineServerOptions, "port" | "clock" | "random" | "crc" | "defer" | "log" | "identify">
> & {
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
  /** The server's private key (`lupine keygen` file, mode 0600): serve the secure transport only. */
  readonly keyFile?: string;
  readonly keyPair?: KeyPair;
  /** Client keys admitted (base64 keys, or an allow-list file); default any client key. */
  readonly allowList?: readonly string[] | AllowList;
  readonly allowListFile?: string;
  /** Secure-transport limits (admission budgets, rekey times; docs/security.md §3.4). */
  readonly secureLimits?: Partial<SecureLimits>;
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

/** Whether this process has warned of a capped receive buffer (a client may open thousands). */
let warnedReceiveBuffer = false;

/**
 * Warns (once per process) when the kernel granted a Lupine socket less receive buffer than
 * asked: Linux caps `SO_RCVBUF` at `net.core.rmem_max` (212,992 bytes on a stock kernel) without
 * an error, and datagrams that arrive while it is full are dropped, which the sender then detects
 * and sends again (even at 4 MiB a 1 GiB transfer of 65,000-byte datagrams lost 153–255 here:
 * docs/lupine.md "Bulk on loopback"). A capped send buffer is not reported: libuv keeps a send the
 * kernel will not yet take in its own queue.
 */
function warnIfReceiveBufferCapped(socket: UdpSocket, asked: number, logger: Logger): void {
  if (warnedReceiveBuffer) return;
  const [short] = bufferShortfall(socket, { receive: asked });
  if (short === undefined) return;
  warnedReceiveBuffer = true;
  logger.warn(
    `lupine: the kernel granted a socket a receive buffer of ${short.granted} bytes of the ` +
      `${short.asked} asked (it caps it at net.core.rmem_max); datagrams arriving while it is full ` +
      `are dropped and sent again. Raise the cap (sysctl -w net.core.rmem_max=${short.asked}) or ` +
      `ask for less (lupine.recvBufferSize).`,
  );
}

/** The server key a client pins: `?key=` in the target, or `lupine.serverKey`. */
function pinnedKey(target: ParsedTarget, context: ClientSchemeContext): Uint8Array | undefined {
  // In a query string `+` reads as a space; base64 keys have no spaces, so put them back.
  const text = target.params.get("key")?.replaceAll(" ", "+") ?? context.options.lupine?.serverKey;
  return text === undefined ? undefined : decodeKey(text, `server key of ${target.text}`);
}

async function openClient(
  to: Endpoint,
  context: ClientSchemeContext,
  serverKey: Uint8Array | undefined,
): Promise<ClientTransport> {
  const {
    recvBufferSize,
    sendBufferSize,
    serverKey: _text,
    keyFile,
    keyPair,
    secureLimits,
    ...rest
  } = context.options.lupine ?? {};
  const asked = { receive: recvBufferSize ?? FOUR_MIB, send: sendBufferSize ?? FOUR_MIB };
  const port = await openUdp({
    family: to.family === "IPv6" ? 6 : 4,
    recvBufferSize: asked.receive,
    sendBufferSize: asked.send,
  });
  warnIfReceiveBufferCapped(port, asked.receive, context.logger);
  await port.connect(to);
  const common = {
    ...rest,
    port,
    server: to,
    clock: context.clock,
    random: context.random,
    crc: nodeCrc32,
    defer: nodeDefer,
  };
  if (serverKey === undefined) return createLupineClient(common);
  return createSecureLupineClient({
    ...common,
    suite: suite25519ChaChaPolyBlake2s,
    serverPublicKey: serverKey,
    staticKeyPair:
      keyPair ??
      (keyFile === undefined
        ? x25519.generateKeyPair(context.random)
        : await readPrivateKeyFile(keyFile)),
    wallClockMs: nodeWallClockMs,
    ...(secureLimits === undefined ? {} : { limits: secureLimits }),
  });
}

async function openServer(target: ParsedTarget, context: ServerSchemeContext) {
  const {
    recvBufferSize,
    sendBufferSize,
    keyFile,
    keyPair,
    allowList,
    allowListFile,
    secureLimits,
    ...rest
  } = context.options.lupine ?? {};
  // Keys first: a bad key file stops the server before it binds.
  const staticKeyPair =
    keyPair ?? (keyFile === undefined ? undefined : await readPrivateKeyFile(keyFile));
  const admitted: AllowList | undefined =
    allowListFile !== undefined
      ? await readAllowListFile(allowListFile)
      : allowList === undefined
        ? undefined
        : Array.isArray(allowList)
          ? createAllowList(
              (allowList as readonly string[]).map((k) => decodeKey(k, "allow-list key")),
            )
          : (allowList as AllowList);
  if (staticKeyPair === undefined && admitted !== undefined) {
    throw new TypeError(`${target.text}: an allow-list needs a server key (lupine.keyFile)`);
  }
  const asked = { receive: recvBufferSize ?? FOUR_MIB, send: sendBufferSize ?? FOUR_MIB };
  const port = await openUdp({
    host: target.host,
    ipv6Only: target.params.get("v6only") === "1",
    port: target.port ?? 0,
    recvBufferSize: asked.receive,
    sendBufferSize: asked.send,
  });
  warnIfReceiveBufferCapped(port, asked.receive, context.logger);
  const common = {
    ...rest,
    port,
    clock: context.clock,
    random: context.random,
    crc: nodeCrc32,
    defer: nodeDefer,
    log: (message: string, error: unknown) => context.logger.error(message, error),
  };
  if (staticKeyPair === undefined) return createLupineServer(common);
  return createSecureLupineServer({
    ...common,
    suite: suite25519ChaChaPolyBlake2s,
    staticKeyPair,
    ...(admitted === undefined ? {} : { authorize: (key: Uint8Array) => admitted.has(key) }),
    ...(secureLimits === undefined ? {} : { limits: secureLimits }),
  });
}

registerScheme("lupine", {
  async client(target, context) {
    if (target.port === undefined) throw new TypeError(`target ${target.text} needs a port`);
    const serverKey = pinnedKey(target, context);
    const endpoints = await resolveHost(target.host, target.port);
    if (endpoints.length === 1) return openClient(endpoints[0]!, context, serverKey);
    const members = endpoints.map(
      (e) => new LazyTransport("lupine", () => openClient(e, context, serverKey), context.clock),
    );
    return new BalancedTransport(members, "failover", context.clock);
  },
  server: openServer,
});
