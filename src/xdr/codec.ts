import { XdrError } from "./error.js";
import { XdrReader } from "./reader.js";
import { XdrWriter } from "./writer.js";

/**
 * How one XDR type is written and read. Generated code emits one codec object per type with
 * straight-line `encode`/`decode` bodies; the combinators in `combinators.ts` build the same
 * interface at run time for hand-written descriptors.
 *
 * Contract: `encode` writes exactly the RFC 4506 encoding of `value` or throws `XdrError`;
 * `decode` reads one value at the reader's position or throws `XdrError`. Neither keeps state.
 */
export interface XdrCodec<T> {
  /** The XDR type's name (`fattr3`, `int`, `opaque<64>`): used in error paths. */
  readonly name: string;
  /**
   * The fewest bytes one encoded value takes (4 for `int`, 0 for `void`). Array decoders use it
   * to reject a count that cannot fit in the bytes left before allocating.
   */
  readonly minSize: number;
  encode(w: XdrWriter, value: T): void;
  decode(r: XdrReader): T;
}

/** The TypeScript type a codec reads and writes. */
export type Infer<C> = C extends XdrCodec<infer T> ? T : never;

/**
 * A writer kept between {@link encode} calls, so that encoding a message does not grow a fresh
 * buffer from 256 bytes every time (that dominated encode time of a 5 KB message). Taken out
 * while in use, so a codec that calls `encode` itself gets a writer of its own.
 */
let spare: XdrWriter | null = null;
/** Writers whose buffer grew beyond this are not kept. */
const SPARE_MAX_BYTES = 1 << 20;

/** Encodes one value into a new byte array. */
export function encode<T>(codec: XdrCodec<T>, value: T): Uint8Array {
  const w = spare ?? new XdrWriter();
  spare = null;
  try {
    codec.encode(w, value);
    return w.finish();
  } catch (e) {
    throw XdrError.at(e, "");
  } finally {
    w.reset();
    if (w.capacity <= SPARE_MAX_BYTES) spare = w;
  }
}

/**
 * Decodes one value that must span all of `bytes`. Only `XdrError` escapes: anything else a
 * decoder might raise (a stack overflow on pathological input) is converted.
 */
export function decode<T>(codec: XdrCodec<T>, bytes: Uint8Array): T {
  const r = new XdrReader(bytes);
  try {
    const v = codec.decode(r);
    r.assertEnd();
    return v;
  } catch (e) {
    throw XdrError.at(e, "");
  }
}
