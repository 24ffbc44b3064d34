/**
 * The checked model: what the checker makes of a parsed file and what the emitter (and tests
 * that generate values) walk. Every name is resolved, every constant evaluated, every bound a
 * number; anonymous nested types have their xdrgen names.
 */
import type { Pos } from "./diagnostics.js";

/** A resolved XDR type (RFC 4506 §4). */
export type XType =
  | {
      readonly kind:
        | "int"
        | "uint"
        | "hyper"
        | "uhyper"
        | "float"
        | "double"
        | "quadruple"
        | "bool"
        | "void";
    }
  | { readonly kind: "string"; readonly max: number | null }
  | { readonly kind: "opaque"; readonly fixed: boolean; readonly size: number | null }
  | {
      readonly kind: "array";
      readonly fixed: boolean;
      readonly size: number | null;
      readonly element: XType;
    }
  | { readonly kind: "optional"; readonly element: XType }
  /** A user-defined type: struct, union, enum or typedef of this or another compiled file. */
  | { readonly kind: "ref"; readonly name: string };

/** A struct field, union arm field or discriminant. */
export interface Field {
  readonly name: string;
  readonly type: XType;
  readonly pos: Pos;
}

/**
 * Why a type's codec cannot work even though the type compiles: a fixed size given by a constant
 * defined outside the compiled files. Its codec throws this message as an `XdrError` at use.
 */
export type Unavailable = string | null;

/** A checked struct (RFC 4506 §4.14). */
export interface StructType {
  readonly kind: "struct";
  readonly name: string;
  readonly fields: readonly Field[];
  readonly unavailable: Unavailable;
  readonly pos: Pos;
}

/** A union arm: the case values (numbers, or booleans for a bool discriminant) and its field. */
export interface Arm {
  readonly values: readonly (number | boolean)[];
  /** Case labels (as written) whose values are defined outside the compiled files. */
  readonly outside: readonly string[];
  /** `null` for a `void` arm. */
  readonly field: Field | null;
}

/** A checked discriminated union (RFC 4506 §4.15). */
export interface UnionType {
  readonly kind: "union";
  readonly name: string;
  readonly discriminant: Field;
  /** What the discriminant is: decides how values are written and typed. */
  readonly discriminantKind: "int" | "uint" | "bool" | "enum";
  /** The enum, when `discriminantKind` is `enum`. */
  readonly enumName: string | null;
  readonly arms: readonly Arm[];
  /** The `default:` arm (`field` null for `void`), or `null` when there is none. */
  readonly defaultArm: { readonly field: Field | null } | null;
  readonly unavailable: Unavailable;
  readonly pos: Pos;
}

/** A checked enum (RFC 4506 §4.3): the members whose values are known. */
export interface EnumType {
  readonly kind: "enum";
  readonly name: string;
  readonly members: readonly { readonly name: string; readonly value: number; readonly pos: Pos }[];
  /** Members left out because their values are defined outside the compiled files. */
  readonly outside: readonly string[];
  readonly pos: Pos;
}

/** A checked typedef (RFC 4506 §4.18). */
export interface TypedefType {
  readonly kind: "typedef";
  readonly name: string;
  readonly type: XType;
  readonly unavailable: Unavailable;
  readonly pos: Pos;
}

/**
 * A type the file uses but nothing compiled defines: rpcgen leaves it to the C compiler to find
 * `xdr_<name>` in a header. Emitted as `type T = unknown` and a codec bound at run time.
 */
export interface ExternalType {
  readonly kind: "external";
  readonly name: string;
  /** The first use. */
  readonly pos: Pos;
}

/** A type a module defines. */
export type TypeDecl = StructType | UnionType | EnumType | TypedefType | ExternalType;

/** A checked constant (RFC 4506 §4.17): its 64-bit value, or a string rpcgen copies to C. */
export interface ConstDecl {
  readonly kind: "const";
  readonly name: string;
  readonly value: bigint;
  /** The literal as written when it was one (`0x20000099`), else `null`. */
  readonly literal: string | null;
  /** The name it was defined by (`RPCBPROC_CALLIT`), else `null`. */
  readonly alias: string | null;
  /** For a string constant (`const HEXMODULUS = "d4a0..."`): the literal; `value` is then 0. */
  readonly string: string | null;
  readonly pos: Pos;
}

/** A checked procedure (RFC 5531 §12): its number, argument and result types. */
export interface Procedure {
  readonly name: string;
  readonly number: number;
  readonly args: readonly XType[];
  /** Argument names (interface shorthand), `null` where not given. */
  readonly argNames: readonly (string | null)[];
  readonly result: XType;
  readonly pos: Pos;
}

/** A checked program version (RFC 5531 §12). */
export interface Version {
  readonly name: string;
  readonly number: number;
  readonly procedures: readonly Procedure[];
  readonly pos: Pos;
}

/** A checked program (RFC 5531 §12): its number and versions. */
export interface Program {
  readonly kind: "program";
  readonly name: string;
  readonly number: number;
  readonly versions: readonly Version[];
  readonly shorthand: boolean;
  readonly pos: Pos;
}

/** A `%` line, kept as a comment. */
export interface Passthrough {
  readonly kind: "passthrough";
  readonly text: string;
  readonly pos: Pos;
}

/** Everything a file defines, in source order. */
export type Item = ConstDecl | TypeDecl | Program | Passthrough;

/** The checked contents of one compiled file. */
export interface Module {
  /** The root `.x` file. */
  readonly file: string;
  readonly items: readonly Item[];
  /** Types by name (this file's own). */
  readonly types: ReadonlyMap<string, TypeDecl>;
  /** Names used by this file but defined by another file of the same compilation → that file. */
  readonly imports: ReadonlyMap<string, string>;
}
