/**
 * Symbol tables for the checker: what each file defines (from its syntax tree, before checking),
 * and constant evaluation across the files of one compilation. rpcgen itself checks none of
 * this (the C compiler finds some of it later); Lupine reports every problem with its position.
 */
import type { ConstDef, EnumDef, StructDef, TypedefDef, UnionDef, Value } from "./ast.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { evaluateExpression } from "./pp-expr.js";
import type { Token } from "./scanner.js";

/** A type definition after anonymous nested types got their names. */
export type NamedTypeDef =
  | { readonly kind: "struct"; readonly name: string; readonly def: StructDef; readonly pos: Pos }
  | { readonly kind: "union"; readonly name: string; readonly def: UnionDef; readonly pos: Pos }
  | { readonly kind: "enum"; readonly name: string; readonly def: EnumDef; readonly pos: Pos }
  | {
      readonly kind: "typedef";
      readonly name: string;
      readonly def: TypedefDef;
      readonly pos: Pos;
    };

/** Where a constant-like name comes from. */
export type ConstSource =
  | { readonly kind: "const"; readonly def: ConstDef }
  | {
      readonly kind: "member";
      readonly enumDef: EnumDef;
      readonly index: number;
      readonly pos: Pos;
    }
  /** Program, version and procedure names are constants too (rpcgen `#define`s them). */
  | {
      readonly kind: "number";
      readonly what: string;
      readonly value: Value | null;
      readonly pos: Pos;
      readonly fixed?: bigint | undefined;
    };

/**
 * Constants rpcgen's output gets from the ONC RPC C headers (`<rpc/rpc.h>`: `TRUE`, `FALSE`,
 * auth flavors, size limits), so that `.x` files that use them compile as they do with rpcgen.
 */
const BUILTIN_CONSTANTS: Readonly<Record<string, bigint>> = {
  TRUE: 1n,
  FALSE: 0n,
  AUTH_NONE: 0n,
  AUTH_NULL: 0n,
  AUTH_SYS: 1n,
  AUTH_UNIX: 1n,
  AUTH_SHORT: 2n,
  AUTH_DH: 3n,
  AUTH_DES: 3n,
  AUTH_KERB: 4n,
  RPCSEC_GSS: 6n,
  MAXNETNAMELEN: 255n,
  MAX_NETOBJ_SZ: 1024n,
  MAX_MACHINE_NAME: 255n,
  NGRPS: 16n,
};

/**
 * The value of a constant that nothing compiled defines: rpcgen copies the name into C, where a
 * header supplies it (`ENOENT`, `VIR_UUID_BUFLEN`). `outside` is that name, even when the
 * constant asked for is defined in terms of it (`REMOTE_UUID_MAX = VIR_UUID_BUFLEN`).
 */
export interface Outside {
  readonly outside: string;
}

/** A constant's value: known, defined outside the compiled files, or `null` (error reported). */
export type ConstValue = bigint | Outside | null;

/** Whether a value is a constant defined outside the compiled files. */
export function isOutside(v: ConstValue): v is Outside {
  return v !== null && typeof v === "object";
}

/** What one file defines. */
export class FileScope {
  readonly types = new Map<string, NamedTypeDef>();
  readonly consts = new Map<string, ConstSource>();
  /** Memoised constant values (undefined while being computed: cycle detection). */
  readonly values = new Map<string, ConstValue | "busy">();
  /** Enum definitions by node, for member values. */
  readonly enumValues = new Map<EnumDef, ConstValue[]>();
  /**
   * `%#define NAME body` lines: C macros that rpcgen copies into its header, where the C
   * compiler resolves names the XDR text uses (`%#define LM_MAXSTRLEN 1024` in nlm_prot.x).
   * Used only for names nothing else defines.
   */
  readonly cDefines = new Map<string, { readonly body: Token[]; readonly pos: Pos }>();

  constructor(readonly file: string) {}
}

/** Evaluates constants across all files: own file first, then the others in order. */
export class ConstEvaluator {
  constructor(
    private readonly scopes: readonly FileScope[],
    private readonly diags: DiagnosticBag,
  ) {}

  /** Finds the scope that defines constant `name`, preferring `from`. */
  find(from: FileScope, name: string): FileScope | undefined {
    if (from.consts.has(name)) return from;
    return this.scopes.find((s) => s.consts.has(name));
  }

  /** The value of a `value` in `scope`; reports bad names; see {@link ConstValue}. */
  value(scope: FileScope, v: Value): ConstValue {
    if (v.kind === "number") return v.value;
    if (v.kind === "string") {
      this.diags.error(v.pos, "not-a-number", `a string ${v.text} is not a number`);
      return null;
    }
    const r =
      v.kind === "expr"
        ? evaluateExpression<Outside>(
            v.tokens,
            new Map(),
            v.pos,
            this.diags,
            (id, t) => this.name(scope, id, t),
            "constant expression",
          )
        : this.name(scope, v.name, v.pos);
    return typeof r === "bigint" && v.negate ? -r : r;
  }

  /**
   * The value of a constant name: `null` (reported) when it is circular or names a type,
   * {@link Outside} when nothing compiled defines it (the caller decides what that means where
   * the value is used, and says so).
   */
  name(scope: FileScope, name: string, pos: Pos): ConstValue {
    const owner = this.find(scope, name);
    if (owner === undefined) {
      const builtin = BUILTIN_CONSTANTS[name];
      if (builtin !== undefined) return builtin;
      const c = this.cDefine(scope, name, pos);
      if (c !== undefined) return c;
      if (this.scopes.some((s) => s.types.has(name))) {
        this.diags.error(pos, "not-a-number", `'${name}' is a type, not a constant`);
        return null;
      }
      return { outside: name };
    }
    return this.memo(owner, name, pos, () => {
      const src = owner.consts.get(name)!;
      if (src.kind === "const") {
        if (src.def.value.kind !== "string") return this.value(owner, src.def.value);
        this.diags.error(pos, "not-a-number", `constant '${name}' is a string, not a number`);
        return null;
      }
      if (src.kind === "member") return this.member(owner, src.enumDef, src.index);
      if (src.fixed !== undefined) return src.fixed;
      return src.value === null ? null : this.value(owner, src.value);
    });
  }

  /** Computes a value once per scope and key; a key met again while computing is a cycle. */
  private memo(owner: FileScope, key: string, pos: Pos, compute: () => ConstValue): ConstValue {
    const known = owner.values.get(key);
    if (known === "busy") {
      const name = key.replace(/^%/, "");
      this.diags.error(
        pos,
        "circular-constant",
        `constant '${name}' is defined in terms of itself`,
      );
      return null;
    }
    if (known !== undefined) return known;
    owner.values.set(key, "busy");
    const v = compute();
    owner.values.set(key, v);
    return v;
  }

  /** The value of a `%#define` constant, or `undefined` when there is none. */
  private cDefine(scope: FileScope, name: string, pos: Pos): ConstValue | undefined {
    const owner = scope.cDefines.has(name) ? scope : this.scopes.find((s) => s.cDefines.has(name));
    const def = owner?.cDefines.get(name);
    if (owner === undefined || def === undefined) return undefined;
    return this.memo(owner, `%${name}`, pos, () =>
      evaluateExpression<Outside>(
        def.body,
        new Map(),
        def.pos,
        this.diags,
        (id, t) => this.name(owner, id, t),
        `%#define ${name}`,
      ),
    );
  }

  /** An enum member's value: explicit, or the previous member's + 1 (0 for the first), as in C. */
  member(scope: FileScope, def: EnumDef, index: number): ConstValue {
    let cache = scope.enumValues.get(def);
    if (cache === undefined) {
      cache = [];
      scope.enumValues.set(def, cache);
    }
    const known = cache[index];
    if (known !== undefined) return known;
    const m = def.members[index]!;
    let v: ConstValue;
    if (m.value !== null) v = this.value(scope, m.value);
    else if (index === 0) v = 0n;
    else {
      const prev = this.member(scope, def, index - 1);
      v = typeof prev === "bigint" ? prev + 1n : prev;
    }
    cache[index] = v;
    return v;
  }
}
