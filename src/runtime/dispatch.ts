/**
 * The server's dispatcher (RFC 5531 §9): finds the program, version and procedure of an incoming
 * call, checks its credential's flavor, decodes its arguments, runs the handler through the
 * server interceptors, and says what to reply. Transport-independent: the ONC UDP and TCP
 * transports and the Lupine transport all call {@link ProgramTable.dispatch}.
 *
 * Replies, in the order libtirpc decides them: unknown program → PROG_UNAVAIL; unknown version
 * → PROG_MISMATCH with the lowest and highest registered versions; unknown credential flavor →
 * AUTH_ERROR / AUTH_REJECTEDCRED and a malformed AUTH_SYS body → AUTH_ERROR / AUTH_BADCRED
 * (§9, Appendix A); procedure 0 → an empty SUCCESS unless a handler was registered for it;
 * unknown procedure → PROC_UNAVAIL; undecodable arguments → GARBAGE_ARGS; a handler that throws
 * → SYSTEM_ERR (logged), or the status of the `RpcError` it threw.
 *
 * With server interceptors, arguments are decoded when first needed (an interceptor reads
 * `call.args`, or the handler runs), so an interceptor that refuses a call from its context alone
 * — an access policy (`access-policy.ts`) — runs before a byte of the arguments is decoded.
 *
 * A handler made by `streamed()` (`streamed.ts`) takes its procedure's one argument, a
 * variable-length opaque, as an `OpaqueStream`: {@link ProgramTable.streams} says so to the
 * transports, and a call may then arrive with only its first bytes in `args`, the rest following
 * as `IncomingCall.body`.
 */
import { AuthFlavor, decodeAuthSys } from "../oncrpc/auth.js";
import type { XdrCodec, XdrReader, XdrWriter } from "../xdr/index.js";
import type {
  AuthSysParams,
  CallContext,
  OpaqueAuth,
  PeerIdentity,
  RemoteAddress,
} from "./context.js";
import { AuthStat, isRpcError, RpcError } from "./errors.js";
import {
  applyInterceptors,
  type ServerCall,
  type ServerInterceptor,
  type ServerNext,
} from "./interceptor.js";
import { consoleLogger, type Logger } from "./logger.js";
import type { ProcedureDescriptor, ProgramDescriptor } from "./program.js";
import {
  gatherLengthWord,
  isBodyError,
  type OpaqueStream,
  openStream,
  StreamedHandler,
  varOpaqueBound,
} from "./streamed.js";
import type { ArgumentBody, Dispatcher, DispatchOutcome, IncomingCall } from "./transport.js";

/** Options of a {@link ProgramTable}. */
export interface DispatchOptions {
  /** Server interceptors, outermost first. */
  readonly interceptors?: readonly ServerInterceptor[];
  /** Where handler failures go; default `consoleLogger`. */
  readonly logger?: Logger;
  /** Credential flavors accepted (RFC 5531 §8.2); default AUTH_NONE and AUTH_SYS. */
  readonly flavors?: readonly number[];
}

type AnyHandler = (...args: unknown[]) => unknown;

interface ProcEntry {
  readonly method: string;
  readonly descriptor: ProcedureDescriptor;
  readonly handler: AnyHandler | undefined;
  readonly args: readonly XdrCodec<unknown>[];
  readonly result: XdrCodec<unknown>;
  /** Set for a `streamed()` handler (then `handler` is the function it wraps). */
  readonly stream: StreamEntry | undefined;
}

interface StreamEntry {
  /** The longest argument accepted: the handler's `maxBytes` and the `.x` bound, the lower. */
  readonly maxBytes: number;
}

interface VersionEntry {
  readonly program: ProgramDescriptor;
  readonly procedures: Map<number, ProcEntry>;
}

interface ProgramEntry {
  readonly versions: Map<number, VersionEntry>;
  low: number;
  high: number;
}

const PROG_UNAVAIL: DispatchOutcome = Object.freeze({ status: "prog_unavail" });
const PROC_UNAVAIL: DispatchOutcome = Object.freeze({ status: "proc_unavail" });
const GARBAGE_ARGS: DispatchOutcome = Object.freeze({ status: "garbage_args" });
const SYSTEM_ERR: DispatchOutcome = Object.freeze({ status: "system_err" });
const VOID_SUCCESS: DispatchOutcome = Object.freeze({ status: "success", writeResult: () => {} });
const BADCRED: DispatchOutcome = Object.freeze({
  status: "auth_error",
  authStat: AuthStat.AUTH_BADCRED,
});
const REJECTEDCRED: DispatchOutcome = Object.freeze({
  status: "auth_error",
  authStat: AuthStat.AUTH_REJECTEDCRED,
});

/**
 * The context handed to handlers (a class: one allocation per call, no closures). `signal` is
 * read from the transport's call only when a handler asks for it: a transport may create its
 * AbortController lazily (the Lupine server does; one per call was ~8% of a small call's CPU).
 */
class Context implements CallContext {
  readonly #call: IncomingCall;

  constructor(
    readonly program: number,
    readonly version: number,
    readonly procedure: number,
    readonly procedureName: string,
    readonly transport: string,
    readonly remote: RemoteAddress | undefined,
    readonly secure: boolean,
    readonly peer: PeerIdentity | undefined,
    readonly credential: OpaqueAuth,
    readonly authSys: AuthSysParams | undefined,
    call: IncomingCall,
  ) {
    this.#call = call;
  }

  get signal(): AbortSignal {
    return this.#call.signal;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

/**
 * The outcome of a handler that returned `result` (a value, or a promise of one): its result
 * encoded with `codec`, or `fail`'s outcome for what it threw.
 */
function outcomeOf(
  result: unknown,
  codec: XdrCodec<unknown>,
  fail: (e: unknown) => DispatchOutcome,
): DispatchOutcome | Promise<DispatchOutcome> {
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => ({ status: "success", writeResult: (w: XdrWriter) => codec.encode(w, value) }),
      fail,
    );
  }
  return { status: "success", writeResult: (w) => codec.encode(w, result) };
}

/** What a registered program version looks like from outside (for rpcbind registration). */
export interface Registration {
  readonly program: number;
  readonly version: number;
  readonly name: string;
}

/** The registered programs of a server, and the {@link Dispatcher} over them. */
export class ProgramTable implements Dispatcher {
  private readonly programs = new Map<number, ProgramEntry>();
  private readonly logger: Logger;
  private readonly flavors: ReadonlySet<number>;
  private readonly interceptors: readonly ServerInterceptor[];
  private readonly chain: ServerNext | undefined;

  constructor(options: DispatchOptions = {}) {
    this.logger = options.logger ?? consoleLogger;
    this.flavors = new Set(options.flavors ?? [AuthFlavor.AUTH_NONE, AuthFlavor.AUTH_SYS]);
    this.interceptors = options.interceptors ?? [];
    this.chain =
      this.interceptors.length === 0
        ? undefined
        : applyInterceptors<ServerNext>(async (call) => {
            const h = (call as ServerCall & { handler: AnyHandler }).handler;
            return h(...call.args, call.context);
          }, this.interceptors);
  }

  /**
   * Serves one version of one program. Registering the same program and version twice replaces
   * the first; several versions of one program may be registered.
   */
  register(program: ProgramDescriptor, handlers: object): void {
    const procedures = new Map<number, ProcEntry>();
    const table = handlers as Record<string, unknown>;
    for (const [method, descriptor] of Object.entries(program.procedures)) {
      let handler = table[method];
      let stream: StreamEntry | undefined;
      if (StreamedHandler.is(handler)) {
        const bound = descriptor.args.length === 1 ? varOpaqueBound(descriptor.args[0]!) : null;
        if (bound === null) {
          throw new TypeError(
            `${program.name} version ${program.version}: ${method} (${descriptor.name}) is streamed(), but its argument is not one variable-length opaque`,
          );
        }
        stream = { maxBytes: Math.min(bound, handler.maxBytes) };
        handler = handler.handler;
      } else if (handler !== undefined && typeof handler !== "function") {
        throw new TypeError(`handler ${method} of ${program.name} is not a function`);
      }
      if (handler === undefined && descriptor.procedure !== 0) {
        throw new TypeError(`${program.name} version ${program.version}: no handler for ${method}`);
      }
      procedures.set(descriptor.procedure, {
        method,
        descriptor,
        handler: handler as AnyHandler | undefined,
        args: descriptor.args,
        result: descriptor.result,
        stream,
      });
    }
    let entry = this.programs.get(program.program);
    if (entry === undefined) {
      entry = { versions: new Map(), low: program.version, high: program.version };
      this.programs.set(program.program, entry);
    }
    entry.versions.set(program.version, { program, procedures });
    entry.low = Math.min(...entry.versions.keys());
    entry.high = Math.max(...entry.versions.keys());
  }

  /** Every registered program version. */
  registrations(): Registration[] {
    const out: Registration[] = [];
    for (const [program, entry] of this.programs) {
      for (const [version, v] of entry.versions)
        out.push({ program, version, name: v.program.name });
    }
    return out;
  }

  /** Whether the procedure has a `streamed()` handler (see the module comment). */
  streams(program: number, version: number, procedure: number): boolean {
    const proc = this.programs.get(program)?.versions.get(version)?.procedures.get(procedure);
    return proc?.stream !== undefined;
  }

  dispatch(call: IncomingCall): DispatchOutcome | Promise<DispatchOutcome> {
    const entry = this.programs.get(call.program);
    if (entry === undefined) return PROG_UNAVAIL;
    const version = entry.versions.get(call.version);
    if (version === undefined) return { status: "prog_mismatch", low: entry.low, high: entry.high };

    const flavor = call.credential.flavor;
    let authSys: AuthSysParams | undefined;
    if (!this.flavors.has(flavor)) return REJECTEDCRED;
    if (flavor === AuthFlavor.AUTH_SYS) {
      try {
        authSys = decodeAuthSys(call.credential.body);
      } catch {
        return BADCRED;
      }
    }

    const proc = version.procedures.get(call.procedure);
    if (proc === undefined) return call.procedure === 0 ? VOID_SUCCESS : PROC_UNAVAIL;
    if (proc.handler === undefined && this.chain === undefined) return VOID_SUCCESS;

    const context = new Context(
      call.program,
      call.version,
      call.procedure,
      proc.descriptor.name,
      call.transport,
      call.remote,
      call.secure === true,
      call.peer,
      call.credential,
      authSys,
      call,
    );
    if (proc.stream !== undefined)
      return this.dispatchStreamed(call, version.program, proc, context);
    let result: unknown;
    if (this.chain === undefined) {
      const args = this.decodeArgs(proc, call.args);
      if (args === null) return GARBAGE_ARGS;
      try {
        result = proc.handler!(...args, context);
      } catch (e) {
        return this.failure(e, proc);
      }
    } else {
      try {
        const reader = call.args;
        result = this.chain(
          this.lazyCall(version.program, proc, () => this.decodeArgs(proc, reader), context),
        );
      } catch (e) {
        return this.failure(e, proc);
      }
    }
    return outcomeOf(result, proc.result, (e) => this.failure(e, proc));
  }

  /**
   * A call to a `streamed()` handler. Its argument arrives whole (`body` absent: ONC RPC, small
   * requests), or `args` holds its first bytes and `body` the rest; when `args` lacks even the
   * opaque's length word, that is read from `body` first.
   */
  private dispatchStreamed(
    call: IncomingCall,
    program: ProgramDescriptor,
    proc: ProcEntry,
    context: CallContext,
  ): DispatchOutcome | Promise<DispatchOutcome> {
    const body = call.body;
    if (body !== undefined && call.args.remaining < 4) {
      return gatherLengthWord(call.args, body).then(
        (g) =>
          g === null ? GARBAGE_ARGS : this.runStreamed(program, proc, g.args, g.body, context),
        (e) => this.streamFailure(e, proc, true),
      );
    }
    return this.runStreamed(program, proc, call.args, body, context);
  }

  private runStreamed(
    program: ProgramDescriptor,
    proc: ProcEntry,
    args: XdrReader,
    body: ArgumentBody | undefined,
    context: CallContext,
  ): DispatchOutcome | Promise<DispatchOutcome> {
    const maxBytes = proc.stream!.maxBytes;
    const codec = proc.args[0]!;
    let stream: OpaqueStream | null = null;
    const fail = (e: unknown) =>
      this.streamFailure(e, proc, stream !== null && isBodyError(stream, e));
    let result: unknown;
    if (this.chain === undefined) {
      stream = openStream(codec, maxBytes, args, body);
      if (stream === null) return GARBAGE_ARGS;
      try {
        result = proc.handler!(stream, context);
      } catch (e) {
        return fail(e);
      }
    } else {
      const open = () => {
        stream = openStream(codec, maxBytes, args, body);
        return stream === null ? null : [stream];
      };
      try {
        result = this.chain(this.lazyCall(program, proc, open, context));
      } catch (e) {
        return fail(e);
      }
    }
    return outcomeOf(result, proc.result, fail);
  }

  /**
   * A streamed call's failure: as {@link failure}, except that the transport's `canceled` thrown
   * through the argument's iteration (the caller abandoned the call, or the server closed) is not
   * logged: no one is waiting for the reply.
   */
  private streamFailure(e: unknown, proc: ProcEntry, fromBody: boolean): DispatchOutcome {
    if (fromBody && isRpcError(e) && e.code === "canceled") return SYSTEM_ERR;
    return this.failure(e, proc);
  }

  /**
   * The `ServerCall` interceptors see: `args` is decoded on first read (an own, enumerable
   * getter, so `{ ...call }` in an interceptor decodes and copies it); undecodable arguments
   * throw `garbage_args` there, which becomes GARBAGE_ARGS. For a streamed handler `args` is
   * `[stream]`.
   */
  private lazyCall(
    program: ProgramDescriptor,
    proc: ProcEntry,
    decode: () => unknown[] | null,
    context: CallContext,
  ): ServerCall {
    let args: unknown[] | undefined;
    return {
      program,
      method: proc.method,
      procedure: proc.descriptor,
      context,
      handler: proc.handler ?? (() => undefined),
      get args(): readonly unknown[] {
        if (args === undefined) {
          const decoded = decode();
          if (decoded === null) {
            throw new RpcError(
              "garbage_args",
              `${proc.descriptor.name}: cannot decode the arguments`,
              {
                remote: true,
              },
            );
          }
          args = decoded;
        }
        return args;
      },
    } as ServerCall;
  }

  private decodeArgs(proc: ProcEntry, r: XdrReader): unknown[] | null {
    const codecs = proc.args;
    const out: unknown[] = new Array(codecs.length);
    try {
      for (let i = 0; i < codecs.length; i++) out[i] = codecs[i]!.decode(r);
    } catch {
      return null;
    }
    // Trailing bytes are ignored, as libtirpc's decoders do.
    return out;
  }

  private failure(e: unknown, proc: ProcEntry): DispatchOutcome {
    if (isRpcError(e)) {
      switch (e.code) {
        case "auth_error":
          return { status: "auth_error", authStat: e.details.authStat ?? AuthStat.AUTH_FAILED };
        case "garbage_args":
          return GARBAGE_ARGS;
        case "proc_unavail":
          return PROC_UNAVAIL;
        case "prog_unavail":
          return PROG_UNAVAIL;
        case "busy":
          return { status: "busy", retryAfterMs: e.details.retryAfterMs ?? 10 };
        case "system_err":
          if (e.remote) return SYSTEM_ERR;
          break;
        default:
          break;
      }
    }
    this.logger.error(`handler ${proc.descriptor.name} failed; replying SYSTEM_ERR`, e);
    return SYSTEM_ERR;
  }
}
