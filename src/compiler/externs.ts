/**
 * `lupine gen --extern FILE.x`: declarations of what the inputs use but do not define, as a C
 * header supplies what rpcgen's output leaves to the C compiler (`netbuf`, `dev_t`, `FHSIZE3`).
 * Each input's module gets copies of the extern definitions it needs — the names it uses and
 * no input defines, and what those definitions need in turn — placed before its own, as if
 * `#include`d. An extern file's programs and `%` lines are not copied: it supplies types and
 * constants. Nothing else of it is written, so each output stays one self-contained module.
 */
import type { Declaration, Definition, TypeSpec, Value } from "./ast.js";
import { camelizeUpper } from "./declare.js";

/** The names a definition defines: its own, enum members, and names of nested inline types. */
function definedNames(d: Definition): string[] {
  const out: string[] = [];
  const inline = (parent: string, decl: Declaration): void => {
    if (decl.type.kind !== "inline") return;
    const def = decl.type.def;
    body(def, def.name ?? parent + camelizeUpper(decl.name ?? "void"));
  };
  const body = (def: Extract<Definition, { kind: "struct" | "union" | "enum" }>, name: string) => {
    out.push(name);
    if (def.kind === "enum") for (const m of def.members) out.push(m.name);
    else if (def.kind === "struct") for (const f of def.fields) inline(name, f);
    else {
      inline(name, def.discriminant);
      for (const a of def.arms) inline(name, a.decl);
      if (def.defaultArm !== null) inline(name, def.defaultArm);
    }
  };
  switch (d.kind) {
    case "const":
      out.push(d.name);
      break;
    case "typedef":
      if (d.decl.name === null) break;
      if (d.decl.type.kind === "inline" && d.decl.shape === "plain")
        body(d.decl.type.def, d.decl.name);
      else {
        out.push(d.decl.name);
        inline(d.decl.name, d.decl);
      }
      break;
    case "struct":
    case "union":
    case "enum":
      if (d.name !== null) body(d, d.name);
      break;
    default:
      break;
  }
  return out;
}

/** The names a type or constant definition refers to (types and constants alike). */
function referencedNames(d: Definition): Set<string> {
  const out = new Set<string>();
  const value = (v: Value | null): void => {
    if (v?.kind === "name") out.add(v.name);
    else if (v?.kind === "expr") for (const t of v.tokens) if (t.kind === "ident") out.add(t.text);
  };
  const spec = (t: TypeSpec): void => {
    if (t.kind === "named") out.add(t.name);
    else if (t.kind === "inline") def(t.def);
  };
  const decl = (x: Declaration): void => {
    spec(x.type);
    value(x.size);
  };
  const def = (x: Definition): void => {
    switch (x.kind) {
      case "const":
        value(x.value);
        break;
      case "typedef":
        decl(x.decl);
        break;
      case "enum":
        for (const m of x.members) value(m.value);
        break;
      case "struct":
        for (const f of x.fields) decl(f);
        break;
      case "union":
        decl(x.discriminant);
        for (const a of x.arms) {
          for (const c of a.cases) value(c);
          decl(a.decl);
        }
        if (x.defaultArm !== null) decl(x.defaultArm);
        break;
      case "program":
        for (const v of x.versions)
          for (const p of v.procedures) {
            spec(p.result);
            for (const a of p.args) spec(a.type);
            value(p.number);
          }
        break;
      case "passthrough":
        break;
    }
  };
  def(d);
  return out;
}

/**
 * Each input's definitions preceded by the extern definitions it needs: those defining a name
 * the input uses (directly or through another extern definition) that no input defines.
 */
export function supplyExterns(
  inputs: readonly (readonly Definition[])[],
  externs: readonly Definition[],
): Definition[][] {
  if (externs.length === 0) return inputs.map((defs) => [...defs]);
  const ownNames = new Set(inputs.flatMap((defs) => defs.flatMap(definedNames)));
  const provider = new Map<string, Definition>();
  for (const d of externs) {
    if (d.kind === "program" || d.kind === "passthrough") continue;
    for (const n of definedNames(d)) if (!ownNames.has(n) && !provider.has(n)) provider.set(n, d);
  }
  return inputs.map((defs) => {
    const chosen = new Set<Definition>();
    const queue = defs.flatMap((d) => [...referencedNames(d)]);
    for (let n = queue.pop(); n !== undefined; n = queue.pop()) {
      const d = provider.get(n);
      if (d === undefined || chosen.has(d)) continue;
      chosen.add(d);
      queue.push(...referencedNames(d));
    }
    return [...externs.filter((d) => chosen.has(d)), ...defs];
  });
}
