/**
 * Checker, programs (RFC 5531 §12): program, version and procedure numbers (unsigned 32-bit,
 * no two versions or procedures sharing one), procedure types, and the `interface` shorthand's
 * numbering (procedures 1.. in order, version 1, a program number derived from the name).
 */
import type { ProgramDef, TypeSpec, Value, VersionDef } from "./ast.js";
import { derivedProgramNumber } from "./declare.js";
import { outsideWhy, show } from "./describe.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { basename } from "./host.js";
import type { Procedure, Program, Version, XType } from "./model.js";
import { type ConstEvaluator, type FileScope, isOutside } from "./scope.js";

const U32_MAX = 0xffffffffn;

/** Checks the programs of one file. */
export class ProgramChecker {
  constructor(
    private readonly scope: FileScope,
    private readonly evaluator: ConstEvaluator,
    private readonly diags: DiagnosticBag,
    private readonly typeSpec: (spec: TypeSpec, where: string) => XType | null,
  ) {}

  /**
   * A program, version or procedure number: unsigned 32-bit. One defined outside the compiled
   * files leaves that program, version or procedure out of the descriptors, with a warning.
   */
  private number(v: Value | null, what: string, fallback: number): number | null {
    if (v === null) return fallback;
    const n = this.evaluator.value(this.scope, v);
    if (n === null) return null;
    if (isOutside(n)) {
      const why = outsideWhy(show(v), n, basename(this.scope.file));
      this.diags.relaxed(
        v.pos,
        "undefined-constant",
        `${what} is left out: its number ${why} (pass -D ${n.outside}=VALUE)`,
      );
      return null;
    }
    if (n < 0n || n > U32_MAX) {
      this.diags.error(
        v.pos,
        "number-range",
        `${what}: number ${show(v)} = ${n} is not an unsigned 32-bit number`,
      );
      return null;
    }
    return Number(n);
  }

  /** The checked program (`null` after reporting why it is left out). */
  program(def: ProgramDef, name: string): Program | null {
    let number = this.number(def.number, `program ${name}`, 0);
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

  private procedures(v: VersionDef, prog: string, vname: string): Procedure[] {
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
