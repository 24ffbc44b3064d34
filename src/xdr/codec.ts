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

/** Encodes one value into a new byte array. */
export function encode<T>(codec: XdrCodec<T>, value: T): Uint8Array {
  const w = new XdrWriter();
  try {
    codec.encode(w, value);
  } catch (e) {
    throw XdrError.at(e, "");
  }
  return w.finish();
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
