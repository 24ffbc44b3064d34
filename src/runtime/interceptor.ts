/**
 * Interceptors: small functions wrapped around every call, on the client and on the server, for
 * logging, metrics, tracing and authentication (the connect-es shape: an interceptor takes the
 * next function and returns a new one, so they compose by plain function application).
 *
 * ```ts
 * const logging: Interceptor = (next) => async (req) => {
 *   const t = performance.now();
 *   try { return await next(req); } finally { console.log(req.procedure.name, performance.now() - t); }
 * };
 * ```
 */
import type { CallContext, OpaqueAuth } from "./context.js";
import type { ProcedureDescriptor, ProgramDescriptor } from "./program.js";

/** One outgoing call as client interceptors see it; they may replace fields before `next`. */
export interface ClientCall {
  readonly program: ProgramDescriptor;
  /** The method name on the client (`pingEcho`). */
  readonly method: string;
  readonly procedure: ProcedureDescriptor;
  /** Argument values, in order. */
  readonly args: readonly unknown[];
  /** Total time allowed for the call (ms). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Credential and verifier to send (RFC 5531 §8.2). */
  readonly credential: OpaqueAuth;
  readonly verifier: OpaqueAuth;
}

/** Sends a call and resolves with its decoded result (or rejects with an `RpcError`). */
export type ClientNext = (call: ClientCall) => Promise<unknown>;

/** A client interceptor: wraps `next`. */
export type Interceptor = (next: ClientNext) => ClientNext;

/** One incoming call as server interceptors see it, after its arguments were decoded. */
export interface ServerCall {
  readonly program: ProgramDescriptor;
  readonly method: string;
  readonly procedure: ProcedureDescriptor;
  /** Decoded argument values, in order. */
  readonly args: readonly unknown[];
  readonly context: CallContext;
}

/**
 * Runs the handler and resolves with its result. Throw an `RpcError` to pick the reply:
 * `auth_error` (with `details.authStat`) → MSG_DENIED / AUTH_ERROR; `garbage_args`,
 * `proc_unavail`, `system_err` → that `accept_stat`; anything else → SYSTEM_ERR.
 */
export type ServerNext = (call: ServerCall) => Promise<unknown>;

/** A server interceptor: wraps `next`. */
export type ServerInterceptor = (next: ServerNext) => ServerNext;

/** Applies interceptors so that the first in the list is the outermost. */
export function applyInterceptors<N>(last: N, interceptors: readonly ((next: N) => N)[]): N {
  let next = last;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
  return next;
}
