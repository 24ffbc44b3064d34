/**
 * `lupine/xdr`: the XDR codec of RFC 4506 — reader, writer, the primitive codecs, combinators
 * for composite types, and the exact `Quadruple`. Pure: no Node APIs, no timers.
 */
export { decode, encode, type Infer, type XdrCodec } from "./codec.js";
export {
  array,
  enumeration,
  fixedArray,
  fixedOpaque,
  lazy,
  opaque,
  optional,
  type StructOf,
  string,
  struct,
  type TupleOf,
  tuple,
  type UnionArm,
  type UnionSpec,
  union,
} from "./combinators.js";
export { isXdrError, XdrError } from "./error.js";
export { type ExternalCodec, external } from "./external.js";
export {
  bool,
  double,
  float,
  hyper,
  int,
  quadruple,
  uhyper,
  uint,
  unboundedOpaque,
  unboundedString,
  voidType as void,
} from "./primitives.js";
export { Quadruple } from "./quadruple.js";
export { XdrReader } from "./reader.js";
export { XdrWriter } from "./writer.js";
