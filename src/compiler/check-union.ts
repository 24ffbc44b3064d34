/**
 * Checker, unions (RFC 4506 §4.15): the discriminant must be int, unsigned int, bool or an enum;
 * case values must fit it (members of its enum, TRUE/FALSE for bool) and not repeat; an arm named
 * like the discriminant is renamed (one TypeScript object cannot hold both).
 */
import type { Declaration, EnumDef, UnionDef, Value } from "./ast.js";
import { describe, show } from "./describe.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type { Arm, Field, TypeDecl, XType } from "./model.js";
import type { ConstEvaluator, FileScope, NamedTypeDef } from "./scope.js";

const U32_MAX = 0xffffffffn;
const I32_MIN = -0x80000000n;
const I32_MAX = 0x7fffffffn;

/** What the union checker needs from the file checker. */
export interface TypeResolver {
  declType(d: Declaration, where: string): XType | null;
  resolveAlias(t: XType): XType;
  lookupDeclared(name: string): { scope: FileScope; def: NamedTypeDef } | undefined;
  lookup(name: string): { kind: string } | undefined;
}

/** Checks union definitions of one file. */
export class UnionChecker {
  constructor(
    private readonly file: TypeResolver,
    private readonly scope: FileScope,
    private readonly evaluator: ConstEvaluator,
    private readonly diags: DiagnosticBag,
  ) {}

  union(name: string, def: UnionDef): TypeDecl | null {
    const dd = def.discriminant;
    const dtype = dd.name === null ? null : this.file.declType(dd, `union ${name} discriminant`);
    if (dd.name === null || dtype === null) {
      if (dd.name === null)
        this.diags.error(
          dd.pos,
          "bad-discriminant",
          `union ${name}: the discriminant cannot be void`,
        );
      return null;
    }
    const resolved = this.file.resolveAlias(dtype);
    let kind: "int" | "uint" | "bool" | "enum";
    let enumName: string | null = null;
    if (resolved.kind === "int" || resolved.kind === "uint" || resolved.kind === "bool")
      kind = resolved.kind;
    else if (resolved.kind === "ref" && this.file.lookup(resolved.name)?.kind === "enum") {
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
      const type = this.file.declType(d, `union ${name} ${label}`);
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
    const d = this.file.lookupDeclared(enumName);
    if (d === undefined || d.def.kind !== "enum") return null;
    const index = d.def.def.members.findIndex((m) => m.name === c.name);
    if (index < 0) return null;
    const v = this.evaluator.member(d.scope, d.def.def, index);
    return v === null ? null : c.negate ? -v : v;
  }

  private enumMembers(name: string): ReadonlySet<number> | null {
    const d = this.file.lookupDeclared(name);
    if (d === undefined || d.def.kind !== "enum") return null;
    const { scope, def } = d;
    const out = new Set<number>();
    def.def.members.forEach((_, i) => {
      const v = this.evaluator.member(scope, def.def as EnumDef, i);
      if (v !== null) out.add(Number(v));
    });
    return out;
  }
}
