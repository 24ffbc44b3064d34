/**
 * What a handler learns about the call it serves (RFC 5531 §8–§9: the call header and its
 * credentials), whatever transport carried it.
 */

import type { AuthSysParams, OpaqueAuth } from "../oncrpc/auth.js";

export type { AuthSysParams, OpaqueAuth } from "../oncrpc/auth.js";

/** Where a call came from. */
export interface RemoteAddress {
  readonly address: string;
  readonly port: number;
  readonly family: "IPv4" | "IPv6";
}

/**
 * Who the caller proved to be, when the transport authenticated it cryptographically: a client
 * certificate verified by RPC-with-TLS (RFC 9289), or a static key that completed the secure
 * Lupine transport's Noise handshake (`docs/security.md`). AUTH_SYS never yields one: it is a
 * claim, not a proof.
 */
export interface PeerIdentity {
  /** `tls`: a verified TLS client certificate; `noise`: a secure Lupine transport key. */
  readonly scheme: "tls" | "noise";
  /**
   * A stable name to compare and log: for `noise` the base64 public key (as `lupine keygen`
   * prints it), for `tls` `sha256/` + the base64 SHA-256 of the certificate's
   * SubjectPublicKeyInfo (the form TLS client pins use).
   */
  readonly id: string;
  /** `noise`: the raw 32-byte X25519 key; `tls`: the DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  /** `tls` only: the certificate's subject (`CN=client-1,O=Example`), when it has one. */
  readonly subject?: string;
}

/** The context a handler receives as its last argument. */
export interface CallContext {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  /** The procedure's name in the `.x` file. */
  readonly procedureName: string;
  /** The transport the call arrived on: `udp`, `tcp`, `lupine`, or a test transport's name. */
  readonly transport: string;
  /** The caller's address, when the transport has one. */
  readonly remote: RemoteAddress | undefined;
  /**
   * True when the call arrived encrypted and integrity-protected: over RPC-with-TLS or the secure
   * Lupine transport. Plain UDP and TCP: false.
   */
  readonly secure: boolean;
  /** The caller's authenticated identity, when the transport proved one (see {@link PeerIdentity}). */
  readonly peer: PeerIdentity | undefined;
  /** The caller's credential as sent. */
  readonly credential: OpaqueAuth;
  /**
   * The parsed AUTH_SYS credential, when the flavor is AUTH_SYS (1). Identification, not
   * authentication: any client can put any uid, gid and machine name here. Trust it only as far
   * as you trust the network path and the client machine (see docs/security.md §6), or combine
   * it with `secure`/`peer` and an access policy (`accessPolicy`).
   */
  readonly authSys: AuthSysParams | undefined;
  /**
   * Aborted when the result is no longer wanted: the server is closing past its grace period or
   * the transport knows the caller gave up. Long handlers should watch it.
   */
  readonly signal: AbortSignal;
}
