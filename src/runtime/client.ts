/**
 * The typed client: one method per procedure of a program descriptor, over any
 * {@link ClientTransport}. A method takes the procedure's arguments, then optional
 * {@link CallOptions}; many calls may be in flight at once (the transport matches replies by
 * xid). Behaviour stays here, not in generated code: timeouts, credentials, interceptors.
 */
import { AUTH_NONE } from "../oncrpc/auth.js";
import type { XdrReader, XdrWriter } from "../xdr/index.js";
import type { OpaqueAuth } from "./context.js";
import { RpcError } from "./errors.js";
import {
  applyInterceptors,
  type ClientCall,
  type ClientNext,
  type Interceptor,
} from "./interceptor.js";
import type { CallOptions, ClientOf, ProcedureDescriptor, ProgramDescriptor } from "./program.js";
import type { CallRequest, ClientTransport } from "./transport.js";

/** rpcgen's stubs wait 25 s (`TIMEOUT = { 25, 0 }`); so does a call without `timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 25_000;

/** Options of {@link createRpcClient}. */
export interface RpcClientOptions {
  /** Total time per call unless the call says otherwise (ms); default 25 000. */
  readonly timeoutMs?: number;
  /** Credential to send (RFC 5531 §8.2); default AUTH_NONE. See `authSys()`. */
  readonly credential?: OpaqueAuth;
  /** Verifier to send; default AUTH_NONE. */
  readonly verifier?: OpaqueAuth;
  /** Client interceptors, outermost first. */
  readonly interceptors?: readonly Interceptor[];
  /** Whether `$close()` closes the transport (default true). */
  readonly ownsTransport?: boolean;
}

const writeNothing = (_w: XdrWriter) => {};

/** Builds the argument writer of one call (a closure over the values; nothing else per call). */
function argWriter(proc: ProcedureDescriptor, args: readonly unknown[]): (w: XdrWriter) => void {
  const codecs = proc.args;
  switch (codecs.length) {
    case 0:
      return writeNothing;
    case 1: {
      const c = codecs[0]!;
      const a = args[0];
      return (w) => c.encode(w, a);
    }
    default:
      return (w) => {
        for (let i = 0; i < codecs.length; i++) codecs[i]!.encode(w, args[i]);
      };
  }
}

function checkTimeout(timeoutMs: number): number {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RpcError("invalid_argument", `timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  return timeoutMs;
}

/**
 * Creates the typed client of `program` over `transport`.
 *
 * Contract: each method encodes its arguments with the descriptor's codecs, sends them through
 * the interceptors and the transport, and resolves with the decoded result or rejects with an
 * `RpcError`. Passing more values than the procedure has arguments makes the last one the
 * {@link CallOptions}. `$close()` fails calls in flight with `closed`.
 */
export function createRpcClient<const P extends ProgramDescriptor>(
  program: P,
  transport: ClientTransport,
  options: RpcClientOptions = {},
): ClientOf<P> {
  const defaultTimeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const credential = options.credential ?? AUTH_NONE;
  const verifier = options.verifier ?? AUTH_NONE;
  const interceptors = options.interceptors ?? [];
  const owns = options.ownsTransport ?? true;

  // The innermost step: hand the call to the transport.
  const send: ClientNext = (call) => {
    const proc = call.procedure;
    const request: CallRequest<unknown> = {
      program: call.program.program,
      version: call.program.version,
      procedure: proc.procedure,
      procedureName: proc.name,
      writeArgs: argWriter(proc, call.args),
      readResult: proc.result.decode as (r: XdrReader) => unknown,
      credential: call.credential,
      verifier: call.verifier,
      signal: call.signal,
      timeoutMs: call.timeoutMs,
    };
    return transport.call(request);
  };
  const chain = applyInterceptors(send, interceptors);

  const client: Record<string, unknown> = {
    $program: program,
    $close: () => (owns ? transport.close() : Promise.resolve()),
  };
  for (const [method, proc] of Object.entries(program.procedures)) {
    const argc = proc.args.length;
    const readResult = proc.result.decode as (r: XdrReader) => unknown;
    client[method] = (...values: unknown[]): Promise<unknown> => {
      let opts: CallOptions | undefined;
      if (values.length === argc + 1) opts = values[argc] as CallOptions | undefined;
      else if (values.length !== argc) {
        return Promise.reject(
          new RpcError(
            "invalid_argument",
            `${proc.name} takes ${argc} argument(s), got ${values.length}`,
          ),
        );
      }
      let timeoutMs = defaultTimeoutMs;
      if (opts?.timeoutMs !== undefined) {
        try {
          timeoutMs = checkTimeout(opts.timeoutMs);
        } catch (e) {
          return Promise.reject(e);
        }
      }
      const signal = opts?.signal;
      if (interceptors.length === 0) {
        // Fast path: no ClientCall object, straight to the transport.
        return transport.call({
          program: program.program,
          version: program.version,
          procedure: proc.procedure,
          procedureName: proc.name,
          writeArgs: argWriter(proc, values),
          readResult,
          credential,
          verifier,
          signal,
          timeoutMs,
        });
      }
      const call: ClientCall = {
        program,
        method,
        procedure: proc,
        args: argc === values.length ? values : values.slice(0, argc),
        timeoutMs,
        signal,
        credential,
        verifier,
      };
      return chain(call);
    };
  }
  return client as ClientOf<P>;
}
