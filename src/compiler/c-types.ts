/**
 * The C names rpcgen output leans on: integer type names and the libtirpc types (`xdr_u_int`,
 * `xdr_netobj`, `xdr_des_block`, ...) with the XDR type each routine reads and writes, and the C
 * spellings a `%#define NAME <type>` line may use.
 */
import type { XType } from "./model.js";

/** C integer type names → XDR integer kinds (all 4 bytes on the wire unless 64-bit). */
const C_INTS: Record<string, "int" | "uint" | "hyper" | "uhyper"> = {
  u_int: "uint",
  u_long: "uint",
  u_short: "uint",
  u_char: "uint",
  int8_t: "int",
  int16_t: "int",
  int32_t: "int",
  uint8_t: "uint",
  uint16_t: "uint",
  uint32_t: "uint",
  u_int8_t: "uint",
  u_int16_t: "uint",
  u_int32_t: "uint",
  int64_t: "hyper",
  uint64_t: "uhyper",
  u_int64_t: "uhyper",
  quad_t: "hyper",
  u_quad_t: "uhyper",
  u_hyper: "uhyper",
  longlong_t: "hyper",
  u_longlong_t: "uhyper",
  rpcprog_t: "uint",
  rpcvers_t: "uint",
  rpcproc_t: "uint",
  rpcprot_t: "uint",
  rpcport_t: "uint",
  uid_t: "uint",
  gid_t: "uint",
};

/**
 * Type names rpcgen's output resolves through the C headers and libtirpc (`xdr_u_int`,
 * `xdr_netobj`, `xdr_des_block`, ...), with the XDR type each routine reads and writes.
 */
export const C_TYPES: Readonly<Record<string, XType>> = Object.fromEntries(
  Object.entries({
    netobj: { kind: "opaque", fixed: false, size: 1024 },
    des_block: { kind: "opaque", fixed: true, size: 8 },
    wrapstring: { kind: "string", max: null },
    bool_t: { kind: "bool" },
    ...Object.fromEntries(Object.entries(C_INTS).map(([k, v]) => [k, { kind: v }])),
  }),
) as Record<string, XType>;

/** C spellings of integer types, as `%#define` bodies write them. */
export const C_SPELLINGS: Readonly<
  Record<string, "int" | "uint" | "hyper" | "uhyper" | "bool" | "float" | "double">
> = {
  int: "int",
  long: "int",
  short: "int",
  char: "int",
  "unsigned int": "uint",
  unsigned: "uint",
  "unsigned long": "uint",
  "unsigned short": "uint",
  "unsigned char": "uint",
  "long long": "hyper",
  "unsigned long long": "uhyper",
  bool_t: "bool",
  float: "float",
  double: "double",
};

/**
 * The XDR primitives' routines by the name after `xdr_` (`xdr_int`, `xdr_bool`), for
 * `%#define xdr_T xdr_int` lines; the C type names of {@link C_TYPES} are routines too.
 */
export const C_ROUTINES: Readonly<Record<string, XType>> = {
  int: { kind: "int" },
  long: { kind: "int" },
  short: { kind: "int" },
  char: { kind: "int" },
  enum: { kind: "int" },
  bool: { kind: "bool" },
  hyper: { kind: "hyper" },
  float: { kind: "float" },
  double: { kind: "double" },
  quadruple: { kind: "quadruple" },
};
