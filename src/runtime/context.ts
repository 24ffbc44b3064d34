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
  /** The caller's credential as sent. */
  readonly credential: OpaqueAuth;
  /** The parsed AUTH_SYS credential, when the flavor is AUTH_SYS (1). */
  readonly authSys: AuthSysParams | undefined;
  /**
   * Aborted when the result is no longer wanted: the server is closing past its grace period or
   * the transport knows the caller gave up. Long handlers should watch it.
   */
  readonly signal: AbortSignal;
}
