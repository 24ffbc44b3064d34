/**
 * `RpcError`: the one error a call can fail with, whatever the transport.
 *
 * Codes form a closed set. The peer's codes mirror RFC 5531 §9 reply statuses (`accept_stat`,
 * `reject_stat`); the local codes say what we decided. `remote` tells the two apart.
 */

/** Codes the peer sends (RFC 5531 §9). */
export const RemoteCode = {
  /** PROG_UNAVAIL: the program is not served there. */
  ProgUnavail: "prog_unavail",
  /** PROG_MISMATCH: the program is, but not this version; `details` has `low`/`high`. */
  ProgMismatch: "prog_mismatch",
  /** PROC_UNAVAIL: no such procedure in that version. */
  ProcUnavail: "proc_unavail",
  /** GARBAGE_ARGS: the server could not decode the arguments. */
  GarbageArgs: "garbage_args",
  /** SYSTEM_ERR: the server failed (a handler threw, memory, ...). */
  SystemErr: "system_err",
  /** RPC_MISMATCH: the server does not speak RPC version 2; `details` has `low`/`high`. */
  RpcMismatch: "rpc_mismatch",
  /** AUTH_ERROR: the credentials were refused; `details.authStat` says why. */
  AuthError: "auth_error",
  /** The server is overloaded and asked us to back off (Lupine transport). */
  Busy: "busy",
} as const;

/** Codes we decide locally. */
export const LocalCode = {
  /** The deadline passed; the message says how long and how many transmissions. */
  Timeout: "timeout",
  /** The caller's AbortSignal fired. */
  Canceled: "canceled",
  /** No route, connection refused, name not found. */
  Unreachable: "unreachable",
  /** The client or server was closed with the call pending. */
  Closed: "closed",
  /** The reply could not be decoded or broke the protocol. */
  Malformed: "malformed",
  /**
   * The call may or may not have run: the server restarted (a new epoch) or the connection broke
   * after the request was sent. Never retried silently (at-most-once).
   */
  OutcomeUnknown: "outcome_unknown",
  /** A local argument or result could not be encoded. */
  InvalidArgument: "invalid_argument",
  /**
   * The security the client requires could not be established, so nothing of the call was
   * sent: the server does not support RPC-with-TLS, its certificate or key did not verify
   * (wrong CA, name or pin), or it refused this client's certificate or key. Never retried or
   * failed over silently: it means misconfiguration or an attack.
   */
  Unauthenticated: "unauthenticated",
} as const;

export type RpcErrorCode =
  | (typeof RemoteCode)[keyof typeof RemoteCode]
  | (typeof LocalCode)[keyof typeof LocalCode];

/** RFC 5531 §9 `auth_stat` values. */
export const AuthStat = {
  AUTH_OK: 0,
  AUTH_BADCRED: 1,
  AUTH_REJECTEDCRED: 2,
  AUTH_BADVERF: 3,
  AUTH_REJECTEDVERF: 4,
  AUTH_TOOWEAK: 5,
  AUTH_INVALIDRESP: 6,
  AUTH_FAILED: 7,
  AUTH_KERB_GENERIC: 8,
  AUTH_TIMEEXPIRE: 9,
  AUTH_TKT_FILE: 10,
  AUTH_DECODE: 11,
  AUTH_NET_ADDR: 12,
  RPCSEC_GSS_CREDPROBLEM: 13,
  RPCSEC_GSS_CTXPROBLEM: 14,
} as const;

/** Extra facts some codes carry. */
export interface RpcErrorDetails {
  /** PROG_MISMATCH / RPC_MISMATCH: lowest and highest version supported. */
  readonly low?: number;
  readonly high?: number;
  /** AUTH_ERROR: the `auth_stat`. */
  readonly authStat?: number;
  /** Timeout: how long the call waited, in ms. */
  readonly elapsedMs?: number;
  /** Timeout: how many times the request was sent. */
  readonly transmissions?: number;
  /** Busy: how long the server asked us to wait, in ms. */
  readonly retryAfterMs?: number;
  /** Where the time went, for transports that know (waiting for ack, executing, receiving). */
  readonly phase?: string;
}

const REMOTE_CODES: ReadonlySet<string> = new Set(Object.values(RemoteCode));
const ALL_CODES: ReadonlySet<string> = new Set([
  ...Object.values(RemoteCode),
  ...Object.values(LocalCode),
]);

/** The error every failed call rejects with. The message starts with `[code]`. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  readonly code: RpcErrorCode;
  /** True when the peer said it; false when we decided it. */
  readonly remote: boolean;
  readonly details: RpcErrorDetails;

  constructor(
    code: RpcErrorCode,
    message: string,
    options: { details?: RpcErrorDetails; cause?: unknown; remote?: boolean } = {},
  ) {
    super(`[${code}] ${message}`, options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.remote = options.remote ?? REMOTE_CODES.has(code);
    this.details = options.details ?? {};
  }

  /**
   * Normalises anything thrown into an `RpcError`: an `RpcError` (from any copy of this package)
   * is returned as is, an `AbortError` becomes `canceled`, anything else `fallback`.
   */
  static from(e: unknown, fallback: RpcErrorCode = "system_err"): RpcError {
    if (e instanceof RpcError) return e;
    if (isRpcError(e)) return e as RpcError;
    if (e instanceof Error && e.name === "AbortError") {
      return new RpcError("canceled", e.message, { cause: e, remote: false });
    }
    const message = e instanceof Error ? e.message : String(e);
    return new RpcError(fallback, message, { cause: e, remote: false });
  }
}

/** True for an `RpcError` from any copy of this package (checks name and shape). */
export function isRpcError(e: unknown): e is RpcError {
  return (
    e instanceof RpcError ||
    (e instanceof Error &&
      e.name === "RpcError" &&
      typeof (e as unknown as { code?: unknown }).code === "string" &&
      ALL_CODES.has((e as unknown as { code: string }).code) &&
      typeof (e as { remote?: unknown }).remote === "boolean")
  );
}
