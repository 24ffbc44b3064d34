/**
 * The seam between the runtime (typed clients, dispatch) and the channels that carry calls:
 * ONC RPC over UDP, ONC RPC over TCP, Lupine's reliable transport, and test transports.
 *
 * Request/response, not a byte stream (connect-es's two-method `Transport`): that is what lets the
 * reliable transport use the reply as the acknowledgement of the request. A transport frames the
 * call in its own header, writes the arguments with `writeArgs` straight into its send buffer,
 * and reads the result with `readResult` straight from the received bytes; it turns every failure
 * into an `RpcError` (see `errors.ts`).
 */
import type { XdrReader, XdrWriter } from "../xdr/index.js";
import type { OpaqueAuth, PeerIdentity, RemoteAddress } from "./context.js";

/** One outgoing call, as the runtime hands it to a client transport. */
export interface CallRequest<R> {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  /** For error messages and logs. */
  readonly procedureName: string;
  /** Writes the encoded arguments (the transport has already written its header). */
  readonly writeArgs: (w: XdrWriter) => void;
  /** Reads the result from the reply body; the transport checks that it consumed every byte. */
  readonly readResult: (r: XdrReader) => R;
  /** Credential and verifier to send (RFC 5531 §8.2); AUTH_NONE when absent. */
  readonly credential?: OpaqueAuth;
  readonly verifier?: OpaqueAuth;
  /** Aborts the call with `canceled`. */
  readonly signal?: AbortSignal | undefined;
  /** Total time allowed, retransmissions included; the transport fails with `timeout` after it. */
  readonly timeoutMs: number;
}

/** A client-side channel to one server (or a set of them). */
export interface ClientTransport {
  /** `udp`, `tcp`, `lupine`, ... */
  readonly kind: string;
  /**
   * Sends one call and settles exactly once: with the decoded result, or with an `RpcError`.
   * Many calls may be in flight at once. After {@link close} it rejects with `closed`.
   */
  call<R>(request: CallRequest<R>): Promise<R>;
  /** Fails pending calls with `closed` and releases sockets and timers. Idempotent. */
  close(): Promise<void>;
}

/** One incoming call, as a server transport hands it to the dispatcher. */
export interface IncomingCall {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly credential: OpaqueAuth;
  readonly verifier: OpaqueAuth;
  /**
   * Positioned at the arguments and ending where they end. Its bytes must stay untouched until
   * the dispatch outcome settles: arguments may be decoded lazily (after access checks).
   */
  readonly args: XdrReader;
  readonly remote: RemoteAddress | undefined;
  /** The transport's kind (`udp`, `tcp`, `lupine`). */
  readonly transport: string;
  /** Encrypted and integrity-protected (RPC-with-TLS, secure Lupine); default false. */
  readonly secure?: boolean;
  /** The caller's authenticated identity, when the transport proved one. */
  readonly peer?: PeerIdentity | undefined;
  /** Aborted when the transport knows the result is no longer wanted. */
  readonly signal: AbortSignal;
  /**
   * Set when the call was dispatched while its arguments were still arriving (a big Lupine
   * request to a procedure the dispatcher {@link Dispatcher.streams}): `args` then holds only
   * the first bytes of the arguments, and `body` yields the rest.
   */
  readonly body?: ArgumentBody | undefined;
}

/**
 * The argument bytes of a streamed call after those in `IncomingCall.args`, in order, in chunks
 * that the reader owns (each yielded once). Iterating is single-use; the next chunk waits until
 * it has arrived. Iteration throws an `RpcError` (`canceled`) if the caller abandons the call
 * or the server closes first. Chunks not read are discarded by the transport: the reply leaves
 * only after the whole request has arrived, whenever the dispatch outcome settles.
 */
export interface ArgumentBody extends AsyncIterable<Uint8Array> {
  /** Bytes of the arguments in all: those `args` held when dispatched, then the body's. */
  readonly totalBytes: number;
}

/**
 * What became of a dispatched call: the transport encodes it as its reply (RFC 5531 §9
 * `accepted_reply`/`rejected_reply` for ONC RPC).
 */
export type DispatchOutcome =
  | { readonly status: "success"; readonly writeResult: (w: XdrWriter) => void }
  | { readonly status: "prog_unavail" }
  | { readonly status: "prog_mismatch"; readonly low: number; readonly high: number }
  | { readonly status: "proc_unavail" }
  | { readonly status: "garbage_args" }
  | { readonly status: "system_err" }
  | { readonly status: "auth_error"; readonly authStat: number }
  /** The server is at a limit; the transport may tell the caller to retry after a while. */
  | { readonly status: "busy"; readonly retryAfterMs: number };

/** The runtime side of a server: decodes arguments, runs the handler, encodes the result. */
export interface Dispatcher {
  dispatch(call: IncomingCall): DispatchOutcome | Promise<DispatchOutcome>;
  /**
   * Whether calls to this procedure are dispatched as soon as their first bytes arrive, the rest
   * of the arguments following as `IncomingCall.body` (optional: transports that cannot stream,
   * or a dispatcher without it, dispatch whole requests only).
   */
  streams?(program: number, version: number, procedure: number): boolean;
}

/** A server-side channel: receives calls, dispatches them, sends replies. */
export interface ServerTransport {
  readonly kind: string;
  /** Starts receiving; resolves with the bound address once ready. */
  listen(dispatcher: Dispatcher): Promise<RemoteAddress>;
  /**
   * Stops receiving new calls, lets calls in flight finish for up to `graceMs`, then aborts
   * them and releases everything. Idempotent.
   */
  close(graceMs: number): Promise<void>;
}
