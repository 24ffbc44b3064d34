/**
 * Codecs for the RFC 4506 primitive types (§4.1–§4.8, §4.16). Generated code calls the
 * `XdrReader`/`XdrWriter` methods directly; these objects are for descriptors (procedure
 * arguments and results) and hand-written codecs.
 */
import type { XdrCodec } from "./codec.js";
import type { Quadruple } from "./quadruple.js";

/** §4.1 `int`: a 32-bit signed integer, as a `number`. */
export const int: XdrCodec<number> = {
  name: "int",
  minSize: 4,
  encode: (w, v) => w.writeInt(v),
  decode: (r) => r.readInt(),
};

/** §4.2 `unsigned int`, as a `number` in [0, 2^32). */
export const uint: XdrCodec<number> = {
  name: "unsigned int",
  minSize: 4,
  encode: (w, v) => w.writeUint(v),
  decode: (r) => r.readUint(),
};

/** §4.4 `bool`, as a `boolean` (only 0 and 1 decode). */
export const bool: XdrCodec<boolean> = {
  name: "bool",
  minSize: 4,
  encode: (w, v) => w.writeBool(v),
  decode: (r) => r.readBool(),
};

/** §4.5 `hyper`: a 64-bit signed integer, as a `bigint`. */
export const hyper: XdrCodec<bigint> = {
  name: "hyper",
  minSize: 8,
  encode: (w, v) => w.writeHyper(v),
  decode: (r) => r.readHyper(),
};

/** §4.5 `unsigned hyper`, as a `bigint` in [0, 2^64). */
export const uhyper: XdrCodec<bigint> = {
  name: "unsigned hyper",
  minSize: 8,
  encode: (w, v) => w.writeUhyper(v),
  decode: (r) => r.readUhyper(),
};

/** §4.6 `float` (binary32), as a `number` (rounded to single precision on encode). */
export const float: XdrCodec<number> = {
  name: "float",
  minSize: 4,
  encode: (w, v) => w.writeFloat(v),
  decode: (r) => r.readFloat(),
};

/** §4.7 `double` (binary64), as a `number`. */
export const double: XdrCodec<number> = {
  name: "double",
  minSize: 8,
  encode: (w, v) => w.writeDouble(v),
  decode: (r) => r.readDouble(),
};

/** §4.8 `quadruple` (binary128), as an exact {@link Quadruple}. */
export const quadruple: XdrCodec<Quadruple> = {
  name: "quadruple",
  minSize: 16,
  encode: (w, v) => w.writeQuadruple(v),
  decode: (r) => r.readQuadruple(),
};

/** §4.16 `void`: no bytes, as `undefined`. */
export const voidType: XdrCodec<void> = {
  name: "void",
  minSize: 0,
  encode: () => {},
  decode: () => undefined,
};

/** `string<>` with no bound, as UTF-8. */
export const unboundedString: XdrCodec<string> = {
  name: "string<>",
  minSize: 4,
  encode: (w, v) => w.writeString(v),
  decode: (r) => r.readString(),
};

/** `opaque<>` with no bound. */
export const unboundedOpaque: XdrCodec<Uint8Array> = {
  name: "opaque<>",
  minSize: 4,
  encode: (w, v) => w.writeVarOpaque(v),
  decode: (r) => r.readVarOpaque(),
};
