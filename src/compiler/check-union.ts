/**
 * Checker, unions (RFC 4506 §4.15): the discriminant must be int, unsigned int, bool or an enum
 * (or a type defined outside the compiled files, coded as C would: by its routine); case values
 * must fit it (members of its enum, TRUE/FALSE for bool) and not repeat; an arm named like the
 * discriminant is renamed (one TypeScript object cannot hold both). Case values defined outside
 * the compiled files are kept aside: the codec fails on values it cannot place (see `emit-union.ts`).
 */
import type { Declaration, UnionDef, Value } from "./ast.js";
import { describe, listText, show } from "./describe.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { basename } from "./host.js";
import type { Arm, Field, UnionType, XType } from "./model.js";
import {
  type ConstEvaluator,
  type ConstValue,
  type FileScope,
  isOutside,
  type NamedTypeDef,
  type Outside,
} from "./scope.js";

const U32_MAX = 0xffffffffn;
const I32_MIN = -0x80000000n;
const I32_MAX = 0x7fffffffn;

/** What the union checker needs from the file checker. */
export interface TypeResolver {
  declType(d: Declaration, where: string): XType | null;
  resolveAlias(t: XType): XType;
  lookupDeclared(name: string): { scope: FileScope; def: NamedTypeDef } | undefined;
  isExternal(name: string): boolean;
}

type DiscriminantKind = UnionType["discriminantKind"];

/** Checks union definitions of one file. */
export class UnionChecker {
  constructor(
    private readonly file: TypeResolver,
    private readonly scope: FileScope,
    private readonly evaluator: ConstEvaluator,
    private readonly diags: DiagnosticBag,
  ) {}

  /** The checked union, without its `unavailable` reason (the file checker adds it). */
  union(name: string, def: UnionDef): Omit<UnionType, "unavailable"> | null {
    const dd = def.discriminant;
    if (dd.name === null) {
      this.diags.error(
        dd.pos,
        "bad-discriminant",
        `union ${name}: the discriminant cannot be void`,
      );
      return null;
    }
    const dtype = this.file.declType(dd, `union ${name} discriminant`);
    if (dtype === null) return null;
    const switchOn = this.discriminantKind(dtype);
    if (switchOn === null) {
      this.diags.error(
        dd.pos,
        "bad-discriminant",
        `union ${name}: cannot switch on '${describe(dtype)}'; the discriminant must be int, unsigned int, bool or an enum`,
      );
      return null;
    }
    const discriminant: Field = { name: dd.name, type: dtype, pos: dd.pos };
    const arm = (d: Declaration, label: string) => this.armField(name, discriminant.name, d, label);
    return {
      kind: "union",
      name,
      discriminant,
      discriminantKind: switchOn.kind,
      enumName: switchOn.enumName,
      arms: this.arms(name, def, switchOn, arm),
      defaultArm: def.defaultArm === null ? null : { field: arm(def.defaultArm, "default") },
      pos: def.pos,
    };
  }

  /** The `case` arms: values checked and not repeated, those defined outside set aside. */
  private arms(
    name: string,
    def: UnionDef,
    switchOn: { readonly kind: DiscriminantKind; readonly enumName: string | null },
    armField: (d: Declaration, label: string) => Field | null,
  ): Arm[] {
    const seen = new Map<string, Pos>();
    const enumValues = switchOn.enumName === null ? null : this.enumMembers(switchOn.enumName);
    const arms: Arm[] = [];
    const roots = new Set<string>();
    let firstOutside: Pos | null = null;
    for (const arm of def.arms) {
      const values: (number | boolean)[] = [];
      const outside: string[] = [];
      for (const c of arm.cases) {
        const v = this.caseValue(c, switchOn.kind, switchOn.enumName, enumValues, name);
        if (v === null) continue;
        if (typeof v === "object") {
          outside.push(show(c));
          roots.add(v.outside);
          firstOutside ??= c.pos;
          continue;
        }
        const prev = seen.get(String(v));
        if (prev !== undefined) {
          this.diags.error(
            c.pos,
            "duplicate-case",
            `union ${name}: case ${show(c)} repeats a case value (first at ${prev.file}:${prev.line})`,
          );
          continue;
        }
        seen.set(String(v), c.pos);
        values.push(v);
      }
      const field = armField(arm.decl, `case ${arm.cases.map(show).join(", ")}`);
      arms.push({ values, outside, field });
    }
    if (firstOutside !== null) this.warnOutside(name, arms, [...roots], firstOutside);
    return arms;
  }

  /** One warning per union for its case values defined outside the compiled files. */
  private warnOutside(name: string, arms: readonly Arm[], roots: readonly string[], at: Pos): void {
    const labels = arms.flatMap((a) => a.outside);
    const partly = arms.some((a) => a.values.length > 0);
    this.diags.relaxed(
      at,
      "undefined-constant",
      `union ${name}: case ${listText(labels)} ${labels.length === 1 ? "is" : "are"} defined outside ${basename(this.scope.file)}, so its codec fails ${partly ? "on values no other case lists" : "at use"} (pass -D ${roots[0]}=VALUE)`,
    );
  }

  /** An arm's field; one named like the discriminant is renamed (with a warning). */
  private armField(union: string, disc: string, d: Declaration, label: string): Field | null {
    if (d.name === null) return null;
    let field = d.name;
    if (field === disc) {
      // C keeps them apart (`u.status` vs `status`); one TypeScript object cannot.
      field = `${field}_`;
      this.diags.warning(
        d.pos,
        "renamed-arm",
        `union ${union}: arm '${d.name}' has the discriminant's name; its property is '${field}'`,
      );
    }
    const type = this.file.declType(d, `union ${union} ${label}`);
    return type === null ? null : { name: field, type, pos: d.pos };
  }

  /**
   * How a discriminant of type `t` switches: int, unsigned int, bool, an enum — or a type
   * defined outside, which C switches on as an integer (RFC 4506 §4.15 allows nothing else).
   */
  private discriminantKind(
    t: XType,
  ): { readonly kind: DiscriminantKind; readonly enumName: string | null } | null {
    const resolved = this.file.resolveAlias(t);
    if (resolved.kind === "int" || resolved.kind === "uint" || resolved.kind === "bool")
      return { kind: resolved.kind, enumName: null };
    if (resolved.kind !== "ref") return null;
    if (this.file.lookupDeclared(resolved.name)?.def.kind === "enum")
      return { kind: "enum", enumName: resolved.name };
    return this.file.isExternal(resolved.name) ? { kind: "int", enumName: null } : null;
  }

  private caseValue(
    c: Value,
    kind: DiscriminantKind,
    enumName: string | null,
    enumValues: ReadonlySet<number> | null,
    union: string,
  ): number | boolean | Outside | null {
    const v = this.enumCase(c, enumName) ?? this.evaluator.value(this.scope, c);
    if (v === null || isOutside(v)) return v;
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

  /**
   * A case label naming a member of the discriminant's own enum (members may repeat across
   * enums); `undefined` when the label is not such a name.
   */
  private enumCase(c: Value, enumName: string | null): ConstValue | undefined {
    if (c.kind !== "name" || enumName === null) return undefined;
    const d = this.file.lookupDeclared(enumName);
    if (d === undefined || d.def.kind !== "enum") return undefined;
    const index = d.def.def.members.findIndex((m) => m.name === c.name);
    if (index < 0) return undefined;
    const v = this.evaluator.member(d.scope, d.def.def, index);
    return typeof v === "bigint" && c.negate ? -v : v;
  }

  private enumMembers(name: string): ReadonlySet<number> | null {
    const d = this.file.lookupDeclared(name);
    if (d === undefined || d.def.kind !== "enum") return null;
    const { scope, def } = d;
    const out = new Set<number>();
    def.def.members.forEach((_, i) => {
      const v = this.evaluator.member(scope, def.def, i);
      if (typeof v === "bigint") out.add(Number(v));
    });
    return out;
  }
}
