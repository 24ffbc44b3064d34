/**
 * The syntax tree the parser builds: the RPC language of RFC 4506 §6.3 and RFC 5531 §12, with
 * rpcgen's extras and Lupine's two extensions (the `interface` shorthand, the Stellar/xdrpp
 * dialect). Names are as written; nothing is resolved yet (that is the checker's job).
 */
import type { Pos } from "./diagnostics.js";
import type { Token } from "./scanner.js";

/** A constant as written: a literal or a name (optionally negated). */
export type Value =
  | { readonly kind: "number"; readonly value: bigint; readonly text: string; readonly pos: Pos }
  /** A parenthesised expression (from a cpp macro): evaluated by the checker. */
  | {
      readonly kind: "expr";
      readonly tokens: readonly Token[];
      readonly negate: boolean;
      readonly pos: Pos;
    }
  /** A string literal: only as a `const` value (rpcgen copies it into a `#define`). */
  | { readonly kind: "string"; readonly text: string; readonly pos: Pos }
  | { readonly kind: "name"; readonly name: string; readonly negate: boolean; readonly pos: Pos };

/** The built-in types (C-style spellings are mapped: `char`/`short`/`long` → `int`, ...). */
export type BuiltinName =
  | "int"
  | "uint"
  | "hyper"
  | "uhyper"
  | "float"
  | "double"
  | "quadruple"
  | "bool"
  | "void"
  | "string"
  | "opaque";

/** A type specifier. */
export type TypeSpec =
  | {
      readonly kind: "builtin";
      readonly name: BuiltinName;
      readonly spelling: string;
      readonly pos: Pos;
    }
  | {
      readonly kind: "named";
      readonly name: string;
      /** `struct foo x` / `enum foo x` / `union foo x`: the keyword written before the name. */
      readonly tag?: "struct" | "union" | "enum";
      readonly pos: Pos;
    }
  /** An anonymous (or inline named) struct/union/enum: the Stellar/xdrpp dialect. */
  | { readonly kind: "inline"; readonly def: StructDef | UnionDef | EnumDef; readonly pos: Pos };

/** How a declaration uses its type. */
export type Shape = "plain" | "fixed" | "var" | "optional";

/** `type name`, `type name[n]`, `type name<n>`, `type *name`, or `void`. */
export interface Declaration {
  /** `null` for `void`. */
  readonly name: string | null;
  readonly type: TypeSpec;
  readonly shape: Shape;
  /** Array/opaque/string size or bound; `null` for `<>` (unbounded) and plain/optional. */
  readonly size: Value | null;
  readonly pos: Pos;
}

/** `const NAME = value;` (RFC 4506 §6.3 `constant-def`). */
export interface ConstDef {
  readonly kind: "const";
  readonly name: string;
  readonly value: Value;
  readonly pos: Pos;
}

/** `typedef declaration;` (RFC 4506 §4.18). */
export interface TypedefDef {
  readonly kind: "typedef";
  readonly decl: Declaration;
  readonly pos: Pos;
}

/** `NAME = value` in an enum body. */
export interface EnumMember {
  readonly name: string;
  /** `null` when implicit (previous + 1, or 0 for the first, as in C). */
  readonly value: Value | null;
  readonly pos: Pos;
}

/** `enum NAME { ... }` (RFC 4506 §4.3). */
export interface EnumDef {
  readonly kind: "enum";
  /** `null` for an anonymous inline enum (named by the checker). */
  readonly name: string | null;
  readonly members: readonly EnumMember[];
  readonly pos: Pos;
}

/** `struct NAME { declarations }` (RFC 4506 §4.14). */
export interface StructDef {
  readonly kind: "struct";
  readonly name: string | null;
  readonly fields: readonly Declaration[];
  readonly pos: Pos;
}

/** `case v: case w: declaration;` in a union body. */
export interface UnionArm {
  readonly cases: readonly Value[];
  readonly decl: Declaration;
  readonly pos: Pos;
}

/** `union NAME switch (declaration) { arms [default: declaration;] }` (RFC 4506 §4.15). */
export interface UnionDef {
  readonly kind: "union";
  readonly name: string | null;
  readonly discriminant: Declaration;
  readonly arms: readonly UnionArm[];
  readonly defaultArm: Declaration | null;
  readonly pos: Pos;
}

/** A procedure argument: its type and, in the `interface` shorthand, its name. */
export interface ProcArg {
  readonly type: TypeSpec;
  readonly name: string | null;
  readonly pos: Pos;
}

/** `type NAME(args) = n;` in a version (RFC 5531 §12 `procedure-def`). */
export interface ProcDef {
  readonly name: string;
  /** `null` in the `interface` shorthand without `= n` (numbered 1.. in order). */
  readonly number: Value | null;
  readonly result: TypeSpec;
  readonly args: readonly ProcArg[];
  readonly pos: Pos;
}

/** `version NAME { procedures } = n;` (RFC 5531 §12 `version-def`). */
export interface VersionDef {
  readonly name: string;
  readonly number: Value | null;
  readonly procedures: readonly ProcDef[];
  readonly pos: Pos;
}

/** `program NAME { versions } = n;` (RFC 5531 §12 `program-def`), or the `interface` shorthand. */
export interface ProgramDef {
  readonly kind: "program";
  readonly name: string;
  /** `null` for an `interface` without `= n` (the checker derives one). */
  readonly number: Value | null;
  readonly versions: readonly VersionDef[];
  /** Written as the `interface { ... }` shorthand. */
  readonly shorthand: boolean;
  readonly pos: Pos;
}

/** A `%` line: C text rpcgen copies into its output; Lupine keeps it as a comment. */
export interface PassthroughDef {
  readonly kind: "passthrough";
  readonly text: string;
  readonly pos: Pos;
}

/** Anything a file defines at the top level (RFC 4506 §6.3 `definition`, plus programs and `%` lines). */
export type Definition =
  | ConstDef
  | TypedefDef
  | EnumDef
  | StructDef
  | UnionDef
  | ProgramDef
  | PassthroughDef;

/** A parsed file (after preprocessing: includes are inlined). */
export interface Specification {
  readonly file: string;
  readonly definitions: readonly Definition[];
}
