/**
 * RPC-with-TLS targets (RFC 9289): `tcp+tls://host:port` clients and servers, and
 * `rpcbind://host/tcp+tls` (find the TCP port through the binder, then TLS on it). The TLS
 * material comes from the `tls` option of `createClient`/`createServer` (certificates cannot
 * live in a URL).
 *
 * ```ts
 * createServer({ tls: { cert, key } }).listen("tcp+tls://0.0.0.0:2049");
 * createClient(P, "tcp+tls://nfs.example:2049", { tls: { ca } }); // or { pins: ["sha256/…"] }
 * ```
 */
import type { Endpoint } from "../io/index.js";
import { nodeErrorCode, rpcCodeForNodeError } from "../io/node/node-error.js";
import { connectTcp, listenTcp } from "../io/node/tcp.js";
import { type Pem, prepareTlsServer, upgradeClientTls } from "../io/node/tls.js";
import { RpcError } from "../runtime/errors.js";
import { OncTcpClient } from "../transport/onc-tcp-client.js";
import { OncTcpServer } from "../transport/onc-tcp-server.js";
import { startTlsClient } from "../transport/onc-tls-client.js";
import type { ClientSchemeContext, ServerSchemeContext } from "./schemes.js";
import { hostPort, type ParsedTarget } from "./targets.js";

/** RPC-with-TLS settings of clients (`tcp+tls://`, `rpcbind://host/tcp+tls`). */
export interface TlsClientOptions {
  /** CA certificates (PEM) that may sign the server's certificate; default Node's root store. */
  readonly ca?: Pem | readonly Pem[];
  /**
   * SHA-256 pins of the server's public key, `sha256/<base64>` (`certificatePin(pem)`, or the
   * openssl line in docs/security.md). With pins and no `ca`, the pin alone authenticates the
   * server, so a self-signed certificate works; with both, both must hold.
   */
  readonly pins?: readonly string[];
  /** The name the server's certificate must carry; default the target's host. */
  readonly servername?: string;
  /** A client certificate and key (PEM), for servers that authenticate clients. */
  readonly cert?: Pem;
  readonly key?: Pem;
  /** Time for the probe, the handshake and the first NULL call (ms); default 10 000. */
  readonly handshakeTimeoutMs?: number;
}

/** RPC-with-TLS settings of servers (`tcp+tls://` listeners). */
export interface TlsServerOptions {
  /** The server's certificate (chain) and private key, PEM. */
  readonly cert: Pem;
  readonly key: Pem;
  /** CA certificates that may sign client certificates. */
  readonly ca?: Pem | readonly Pem[];
  /** Client keys admitted (`sha256/<base64>` pins): an allow-list. */
  readonly clientPins?: readonly string[];
  /**
   * Whether clients must present a certificate: default `required` when `ca` or `clientPins` is
   * given, else `none`. `optional`: anonymous clients too (their calls have no `peer`).
   */
  readonly clientCertificates?: "none" | "optional" | "required";
  /**
   * Serve calls in clear on the same port too (opportunistic, as RFC 9289 allows); default
   * false: a call that did not start TLS gets AUTH_ERROR / AUTH_TOOWEAK.
   */
  readonly allowPlain?: boolean;
  /** Time for a client's handshake (ms); default 10 000. */
  readonly handshakeTimeoutMs?: number;
}

/** An ONC RPC TCP client that starts TLS on every connection before its first call. */
export function openTlsClient(
  to: Endpoint,
  servername: string,
  context: Pick<ClientSchemeContext, "options" | "clock" | "random" | "program">,
): OncTcpClient {
  const tcp = context.options.tcp ?? {};
  const tls = context.options.tls ?? {};
  const name = `tcp+tls://${hostPort(to.address, to.port)}`;
  const timeoutMs = tls.handshakeTimeoutMs ?? 10_000;
  const connect = async () => {
    let stream: Awaited<ReturnType<typeof connectTcp>>;
    try {
      stream = await connectTcp(to);
    } catch (e) {
      throw new RpcError(
        rpcCodeForNodeError(e),
        `cannot connect to ${name}: ${nodeErrorCode(e) ?? (e as Error).message}`,
        { cause: e, remote: false },
      );
    }
    return startTlsClient(stream, {
      name,
      program: context.program.program,
      version: context.program.version,
      clock: context.clock,
      random: context.random,
      timeoutMs,
      errorCode: (e) => rpcCodeForNodeError(e),
      upgrade: (s) =>
        upgradeClientTls(s, {
          servername: tls.servername ?? servername,
          timeoutMs,
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.pins === undefined ? {} : { pins: tls.pins }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key }),
        }),
    });
  };
  return new OncTcpClient({
    name,
    clock: context.clock,
    random: context.random,
    ...(tcp.maxRecordSize === undefined ? {} : { maxRecordSize: tcp.maxRecordSize }),
    ...(tcp.maxFragmentSize === undefined ? {} : { maxFragmentSize: tcp.maxFragmentSize }),
    connect,
  });
}

/** A `tcp+tls://` listener: ONC RPC over TCP offering (by default requiring) RPC-with-TLS. */
export function openTlsServer(target: ParsedTarget, context: ServerSchemeContext): OncTcpServer {
  const tcp = context.options.tcp ?? {};
  const tls = context.options.tls;
  if (tls === undefined) {
    throw new TypeError(`${target.text}: a tcp+tls listener needs the tls option (cert and key)`);
  }
  const prepared = prepareTlsServer({
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.clientPins === undefined ? {} : { clientPins: tls.clientPins }),
    clientCertificates:
      tls.clientCertificates ??
      (tls.ca !== undefined || tls.clientPins !== undefined ? "required" : "none"),
    timeoutMs: tls.handshakeTimeoutMs ?? 10_000,
  });
  return new OncTcpServer({
    clock: context.clock,
    logger: context.logger,
    startTls: {
      upgrade: (s, reply) => prepared.upgrade(s, reply),
      allowPlain: tls.allowPlain === true,
    },
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
}
