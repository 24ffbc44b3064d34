/**
 * Phase 4, checking: syntax trees → the {@link Module} model. Resolves every name (within the
 * file, then across the other files of the same compilation, then rpcgen's C type names such as
 * `u_int`), evaluates every constant, and reports: undefined names, duplicate definitions,
 * discriminants that cannot switch, bounds that are not positive constants, case values out of
 * the discriminant's range or repeated, numbers out of range, and (in `analyze.ts`) recursion that
 * cannot terminate.
 */

import { analyze, type Facts } from "./analyze.js";
import type { Declaration, Definition, TypeSpec, UnionDef, Value } from "./ast.js";
import { type Declared, declare, derivedProgramNumber } from "./declare.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type {
  Arm,
  Field,
  Item,
  Module,
  Procedure,
  Program,
  TypeDecl,
  Version,
  XType,
} from "./model.js";
import { ConstEvaluator, type FileScope } from "./scope.js";

/** One file to check: its definitions, merged over the preprocessing passes. */
export interface CheckInput {
  readonly file: string;
  readonly definitions: readonly Definition[];
}

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
const C_SPELLINGS: Readonly<
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

class FileChecker {
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
        const p = this.program(it.def, it.name);
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
        return this.union(t.name, t.def);
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

  private union(name: string, def: UnionDef): TypeDecl | null {
    const dd = def.discriminant;
    const dtype = dd.name === null ? null : this.declType(dd, `union ${name} discriminant`);
    if (dd.name === null || dtype === null) {
      if (dd.name === null)
        this.diags.error(
          dd.pos,
          "bad-discriminant",
          `union ${name}: the discriminant cannot be void`,
        );
      return null;
    }
    const resolved = this.resolveAlias(dtype);
    let kind: "int" | "uint" | "bool" | "enum";
    let enumName: string | null = null;
    if (resolved.kind === "int" || resolved.kind === "uint" || resolved.kind === "bool")
      kind = resolved.kind;
    else if (resolved.kind === "ref" && this.lookup(resolved.name)?.kind === "enum") {
      kind = "enum";
      enumName = resolved.name;
    } else {
      this.diags.error(
        dd.pos,
        "bad-discriminant",
        `union ${name}: cannot switch on '${describe(dtype)}'; the discriminant must be int, unsigned int, bool or an enum`,
      );
      return null;
    }
    const discriminant: Field = { name: dd.name, type: dtype, pos: dd.pos };
    const seen = new Map<string, Pos>();
    const enumValues = enumName === null ? null : this.enumMembers(enumName);
    const arms: Arm[] = [];
    const armFields = new Set<string>();
    const armField = (d: Declaration, label: string): Field | null => {
      if (d.name === null) return null;
      let field = d.name;
      if (field === dd.name) {
        // C keeps them apart (`u.status` vs `status`); one TypeScript object cannot.
        field = `${field}_`;
        this.diags.warning(
          d.pos,
          "renamed-arm",
          `union ${name}: arm '${d.name}' has the discriminant's name; its property is '${field}'`,
        );
      }
      armFields.add(field);
      const type = this.declType(d, `union ${name} ${label}`);
      return type === null ? null : { name: field, type, pos: d.pos };
    };
    for (const arm of def.arms) {
      const values: (number | boolean)[] = [];
      for (const c of arm.cases) {
        const v = this.caseValue(c, kind, enumName, enumValues, name);
        if (v === null) continue;
        const key = String(v);
        const prev = seen.get(key);
        if (prev !== undefined) {
          this.diags.error(
            c.pos,
            "duplicate-case",
            `union ${name}: case ${show(c)} repeats a case value (first at ${prev.file}:${prev.line})`,
          );
          continue;
        }
        seen.set(key, c.pos);
        values.push(v);
      }
      arms.push({ values, field: armField(arm.decl, `case ${arm.cases.map(show).join(", ")}`) });
    }
    const defaultArm =
      def.defaultArm === null ? null : { field: armField(def.defaultArm, "default") };
    return {
      kind: "union",
      name,
      discriminant,
      discriminantKind: kind,
      enumName,
      arms,
      defaultArm,
      pos: def.pos,
    };
  }

  private caseValue(
    c: Value,
    kind: "int" | "uint" | "bool" | "enum",
    enumName: string | null,
    enumValues: ReadonlySet<number> | null,
    union: string,
  ): number | boolean | null {
    const v = this.enumCase(c, enumName) ?? this.evaluator.value(this.scope, c);
    if (v === null) return null;
    const bad = (why: string) => {
      this.diags.error(c.pos, "case-range", `union ${union}: case ${show(c)} ${why}`);
      return null;
    };
    switch (kind) {
      case "bool":
        return v === 1n ? true : v === 0n ? false : bad(`= ${v} is not a bool (TRUE or FALSE)`);
      case "uint":
        return v < 0n || v > U32_MAX
          ? bad(`= ${v} is outside the range of unsigned int`)
          : Number(v);
      case "int":
        return v < I32_MIN || v > I32_MAX ? bad(`= ${v} is outside the range of int`) : Number(v);
      case "enum":
        if (enumValues !== null && !enumValues.has(Number(v)))
          return bad(`= ${v} is not a value of enum ${enumName}`);
        return Number(v);
    }
  }

  /** A case label naming a member of the discriminant's own enum (members may repeat across enums). */
  private enumCase(c: Value, enumName: string | null): bigint | null {
    if (c.kind !== "name" || enumName === null) return null;
    const d = this.lookupDeclared(enumName);
    if (d === undefined || d.def.kind !== "enum") return null;
    const index = d.def.def.members.findIndex((m) => m.name === c.name);
    if (index < 0) return null;
    const v = this.evaluator.member(d.scope, d.def.def, index);
    return v === null ? null : c.negate ? -v : v;
  }

  private enumMembers(name: string): ReadonlySet<number> | null {
    const d = this.lookupDeclared(name);
    if (d === undefined || d.def.kind !== "enum") return null;
    const { scope, def } = d;
    const out = new Set<number>();
    def.def.members.forEach((_, i) => {
      const v = this.evaluator.member(scope, def.def as import("./ast.js").EnumDef, i);
      if (v !== null) out.add(Number(v));
    });
    return out;
  }

  // ---- types ----

  /** The XType a declaration gives its name (`null` after reporting a problem). */
  private declType(d: Declaration, where: string): XType | null {
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

  private lookupDeclared(name: string) {
    const scope = this.scope.types.has(name)
      ? this.scope
      : this.scopes.find((s) => s.types.has(name));
    const def = scope?.types.get(name);
    return scope === undefined || def === undefined ? undefined : { scope, def };
  }

  /** The declared kind of a type by name (this file first). */
  private lookup(name: string): { kind: string } | undefined {
    return this.lookupDeclared(name)?.def;
  }

  /** Follows typedefs by their declarations (types may not be checked yet). */
  private resolveAlias(t: XType): XType {
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

  private number(v: Value | null, what: string, fallback: number): number | null {
    if (v === null) return fallback;
    const n = this.evaluator.value(this.scope, v);
    if (n === null) return null;
    if (n < 0n || n > U32_MAX) {
      this.diags.error(
        v.pos,
        "number-range",
        `${what} ${show(v)} = ${n} is not an unsigned 32-bit number`,
      );
      return null;
    }
    return Number(n);
  }

  private program(def: import("./ast.js").ProgramDef, name: string): Program | null {
    let number = this.number(def.number, `program ${name} number`, 0);
    if (def.number === null) {
      number = derivedProgramNumber(name);
      const hex = `0x${number.toString(16)}`;
      this.diags.warning(
        def.pos,
        "derived-program-number",
        `interface ${name} has no program number; using ${hex}, derived from its name (pin it: interface ${name} { ... } = ${hex};)`,
      );
    }
    const versions: Version[] = [];
    const seenVersions = new Map<number, string>();
    for (const v of def.versions) {
      const vname = def.shorthand ? `${name}_V1` : v.name;
      const vnum = this.number(v.number, `version ${vname}`, 1);
      if (vnum === null) continue;
      const other = seenVersions.get(vnum);
      if (other !== undefined) {
        this.diags.error(
          v.pos,
          "duplicate-number",
          `program ${name}: versions ${other} and ${vname} share number ${vnum}`,
        );
      }
      seenVersions.set(vnum, vname);
      versions.push({
        name: vname,
        number: vnum,
        procedures: this.procedures(v, name, vname),
        pos: v.pos,
      });
    }
    return number === null
      ? null
      : { kind: "program", name, number, versions, shorthand: def.shorthand, pos: def.pos };
  }

  private procedures(v: import("./ast.js").VersionDef, prog: string, vname: string): Procedure[] {
    const out: Procedure[] = [];
    const byNumber = new Map<number, string>();
    const byName = new Set<string>();
    let next = 1;
    for (const p of v.procedures) {
      const where = `procedure ${p.name}`;
      const num = this.number(p.number, where, next);
      if (num === null) continue;
      next = num + 1;
      if (byName.has(p.name)) {
        this.diags.error(
          p.pos,
          "duplicate-definition",
          `${prog} ${vname}: duplicate procedure ${p.name}`,
        );
        continue;
      }
      byName.add(p.name);
      const other = byNumber.get(num);
      if (other !== undefined) {
        this.diags.error(
          p.pos,
          "duplicate-number",
          `${prog} ${vname}: procedures ${other} and ${p.name} share number ${num}`,
        );
        continue;
      }
      byNumber.set(num, p.name);
      const result = this.typeSpec(p.result, `${where} result`);
      const args: XType[] = [];
      let ok = result !== null;
      for (const a of p.args) {
        const t = this.typeSpec(a.type, `${where} argument`);
        if (t === null) ok = false;
        else if (t.kind === "void") {
          this.diags.error(a.pos, "void-use", `${where}: void must be the only argument`);
          ok = false;
        } else args.push(t);
      }
      if (ok)
        out.push({
          name: p.name,
          number: num,
          args,
          argNames: p.args.map((a) => a.name),
          result: result!,
          pos: p.pos,
        });
    }
    return out;
  }
}

function show(v: Value): string {
  if (v.kind === "expr") return `${v.negate ? "-" : ""}(${v.tokens.map((t) => t.text).join(" ")})`;
  return v.kind === "name" ? `${v.negate ? "-" : ""}${v.name}` : v.text;
}

/** A type as it would be written in the `.x` file, for messages. */
export function describe(t: XType): string {
  switch (t.kind) {
    case "ref":
      return t.name;
    case "uint":
      return "unsigned int";
    case "uhyper":
      return "unsigned hyper";
    case "string":
      return `string<${t.max ?? ""}>`;
    case "opaque":
      return t.fixed ? `opaque[${t.size}]` : `opaque<${t.size ?? ""}>`;
    case "array":
      return t.fixed
        ? `${describe(t.element)}[${t.size}]`
        : `${describe(t.element)}<${t.size ?? ""}>`;
    case "optional":
      return `${describe(t.element)} *`;
    default:
      return t.kind;
  }
}
