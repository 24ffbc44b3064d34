/**
 * Phase 4, checking: syntax trees → the {@link Module} model. Resolves every name (within the
 * file, then across the other files of the same compilation, then rpcgen's C type names such as
 * `u_int`), evaluates every constant, and reports: undefined names, duplicate definitions,
 * discriminants that cannot switch, bounds that are not positive constants, case values out of
 * the discriminant's range or repeated, numbers out of range, and (in `analyze.ts`) recursion that
 * cannot terminate.
 */

import { analyze, type Facts } from "./analyze.js";
import type { Declaration, Definition, TypeSpec, Value } from "./ast.js";
import { C_SPELLINGS, C_TYPES } from "./c-types.js";
import { ProgramChecker } from "./check-programs.js";
import { UnionChecker } from "./check-union.js";
import { type Declared, declare } from "./declare.js";
import { describe, show } from "./describe.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type { Field, Item, Module, TypeDecl, XType } from "./model.js";
import { ConstEvaluator, type FileScope } from "./scope.js";

/** One file to check: its definitions, merged over the preprocessing passes. */
export interface CheckInput {
  readonly file: string;
  readonly definitions: readonly Definition[];
}

const U32_MAX = 0xffffffffn;
const I32_MIN = -0x80000000n;
const I32_MAX = 0x7fffffffn;

/** The checked files of one compilation and the facts about their types. */
export interface CheckResult {
  readonly modules: readonly Module[];
  readonly facts: Facts;
}

/** Checks the files of one compilation together (they may use each other's definitions). */
export function check(inputs: readonly CheckInput[], diags: DiagnosticBag): CheckResult {
  const declared = inputs.map((i) => declare(i.file, i.definitions, diags));
  const scopes = declared.map((d) => d.scope);
  const evaluator = new ConstEvaluator(scopes, diags);
  const modules = declared.map((d) => new FileChecker(d, scopes, evaluator, diags).run());
  return { modules, facts: analyze(modules, diags) };
}

/** Checks one file; {@link UnionChecker} and {@link ProgramChecker} do unions and programs. */
export class FileChecker {
  private readonly scope: FileScope;
  private readonly imports = new Map<string, string>();
  private readonly types = new Map<string, TypeDecl>();

  constructor(
    private readonly declared: Declared,
    private readonly scopes: readonly FileScope[],
    private readonly evaluator: ConstEvaluator,
    private readonly diags: DiagnosticBag,
  ) {
    this.scope = declared.scope;
  }

  run(): Module {
    const items: Item[] = [];
    for (const it of this.declared.items) {
      if (it.kind === "passthrough")
        items.push({ kind: "passthrough", text: it.text, pos: it.pos });
      else if (it.kind === "const") {
        const c = this.constant(it.name, it.pos);
        if (c !== null) items.push(c);
      } else if (it.kind === "program") {
        const p = new ProgramChecker(this.scope, this.evaluator, this.diags, (spec, where) =>
          this.typeSpec(spec, where),
        ).program(it.def, it.name);
        if (p !== null) items.push(p);
      } else {
        const t = this.typeDecl(it.type);
        if (t !== null) {
          this.types.set(t.name, t);
          items.push(t);
        }
      }
    }
    return { file: this.scope.file, items, types: this.types, imports: this.imports };
  }

  private constant(name: string, pos: Pos): Item | null {
    const src = this.scope.consts.get(name);
    if (src?.kind !== "const") return null;
    if (src.def.value.kind === "string") {
      return {
        kind: "const",
        name,
        value: 0n,
        literal: null,
        alias: null,
        string: src.def.value.text,
        pos,
      };
    }
    const v = this.evaluator.name(this.scope, name, pos);
    if (v === null) return null;
    if (v < -(1n << 63n) || v > (1n << 64n) - 1n) {
      this.diags.error(pos, "constant-range", `constant '${name}' = ${v} does not fit in 64 bits`);
      return null;
    }
    const val = src.def.value;
    return {
      kind: "const",
      name,
      value: v,
      literal: val.kind === "number" ? val.text : null,
      alias: val.kind === "name" ? (val.negate ? `-${val.name}` : val.name) : null,
      string: null,
      pos,
    };
  }

  private typeDecl(t: import("./scope.js").NamedTypeDef): TypeDecl | null {
    switch (t.kind) {
      case "enum": {
        const members = [];
        for (let i = 0; i < t.def.members.length; i++) {
          const m = t.def.members[i]!;
          const v = this.evaluator.member(this.scope, t.def, i);
          if (v === null) continue;
          if (v < I32_MIN || v > I32_MAX) {
            this.diags.error(
              m.pos,
              "enum-range",
              `enum value ${m.name} = ${v} is outside the 32-bit signed range`,
            );
            continue;
          }
          members.push({ name: m.name, value: Number(v), pos: m.pos });
        }
        return { kind: "enum", name: t.name, members, pos: t.pos };
      }
      case "typedef": {
        const type = this.declType(t.def.decl, `typedef ${t.name}`);
        return type === null ? null : { kind: "typedef", name: t.name, type, pos: t.pos };
      }
      case "struct": {
        const fields = this.fields(t.def.fields, `struct ${t.name}`);
        return { kind: "struct", name: t.name, fields, pos: t.pos };
      }
      case "union":
        return new UnionChecker(this, this.scope, this.evaluator, this.diags).union(t.name, t.def);
    }
  }

  private fields(decls: readonly Declaration[], owner: string): Field[] {
    const out: Field[] = [];
    const seen = new Set<string>();
    for (const d of decls) {
      if (d.name === null) {
        this.diags.error(d.pos, "void-field", `${owner}: a struct field cannot be void`);
        continue;
      }
      if (seen.has(d.name)) {
        this.diags.error(d.pos, "duplicate-field", `${owner}: duplicate field '${d.name}'`);
        continue;
      }
      seen.add(d.name);
      const type = this.declType(d, `${owner}.${d.name}`);
      if (type !== null) out.push({ name: d.name, type, pos: d.pos });
    }
    return out;
  }

  // ---- types ----

  /** The XType a declaration gives its name (`null` after reporting a problem). */
  declType(d: Declaration, where: string): XType | null {
    const spec = d.type;
    if (spec.kind === "builtin" && (spec.name === "string" || spec.name === "opaque")) {
      const size = d.size === null ? null : this.bound(d.size, where);
      if (spec.name === "string") {
        if (d.shape === "optional")
          return { kind: "optional", element: { kind: "string", max: null } };
        return { kind: "string", max: size };
      }
      return { kind: "opaque", fixed: d.shape === "fixed", size };
    }
    const base = this.typeSpec(spec, where);
    if (base === null) return null;
    if (base.kind === "void") {
      if (d.shape !== "plain" || d.name !== null) {
        this.diags.error(
          d.pos,
          "void-use",
          `${where}: void can only be a whole union arm or procedure type`,
        );
        return null;
      }
      return base;
    }
    switch (d.shape) {
      case "plain":
        return base;
      case "optional":
        return { kind: "optional", element: base };
      case "fixed":
        return { kind: "array", fixed: true, size: this.bound(d.size!, where), element: base };
      case "var":
        return {
          kind: "array",
          fixed: false,
          size: d.size === null ? null : this.bound(d.size, where),
          element: base,
        };
    }
  }

  /** The XType of a type specifier (procedure arguments and results, declarations). */
  typeSpec(spec: TypeSpec, where: string): XType | null {
    switch (spec.kind) {
      case "builtin":
        if (spec.name === "string") return { kind: "string", max: null };
        if (spec.name === "opaque") {
          this.diags.error(spec.pos, "bad-type", `${where}: opaque needs a length ([n] or <n>)`);
          return null;
        }
        return { kind: spec.name };
      case "inline": {
        const name = this.declared.inlineNames.get(spec);
        return name === undefined ? null : { kind: "ref", name };
      }
      case "named":
        return this.named(spec.name, spec.pos, spec.tag);
    }
  }

  private named(
    name: string,
    pos: Pos,
    tag: "struct" | "union" | "enum" | undefined,
  ): XType | null {
    const own = this.scope.types.get(name);
    const other = own === undefined ? this.scopes.find((s) => s.types.has(name)) : this.scope;
    const def = own ?? other?.types.get(name);
    if (def !== undefined && other !== undefined) {
      if (other !== this.scope) this.imports.set(name, other.file);
      if (tag !== undefined && def.kind !== "typedef" && def.kind !== tag) {
        this.diags.warning(pos, "tag-mismatch", `'${tag} ${name}' names a ${def.kind}`);
      }
      return { kind: "ref", name };
    }
    const c = C_TYPES[name];
    if (c !== undefined) return c;
    const alias = this.cTypeDefine(name);
    if (alias !== undefined) return alias;
    if (this.evaluator.find(this.scope, name) !== undefined) {
      this.diags.error(pos, "not-a-type", `'${name}' is a constant, not a type`);
      return null;
    }
    this.diags.error(
      pos,
      "undefined-name",
      `undefined type '${name}' (if C code defines it, declare it in a .x file compiled together with this one)`,
    );
    return null;
  }

  /** A `%#define NAME <C integer type>` line (`%#define ndmp2_u_quad unsigned long long`). */
  private cTypeDefine(name: string): XType | undefined {
    const scope = this.scope.cDefines.has(name)
      ? this.scope
      : this.scopes.find((s) => s.cDefines.has(name));
    const body = scope?.cDefines
      .get(name)
      ?.body.map((t) => t.text)
      .join(" ");
    if (body === undefined) return undefined;
    const kind = C_SPELLINGS[body];
    if (kind !== undefined) return { kind };
    return /^[A-Za-z_]\w*$/.test(body) && body !== name ? (C_TYPES[body] ?? undefined) : undefined;
  }

  /** A size or bound: a positive constant that fits in 32 bits. */
  private bound(v: Value, where: string): number | null {
    const n = this.evaluator.value(this.scope, v);
    if (n === null) return null;
    if (n < 0n || n > U32_MAX) {
      this.diags.error(
        v.pos,
        "bad-bound",
        `${where}: size ${show(v)}${v.kind === "name" ? ` = ${n}` : ""} is not a positive 32-bit constant`,
      );
      return null;
    }
    return Number(n);
  }

  lookupDeclared(name: string) {
    const scope = this.scope.types.has(name)
      ? this.scope
      : this.scopes.find((s) => s.types.has(name));
    const def = scope?.types.get(name);
    return scope === undefined || def === undefined ? undefined : { scope, def };
  }

  /** The declared kind of a type by name (this file first). */
  lookup(name: string): { kind: string } | undefined {
    return this.lookupDeclared(name)?.def;
  }

  /** Follows typedefs by their declarations (types may not be checked yet). */
  resolveAlias(t: XType): XType {
    let cur = t;
    for (let guard = 0; cur.kind === "ref" && guard < 100; guard++) {
      const d = this.lookupDeclared(cur.name);
      if (d === undefined || d.def.kind !== "typedef") return cur;
      const decl = d.def.def.decl;
      if (decl.shape !== "plain") return { kind: "array", fixed: false, size: null, element: cur };
      const spec = decl.type;
      if (spec.kind === "builtin") {
        if (spec.name === "string" || spec.name === "opaque") return { kind: "string", max: null };
        return { kind: spec.name };
      }
      if (spec.kind === "inline") return { kind: "ref", name: cur.name };
      const c = C_TYPES[spec.name];
      if (c !== undefined && d.scope.types.get(spec.name) === undefined) return c;
      cur = { kind: "ref", name: spec.name };
    }
    return cur;
  }

  // ---- programs (RFC 5531 §12) ----
}

export { describe };
