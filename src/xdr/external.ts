/**
 * Codecs for types a protocol file uses but does not define.
 *
 * rpcgen never resolves type names: for a field of type `T` it writes a call to `xdr_T` and
 * leaves it to the C compiler to find that routine in some header or library. `lupine gen`
 * keeps that model: a type defined outside the `.x` file becomes `type T = unknown` and a codec
 * `xdr_T` made by {@link external}, which fails with an `XdrError` until the program supplies
 * the real codec with {@link ExternalCodec.bind}. Importing the module never fails; coding a
 * value that reaches the unbound type does.
 */
import type { XdrCodec } from "./codec.js";
import { XdrError } from "./error.js";
import type { XdrReader } from "./reader.js";
import type { XdrWriter } from "./writer.js";

/** A codec whose implementation is supplied at run time (see {@link external}). */
export interface ExternalCodec<T> extends XdrCodec<T> {
  /**
   * Supplies the codec this one delegates to, once. Returns `this`. Binding again to the same
   * codec does nothing; binding to a different one throws an `Error` (two parts of a program
   * disagreeing about a wire format is a bug, not bad input).
   */
  bind(codec: XdrCodec<T>): this;
  /** Whether {@link bind} was called. */
  readonly bound: boolean;
}

/**
 * The codec of type `name`, used by the generated module of `file` but defined outside it.
 * Until {@link ExternalCodec.bind} is called, `encode` and `decode` throw
 * `XdrError("<name> is defined outside <file>; bind its codec with xdr_<name>.bind(codec) …")`;
 * `minSize` is 0 until then, and the bound codec's afterwards.
 */
export function external<T>(name: string, file: string): ExternalCodec<T> {
  let target: XdrCodec<T> | null = null;
  const unbound = `${name} is defined outside ${file}; bind its codec with xdr_${name}.bind(codec) or declare ${name} in a .x file given to lupine gen with --extern`;
  return {
    name,
    get minSize() {
      return target?.minSize ?? 0;
    },
    get bound() {
      return target !== null;
    },
    bind(codec: XdrCodec<T>) {
      if (target !== null && target !== codec) {
        throw new Error(`xdr_${name} is already bound to the codec ${target.name}`);
      }
      target = codec;
      return this;
    },
    encode(w: XdrWriter, value: T) {
      if (target === null) throw new XdrError(unbound, w.length);
      target.encode(w, value);
    },
    decode(r: XdrReader): T {
      if (target === null) return r.fail(unbound);
      return target.decode(r);
    },
  };
}
