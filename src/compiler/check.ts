/**
 * Phase 4, checking: syntax trees → the {@link Module} model. Resolves every name (within the
 * file, then across the other files of the same compilation, then rpcgen's C type names such as
 * `u_int`), evaluates every constant, and reports: duplicate definitions, discriminants that
 * cannot switch, bounds that are not positive constants, case values out of the discriminant's
 * range or repeated, numbers out of range, and (in `analyze.ts`) types with no finite value.
 *
 * rpcgen resolves no names: what a file uses but does not define, a C header supplies. Lupine
 * follows that model. A type defined outside becomes an {@link ExternalType} (`unknown`, with a
 * codec bound at run time); a constant defined outside ({@link Outside}) makes a bound
 * unbounded, a fixed size or a case value fail at use, and is not exported itself. Each case is
 * a warning naming what is missing and how to supply it (an error under `--strict`).
 */

import { analyze, type Facts } from "./analyze.js";
import type { Declaration, Definition, TypeSpec, Value } from "./ast.js";
import { ProgramChecker } from "./check-programs.js";
import { type TypeResolver, UnionChecker } from "./check-union.js";
import { type Declared, declare } from "./declare.js";
import { listText, outsideWhy, show } from "./describe.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { basename } from "./host.js";
import type { EnumType, ExternalType, Field, Item, Module, TypeDecl, XType } from "./model.js";
import { NameResolver } from "./resolve-type.js";
import { ConstEvaluator, type FileScope, isOutside, type NamedTypeDef } from "./scope.js";

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

/**
 * Checks the files of one compilation together (they may use each other's definitions).
 * Implements the semantic rules of RFC 4506 §6 and RFC 5531 §12; never throws on bad input.
 */
export function check(inputs: readonly CheckInput[], diags: DiagnosticBag): CheckResult {
  const declared = inputs.map((i) => declare(i.file, i.definitions, diags));
  const scopes = declared.map((d) => d.scope);
  const evaluator = new ConstEvaluator(scopes, diags);
  const modules = declared.map((d) => new FileChecker(d, scopes, evaluator, diags).run());
  return { modules, facts: analyze(modules, diags) };
}

/** Checks one file; {@link UnionChecker} and {@link ProgramChecker} do unions and programs. */
class FileChecker implements TypeResolver {
  private readonly scope: FileScope;
  private readonly imports = new Map<string, string>();
  private readonly types = new Map<string, TypeDecl>();
  private readonly externals = new Map<string, ExternalType>();
  private readonly names: NameResolver;
  /** The file's name in messages (`mount.x`). */
  private readonly base: string;
  /** Why the type being checked cannot be coded (a fixed size defined outside), first reason. */
  private unavailable: string | null = null;

  constructor(
    private readonly declared: Declared,
    scopes: readonly FileScope[],
    private readonly evaluator: ConstEvaluator,
    private readonly diags: DiagnosticBag,
  ) {
    this.scope = declared.scope;
    this.base = basename(this.scope.file);
    this.names = new NameResolver(this.scope, scopes, evaluator, diags);
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
    for (const e of this.externals.values()) this.types.set(e.name, e);
    return {
      file: this.scope.file,
      items: [...this.externals.values(), ...items],
      types: this.types,
      imports: this.imports,
    };
  }

  private constant(name: string, pos: Pos): Item | null {
    const src = this.scope.consts.get(name);
    if (src?.kind !== "const") return null;
    const val = src.def.value;
    if (val.kind === "string") {
      return { kind: "const", name, value: 0n, literal: null, alias: null, string: val.text, pos };
    }
    const v = this.evaluator.name(this.scope, name, pos);
    if (v === null) return null;
    if (isOutside(v)) {
      const why = outsideWhy(show(val), v, this.base);
      this.diags.relaxed(
        pos,
        "undefined-constant",
        `constant '${name}' is not exported: ${why} (pass -D ${v.outside}=VALUE)`,
      );
      return null;
    }
    if (v < -(1n << 63n) || v > (1n << 64n) - 1n) {
      this.diags.error(pos, "constant-range", `constant '${name}' = ${v} does not fit in 64 bits`);
      return null;
    }
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

  private typeDecl(t: NamedTypeDef): TypeDecl | null {
    this.unavailable = null;
    switch (t.kind) {
      case "enum":
        return this.enumType(t);
      case "typedef": {
        const type = this.declType(t.def.decl, `typedef ${t.name}`);
        if (type === null) return null;
        return { kind: "typedef", name: t.name, type, unavailable: this.unavailable, pos: t.pos };
      }
      case "struct": {
        const fields = this.fields(t.def.fields, `struct ${t.name}`);
        return { kind: "struct", name: t.name, fields, unavailable: this.unavailable, pos: t.pos };
      }
      case "union": {
        const u = new UnionChecker(this, this.scope, this.evaluator, this.diags).union(
          t.name,
          t.def,
        );
        return u === null ? null : { ...u, unavailable: this.unavailable };
      }
    }
  }

  /** An enum (RFC 4506 §4.3); members whose values are defined outside are left out. */
  private enumType(t: NamedTypeDef & { kind: "enum" }): EnumType {
    const members = [];
    const outside: string[] = [];
    const roots = new Set<string>();
    let firstOutside: Pos | null = null;
    for (let i = 0; i < t.def.members.length; i++) {
      const m = t.def.members[i]!;
      const v = this.evaluator.member(this.scope, t.def, i);
      if (v === null) continue;
      if (isOutside(v)) {
        outside.push(m.name);
        roots.add(v.outside);
        firstOutside ??= m.pos;
        continue;
      }
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
    if (firstOutside !== null) {
      const names = [...roots];
      this.diags.relaxed(
        firstOutside,
        "undefined-constant",
        `enum ${t.name}: ${listText(outside)} ${outside.length === 1 ? "is" : "are"} left out because ${listText(names)} ${names.length === 1 ? "is" : "are"} defined outside ${this.base}; its codec rejects values it cannot name (pass -D ${names[0]}=VALUE)`,
      );
    }
    return { kind: "enum", name: t.name, members, outside, pos: t.pos };
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
    const fixed = d.shape === "fixed";
    if (spec.kind === "builtin" && (spec.name === "string" || spec.name === "opaque")) {
      const size = d.size === null ? null : this.bound(d.size, where, fixed);
      if (spec.name === "string") {
        if (d.shape === "optional")
          return { kind: "optional", element: { kind: "string", max: null } };
        return { kind: "string", max: size };
      }
      return { kind: "opaque", fixed, size };
    }
    const base = this.typeSpec(spec, where);
    if (base === null) return null;
    // `void` in a declaration is always a whole arm (the parser reads it without a name).
    if (base.kind === "void") return base;
    switch (d.shape) {
      case "plain":
        return base;
      case "optional":
        return { kind: "optional", element: base };
      case "fixed":
      case "var":
        return {
          kind: "array",
          fixed,
          size: d.size === null ? null : this.bound(d.size, where, fixed),
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
      case "named": {
        const r = this.names.type(spec.name, spec.pos, spec.tag);
        if (r.kind === "found") {
          if (r.from !== this.scope.file) this.imports.set(spec.name, r.from);
          return r.type;
        }
        if (r.kind === "error") return null;
        this.external(spec.name, spec.pos);
        return { kind: "ref", name: spec.name };
      }
    }
  }

  /** Records a type defined outside the compiled files, with one warning per file and name. */
  private external(name: string, pos: Pos): void {
    if (this.externals.has(name)) return;
    this.externals.set(name, { kind: "external", name, pos });
    this.diags.relaxed(
      pos,
      "undefined-type",
      `type '${name}' is defined outside ${this.base}: it becomes 'unknown' and its codec fails until supplied (declare ${name} in a .x file given with --extern FILE.x, or call xdr_${name}.bind(codec) at run time)`,
    );
  }

  /**
   * A size (fixed) or bound (variable) that must be a 32-bit unsigned constant. One defined
   * outside the compiled files leaves a bound unchecked, and a fixed size makes the type being
   * checked unavailable (its codec fails at use); both say so.
   */
  private bound(v: Value, where: string, fixed: boolean): number | null {
    const n = this.evaluator.value(this.scope, v);
    if (n === null) return null;
    if (isOutside(n)) {
      const why = outsideWhy(show(v), n, this.base);
      const supply = `pass -D ${n.outside}=VALUE`;
      if (fixed) {
        this.unavailable ??= `${where}: size ${why}; regenerate with -D ${n.outside}=VALUE`;
        this.diags.relaxed(
          v.pos,
          "undefined-constant",
          `${where}: size ${why}, so its codec fails at use (${supply})`,
        );
      } else {
        this.diags.relaxed(
          v.pos,
          "undefined-constant",
          `${where}: bound ${why}, so the length is not checked (${supply})`,
        );
      }
      return null;
    }
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
    return this.names.declared(name);
  }

  /** Whether `name` is a type defined outside the compiled files (so far). */
  isExternal(name: string): boolean {
    return this.externals.has(name);
  }

  /** Follows typedefs by their declarations (types may not be checked yet). */
  resolveAlias(t: XType): XType {
    return this.names.resolveAlias(t);
  }
}
