/**
 * Streamed handlers: a procedure whose one argument is a variable-length opaque (`opaque<N>`,
 * `opaque<>`) may take that argument as an {@link OpaqueStream} instead of one `Uint8Array`.
 *
 * ```ts
 * server.register(UploadV1, {
 *   put: streamed(async (data, ctx) => {
 *     const hash = createHash("sha256");
 *     for await (const chunk of data) hash.update(chunk);
 *     return hash.digest();
 *   }),
 * });
 * ```
 *
 * Over the Lupine transport a big request to such a procedure is dispatched when its first
 * fragment arrives (`IncomingCall.body`, see `transport.ts`): the handler reads the argument
 * while the rest of it is still arriving. Over ONC RPC (UDP, TCP) and for small requests the
 * argument arrives whole and the stream yields it as one chunk.
 *
 * The dispatcher (`dispatch.ts`) checks at registration that the procedure's argument really is a
 * variable-length opaque ({@link varOpaqueBound}) and opens the stream of each call with
 * {@link openStream} (after {@link gatherLengthWord} when the first bytes lack the length word).
 */
import type { XdrCodec } from "../xdr/index.js";
import { XdrReader, XdrWriter } from "../xdr/index.js";
import type { CallContext } from "./context.js";
import { RpcError } from "./errors.js";
import type { ArgumentBody } from "./transport.js";

/**
 * The bytes of an opaque argument (without its XDR length word and padding), in chunks adding up
 * to {@link length}. Single-use: a second iteration throws a `TypeError`.
 *
 * A chunk may be a view into the transport's receive buffer: it stays valid until the handler's
 * result settles; copy what is kept longer. Iteration throws the transport's `RpcError` when the
 * caller abandons the call or the server closes first (`canceled`), and `garbage_args` when the
 * argument ends early or its padding is not zero.
 */
export interface OpaqueStream extends AsyncIterable<Uint8Array> {
  /** The opaque's length in bytes, as declared by the caller. */
  readonly length: number;
}

/** Options of {@link streamed}. */
export interface StreamedOptions {
  /**
   * The longest argument accepted, in bytes; a longer one is answered GARBAGE_ARGS before the
   * handler runs. Default: the `.x` bound (`opaque<N>`), else what the transport allows.
   */
  readonly maxBytes?: number;
}

/** The function a {@link streamed} handler wraps. */
export type StreamedFunction<R> = (data: OpaqueStream, context: CallContext) => R | Promise<R>;

/**
 * A handler marked by {@link streamed}: the dispatcher hands it the argument as an
 * {@link OpaqueStream}. Made only by `streamed()`; not callable.
 */
export class StreamedHandler<R> {
  readonly #streamed = true;
  /** The handler. */
  readonly handler: StreamedFunction<R>;
  /** The longest argument accepted (bytes). */
  readonly maxBytes: number;

  /** @internal Use {@link streamed}. */
  constructor(handler: StreamedFunction<R>, maxBytes: number) {
    this.handler = handler;
    this.maxBytes = maxBytes;
  }

  /** Whether `v` was made by {@link streamed} (in this copy of the package). */
  static is(v: unknown): v is StreamedHandler<unknown> {
    return typeof v === "object" && v !== null && #streamed in v;
  }
}

const U32_MAX = 0xffffffff;

/**
 * Marks `handler` as taking its procedure's one argument, a variable-length opaque, as a stream
 * (see the module comment). Registering it for any other procedure throws a `TypeError`.
 */
export function streamed<R>(
  handler: (data: OpaqueStream, context: CallContext) => R | Promise<R>,
  options: StreamedOptions = {},
): StreamedHandler<R> {
  if (typeof handler !== "function") throw new TypeError("streamed() needs a function");
  const maxBytes = options.maxBytes ?? U32_MAX;
  if (!Number.isInteger(maxBytes) || maxBytes < 0 || maxBytes > U32_MAX) {
    throw new RangeError(
      `streamed(): maxBytes must be an integer from 0 to 2^32 - 1, got ${maxBytes}`,
    );
  }
  return new StreamedHandler(handler, maxBytes);
}

const padOf = (n: number) => (4 - (n & 3)) & 3;

/** A reader that remembers the bound its decoder asked `readVarOpaque` for. */
class BoundProbe extends XdrReader {
  bound: number | undefined;

  override readVarOpaque(max = U32_MAX): Uint8Array {
    this.bound = max;
    return super.readVarOpaque(max);
  }
}

/** The var-opaque encoding of `data` (length word, bytes, zero padding), by the XDR writer. */
function varOpaqueBytes(data: Uint8Array): Uint8Array {
  const w = new XdrWriter(16);
  w.writeVarOpaque(data);
  return w.finish();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `codec` writes `probe` as a var-opaque and reads it back; the bound it read with. */
function probe(codec: XdrCodec<unknown>, data: Uint8Array): number | null {
  const expected = varOpaqueBytes(data);
  try {
    const w = new XdrWriter(16);
    codec.encode(w, data);
    if (!sameBytes(w.finish(), expected)) return null;
    const r = new BoundProbe(expected);
    const back = codec.decode(r);
    if (!(back instanceof Uint8Array) || !sameBytes(back, data) || r.remaining !== 0) return null;
    return r.bound ?? U32_MAX;
  } catch {
    return null;
  }
}

/**
 * Whether `codec` is a variable-length opaque (`opaque<N>`, `opaque<>`, or a typedef of one):
 * its bound N (2^32 − 1 when unbounded or not found), or null when it is anything else. Found by
 * encoding a 5-byte probe, which must come out as length word 5, the bytes and 3 zero bytes, and
 * decoding it back; for a bound below 5, by probes of 1 and 0 bytes.
 */
export function varOpaqueBound(codec: XdrCodec<unknown>): number | null {
  const five = probe(codec, new Uint8Array([1, 2, 3, 4, 5]));
  if (five !== null) return five;
  const one = probe(codec, new Uint8Array([7]));
  return one !== null && probe(codec, new Uint8Array(0)) !== null ? one : null;
}

/** The argument of a whole request, decoded by the procedure's codec. */
class WholeStream implements OpaqueStream {
  readonly length: number;
  #data: Uint8Array | null;

  constructor(data: Uint8Array) {
    this.length = data.length;
    this.#data = data;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const data = this.#data;
    if (data === null) throw new TypeError("an OpaqueStream can be iterated only once");
    this.#data = null;
    let done = data.length === 0;
    return {
      next: async () => {
        if (done) return { value: undefined, done: true };
        done = true;
        return { value: data, done: false };
      },
      return: async () => {
        done = true;
        return { value: undefined, done: true };
      },
    };
  }
}

/** What a {@link BodyStream}'s iteration threw because its body did; none yet. */
const NO_ERROR: unique symbol = Symbol("none");

/** The argument of a call dispatched while it was still arriving. */
class BodyStream implements OpaqueStream {
  readonly length: number;
  /** The argument bytes after the length word that `args` held (a view). */
  readonly #head: Uint8Array;
  readonly #body: AsyncIterable<Uint8Array>;
  #used = false;
  /** The error the body threw, so the dispatcher can tell it from the handler's own. */
  bodyError: unknown = NO_ERROR;

  constructor(length: number, head: Uint8Array, body: AsyncIterable<Uint8Array>) {
    this.length = length;
    this.#head = head;
    this.#body = body;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#used) throw new TypeError("an OpaqueStream can be iterated only once");
    this.#used = true;
    return this.#chunks();
  }

  async *#chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    let left = this.length;
    let pad = padOf(left);
    const garbage = (detail: string) =>
      new RpcError("garbage_args", `streamed argument: ${detail}`, { remote: true });
    // Cuts `chunk` to the data still due; checks that what follows is zero padding.
    const cut = (chunk: Uint8Array): Uint8Array | null => {
      const n = Math.min(chunk.length, left);
      left -= n;
      for (let i = n; i < chunk.length; i++) {
        if (pad === 0) throw garbage(`more than its ${this.length} bytes and padding`);
        pad--;
        if (chunk[i] !== 0) throw garbage("padding byte is not zero");
      }
      if (n === 0) return null;
      return n === chunk.length ? chunk : chunk.subarray(0, n);
    };
    const head = cut(this.#head);
    if (head !== null) yield head;
    const it = this.#body[Symbol.asyncIterator]();
    let over = false; // the body ended or threw
    try {
      for (;;) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await it.next();
        } catch (e) {
          over = true;
          this.bodyError = e;
          throw e;
        }
        if (r.done === true) {
          over = true;
          break;
        }
        const chunk = cut(r.value);
        if (chunk !== null) yield chunk;
      }
    } finally {
      // Stopped early (the reader's break, bad padding): let the body know, as for-await does.
      if (!over) await it.return?.();
    }
    if (left > 0 || pad > 0) {
      throw garbage(`ended after ${this.length - left} of its ${this.length} bytes`);
    }
  }
}

/** An {@link OpaqueStream} for the dispatcher, or `null`: the call is GARBAGE_ARGS. */
export function openStream(
  codec: XdrCodec<unknown>,
  maxBytes: number,
  args: XdrReader,
  body: ArgumentBody | undefined,
): OpaqueStream | null {
  if (body === undefined) {
    let data: unknown;
    try {
      data = codec.decode(args);
    } catch {
      return null;
    }
    if (!(data instanceof Uint8Array) || data.length > maxBytes) return null;
    return new WholeStream(data);
  }
  // `totalBytes` counts the argument bytes from where `args` stood when dispatched: the length
  // word, the data and the padding.
  const held = args.remaining;
  if (held < 4) return null;
  const length = args.view.getUint32(args.pos);
  if (length > maxBytes || held > body.totalBytes) return null;
  if (4 + length + padOf(length) !== body.totalBytes) return null;
  const head = args.bytes.subarray(args.pos + 4, args.end);
  return new BodyStream(length, head, body);
}

/**
 * The arguments of a streamed call whose `args` holds less than the opaque's length word:
 * reads from the body until it has the word, then returns a reader over the bytes gathered and
 * the rest of the body (same `totalBytes`). `null` when the body ends first.
 */
export async function gatherLengthWord(
  args: XdrReader,
  body: ArgumentBody,
): Promise<{ args: XdrReader; body: ArgumentBody } | null> {
  const parts: Uint8Array[] = [args.bytes.subarray(args.pos, args.end)];
  let held = args.remaining;
  const it = body[Symbol.asyncIterator]();
  while (held < 4) {
    const r = await it.next();
    if (r.done === true) return null;
    parts.push(r.value);
    held += r.value.length;
  }
  const joined = new Uint8Array(held);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  let iterated = false;
  const rest: ArgumentBody = {
    totalBytes: body.totalBytes,
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("an argument body can be iterated only once");
      iterated = true;
      return it;
    },
  };
  return { args: new XdrReader(joined), body: rest };
}

/** Whether `e` is what the stream's body threw (a `canceled` from the transport, mostly). */
export function isBodyError(stream: OpaqueStream, e: unknown): boolean {
  return stream instanceof BodyStream && stream.bodyError !== NO_ERROR && stream.bodyError === e;
}
