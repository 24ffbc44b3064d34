/**
 * Program descriptors: the data a generated `.x` module (or a hand-written TypeScript module)
 * gives the runtime about one version of one ONC RPC program (RFC 5531 §12: program, version,
 * procedures), and the client and handler types derived from it.
 *
 * A descriptor is plain data plus codecs; all behaviour stays in the runtime.
 */
import type { Infer, XdrCodec } from "../xdr/index.js";
import type { CallContext } from "./context.js";
import type { StreamedHandler } from "./streamed.js";

/** One remote procedure: its number, its argument codecs in order, its result codec. */
export interface ProcedureDescriptor {
  /** Procedure number (RFC 5531 `proc`). Procedure 0 is answered by the runtime. */
  readonly procedure: number;
  /** The name in the `.x` file (`PING_ECHO`): for errors, logs and `lupine call`. */
  readonly name: string;
  /** Argument codecs in order: `[]` for `void`, several for rpcgen `-N` multi-argument calls. */
  readonly args: readonly XdrCodec<unknown>[];
  /** Result codec (`void` → `xdr.void`). */
  readonly result: XdrCodec<unknown>;
}

/** One version of one program, with its procedures keyed by their method names. */
export interface ProgramDescriptor {
  /** The program's name in the `.x` file (`PING_PROG`). */
  readonly name: string;
  /** Program number (RFC 5531 `prog`). */
  readonly program: number;
  /** Version number (RFC 5531 `vers`). */
  readonly version: number;
  /** Procedures by method name (`pingEcho`). */
  readonly procedures: { readonly [method: string]: ProcedureDescriptor };
}

/**
 * Checks a descriptor's numbers and names and returns it with its literal type kept, so that
 * {@link ClientOf} and {@link HandlersOf} can derive typed methods from it.
 */
export function defineProgram<const P extends ProgramDescriptor>(program: P): P {
  const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
  if (!isU32(program.program)) throw new RangeError(`bad program number ${program.program}`);
  if (!isU32(program.version)) throw new RangeError(`bad version number ${program.version}`);
  const seen = new Map<number, string>();
  for (const [method, proc] of Object.entries(program.procedures)) {
    if (method.startsWith("$"))
      throw new RangeError(`method names may not start with $: ${method}`);
    if (!isU32(proc.procedure)) throw new RangeError(`bad procedure number for ${method}`);
    const other = seen.get(proc.procedure);
    if (other !== undefined) {
      throw new RangeError(`${method} and ${other} share procedure number ${proc.procedure}`);
    }
    seen.set(proc.procedure, method);
  }
  return program;
}

/** Per-call options a client method takes as its last, optional argument. */
export interface CallOptions {
  /** Aborts the call: it rejects with `RpcError` code `canceled`. */
  readonly signal?: AbortSignal;
  /** Total time for the call, retransmissions included; rejects with code `timeout` after it. */
  readonly timeoutMs?: number;
}

/** The argument values of a procedure, in order. */
export type ArgsOf<D extends ProcedureDescriptor> = InferAll<D["args"]>;

/** The values a tuple of codecs describes (a type parameter, so tuples map to tuples). */
type InferAll<T extends readonly unknown[]> = { -readonly [K in keyof T]: Infer<T[K]> };

/** The result value of a procedure. */
export type ResultOf<D extends ProcedureDescriptor> = Infer<D["result"]>;

/** A client method: the procedure's arguments, then optional {@link CallOptions}. */
export type ClientMethod<D extends ProcedureDescriptor> = ((
  ...args: ArgsOf<D> extends unknown[] ? ArgsOf<D> : never
) => Promise<ResultOf<D>>) &
  ((
    ...args: ArgsOf<D> extends unknown[] ? [...ArgsOf<D>, CallOptions] : never
  ) => Promise<ResultOf<D>>);

/** The typed procedure methods of a client for program version `P`. */
export type ProcedureMethods<P extends ProgramDescriptor> = {
  readonly [M in keyof P["procedures"]]: ClientMethod<P["procedures"][M]>;
};

/** A server's implementation of one procedure: sync or async. */
export type HandlerMethod<D extends ProcedureDescriptor> = (
  ...args: ArgsOf<D> extends unknown[] ? [...ArgsOf<D>, CallContext] : never
) => ResultOf<D> | Promise<ResultOf<D>>;

/**
 * What a server may give for one procedure: a {@link HandlerMethod}, or, when the procedure's one
 * argument is an opaque (`[Uint8Array]`), a `streamed()` handler taking it as a stream. (A fixed
 * opaque has the same type; registering `streamed()` for it throws.)
 */
export type ProcedureHandler<D extends ProcedureDescriptor> =
  ArgsOf<D> extends [Uint8Array]
    ? HandlerMethod<D> | StreamedHandler<ResultOf<D>>
    : HandlerMethod<D>;

/** Procedures that a server need not implement: procedure 0 (NULL) is answered by the runtime. */
type OptionalKeys<P extends ProgramDescriptor> = {
  [M in keyof P["procedures"]]: P["procedures"][M]["procedure"] extends 0 ? M : never;
}[keyof P["procedures"]];

/**
 * What `server.register(P, handlers)` needs: one handler per procedure (procedure 0 optional);
 * see {@link ProcedureHandler}.
 */
export type HandlersOf<P extends ProgramDescriptor> = {
  readonly [M in Exclude<keyof P["procedures"], OptionalKeys<P>>]: ProcedureHandler<
    P["procedures"][M]
  >;
} & {
  readonly [M in OptionalKeys<P>]?: ProcedureHandler<P["procedures"][M]>;
};

/**
 * Client-side controls, next to the procedure methods. Their names start with `$`, which no XDR
 * identifier can, so they never collide with a procedure.
 */
export interface ClientControls<P extends ProgramDescriptor> {
  /** The descriptor this client calls. */
  readonly $program: P;
  /** Closes the client's transport if the client owns it; pending calls fail with `closed`. */
  $close(): Promise<void>;
}

/** The typed client `createClient(P, target)` returns. */
export type ClientOf<P extends ProgramDescriptor> = ProcedureMethods<P> & ClientControls<P>;
