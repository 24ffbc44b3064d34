/**
 * TLS 1.3 over an open TCP connection (`node:tls`), for RPC-with-TLS (RFC 9289): the protocol
 * layer has agreed on STARTTLS in clear, then hands the connection here and gets back a
 * {@link ByteStream} that encrypts. ALPN `sunrpc` (RFC 9289 §7.2) is offered and accepted.
 *
 * Peer authentication (RFC 9289 §5.2): certificates checked against CAs and the peer's name
 * (RFC 6125, Node's `checkServerIdentity`), and/or pins — SHA-256 of the certificate's
 * SubjectPublicKeyInfo, written `sha256/<base64>` — so self-signed certificates can be used the
 * way SSH host keys are (Node's TLS has no raw public keys, RFC 7250). A server may ask clients
 * for certificates; a verified one becomes the caller's {@link PeerIdentity}.
 *
 * Failures reject with Node's error, or a {@link TlsPeerError} (code `ERR_TLS_PEER_REFUSED`) for
 * a pin that does not match or a missing client certificate; `node-error.ts` maps both to
 * `unauthenticated`.
 */
import { createHash, X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import type { PeerIdentity } from "../../runtime/context.js";
import type { ByteStream } from "../stream.js";
import { detachSocket, streamOverSocket } from "./tcp.js";

/** PEM text or bytes. */
export type Pem = string | Uint8Array;

/** Client settings. */
export interface TlsClientSettings {
  /** CAs that may sign the server's certificate; default Node's root store. */
  readonly ca?: Pem | readonly Pem[];
  /**
   * Pins of the server's key (`sha256/<base64>`). With pins and no `ca`, the pin alone
   * authenticates the server (chain and name are not checked); with both, both must hold.
   */
  readonly pins?: readonly string[];
  /** The name (or IP address) the server's certificate must carry; names are also sent as SNI. */
  readonly servername: string;
  /** A client certificate and its key, for servers that authenticate clients. */
  readonly cert?: Pem;
  readonly key?: Pem;
  /** Handshake time limit (ms). */
  readonly timeoutMs: number;
}

/** Server settings. */
export interface TlsServerSettings {
  readonly cert: Pem;
  readonly key: Pem;
  /** CAs that may sign client certificates. */
  readonly ca?: Pem | readonly Pem[];
  /** Pins of the client keys admitted (an allow-list); a client must match one. */
  readonly clientPins?: readonly string[];
  /** `required`: no certificate, no connection; `optional`: anonymous clients too; `none`. */
  readonly clientCertificates: "none" | "optional" | "required";
  /** Handshake time limit (ms). */
  readonly timeoutMs: number;
}

/** A pin that does not match, or a client certificate that is missing or not admitted. */
export class TlsPeerError extends Error {
  override readonly name = "TlsPeerError";
  readonly code = "ERR_TLS_PEER_REFUSED";
}

const ALPN = ["sunrpc"];

const toBuffer = (p: Pem) => (typeof p === "string" ? p : Buffer.from(p));
const pemList = (p: Pem | readonly Pem[] | undefined) =>
  p === undefined ? undefined : Array.isArray(p) ? p.map(toBuffer) : [toBuffer(p as Pem)];

/** `sha256/<base64>` of a certificate's SubjectPublicKeyInfo (DER). */
export function spkiPin(cert: X509Certificate): string {
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  return `sha256/${createHash("sha256").update(spki).digest("base64")}`;
}

/** Normalises `sha256/X`, `sha256//X` (curl's form) and bare `X` to `sha256/X`. */
export function normalizePin(pin: string): string {
  let b64 = pin.trim().replace(/^sha256\//i, "");
  // curl's `sha256//X`; a digest may itself start with `/`, so only a 45th character is a prefix.
  if (b64.length === 45 && b64.startsWith("/")) b64 = b64.slice(1);
  if (!/^[A-Za-z0-9+/]{43}=$/.test(b64)) {
    throw new TypeError(`bad pin '${pin}': expected sha256/ and 44 base64 characters`);
  }
  return `sha256/${b64}`;
}

/** The pin of a PEM certificate (what to give the other side's `pins`/`clientPins`). */
export function certificatePin(pem: Pem): string {
  return spkiPin(new X509Certificate(toBuffer(pem)));
}

function identityOf(cert: X509Certificate): PeerIdentity {
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  return {
    scheme: "tls",
    id: spkiPin(cert),
    publicKey: new Uint8Array(spki),
    subject: cert.subject.replaceAll("\n", ","),
  };
}

/** Errors after a promise settled are reported through it; this keeps them from crashing. */
const ignore = () => {};

/** Runs `start` with a deadline; on timeout destroys `socket` and rejects. */
function withDeadline<T>(
  socket: net.Socket,
  timeoutMs: number,
  what: string,
  start: (resolve: (v: T) => void, reject: (e: Error) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = Object.assign(new Error(`${what}: no TLS handshake within ${timeoutMs} ms`), {
        code: "ETIMEDOUT",
      });
      socket.destroy(e);
      reject(e);
    }, timeoutMs);
    timer.unref();
    start(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Client side: runs the TLS 1.3 handshake on `stream`'s connection and checks the server
 * (see the module comment). Nothing is sent on the result before it resolves.
 */
export function upgradeClientTls(stream: ByteStream, s: TlsClientSettings): Promise<ByteStream> {
  const endpoints = { remote: stream.remote, local: stream.local };
  const raw = detachSocket(stream);
  raw.on("error", ignore);
  const pins = s.pins?.map(normalizePin);
  const pinOnly = pins !== undefined && s.ca === undefined;
  const ca = pemList(s.ca);
  return withDeadline(raw, s.timeoutMs, s.servername, (resolve, reject) => {
    const socket = tls.connect({
      socket: raw,
      // SNI carries names only (RFC 6066 §3); an address is checked against the IP SANs.
      ...(net.isIP(s.servername) === 0 ? { servername: s.servername } : { host: s.servername }),
      minVersion: "TLSv1.3",
      ALPNProtocols: ALPN,
      rejectUnauthorized: !pinOnly,
      ...(ca === undefined ? {} : { ca }),
      ...(s.cert === undefined ? {} : { cert: toBuffer(s.cert) }),
      ...(s.key === undefined ? {} : { key: toBuffer(s.key) }),
    });
    socket.on("error", ignore);
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      socket.off("error", reject);
      if (pins !== undefined) {
        const cert = socket.getPeerX509Certificate();
        const pin = cert === undefined ? "(no certificate)" : spkiPin(cert);
        if (!pins.includes(pin)) {
          const e = new TlsPeerError(
            `the server's key ${pin} is not pinned (pinned: ${pins.join(", ")})`,
          );
          socket.destroy();
          reject(e);
          return;
        }
      }
      resolve(streamOverSocket(socket, endpoints));
    });
  });
}

/** A server's TLS settings, prepared once per listener. */
export interface PreparedTlsServer {
  /**
   * Writes `first` (the STARTTLS reply) in clear on `stream`'s connection, then runs the TLS
   * handshake as server; resolves with the encrypted stream and the client's identity (when it
   * presented a certificate that verified).
   */
  upgrade(
    stream: ByteStream,
    first: Uint8Array,
  ): Promise<{ stream: ByteStream; peer: PeerIdentity | undefined }>;
}

/**
 * Builds the secure context once; throws on a bad certificate, key or pin, or on client
 * certificates asked for with neither a CA nor pins to check them (at `listen`, not later).
 */
export function prepareTlsServer(s: TlsServerSettings): PreparedTlsServer {
  if (s.clientCertificates !== "none" && s.ca === undefined && s.clientPins === undefined) {
    throw new TypeError("client certificates need a CA (tls.ca) or pins (tls.clientPins)");
  }
  const ca = pemList(s.ca);
  const options: tls.TlsOptions = {
    cert: toBuffer(s.cert),
    key: toBuffer(s.key),
    minVersion: "TLSv1.3",
    ALPNProtocols: ALPN,
    ...(ca === undefined ? {} : { ca }),
  };
  tls.createSecureContext(options); // throws now on a bad certificate or key
  const clientPins = s.clientPins?.map(normalizePin);
  const ask = s.clientCertificates !== "none";
  return {
    upgrade(stream, first) {
      const endpoints = { remote: stream.remote, local: stream.local };
      const raw = detachSocket(stream);
      raw.on("error", ignore);
      const what = `${endpoints.remote.address}:${endpoints.remote.port}`;
      return withDeadline(raw, s.timeoutMs, what, (resolve, reject) => {
        raw.write(first, (error) => {
          if (error) {
            reject(error);
            return;
          }
          // A tls.Server that never listens: handed the connection, it runs the handshake and
          // verifies the client's chain (`authorized`), which a bare TLSSocket would not. One per
          // connection, so its events are this connection's.
          const server = tls.createServer({
            ...options,
            requestCert: ask,
            // Chains and pins are judged below, so that pinned self-signed certificates work.
            rejectUnauthorized: false,
          });
          server.once("tlsClientError", reject);
          server.once("secureConnection", (socket: tls.TLSSocket) => {
            socket.on("error", ignore);
            const judged = judgeClient(socket, s, clientPins);
            if (typeof judged === "string") {
              socket.destroy();
              reject(new TlsPeerError(`${what}: ${judged}`));
              return;
            }
            resolve({ stream: streamOverSocket(socket, endpoints), peer: judged.peer });
          });
          server.emit("connection", raw);
        });
      });
    },
  };
}

/** The client's identity, or why it is refused. */
function judgeClient(
  socket: tls.TLSSocket,
  s: TlsServerSettings,
  clientPins: readonly string[] | undefined,
): { peer: PeerIdentity | undefined } | string {
  if (s.clientCertificates === "none") return { peer: undefined };
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) {
    return s.clientCertificates === "required" ? "no client certificate" : { peer: undefined };
  }
  // A CA given: the chain must verify; pins given: the key must be pinned. Both: both.
  if (s.ca !== undefined && !socket.authorized) {
    return `client certificate not verified (${String(socket.authorizationError)})`;
  }
  const pin = spkiPin(cert);
  if (clientPins !== undefined && !clientPins.includes(pin)) {
    return `client key ${pin} is not on the allow-list`;
  }
  return { peer: identityOf(cert) };
}
