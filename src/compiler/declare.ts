/**
 * Checker, first step: what each file declares. Walks the syntax tree once, gives anonymous
 * nested struct/union/enum declarations their names (xdrgen's rule: the parent's name plus the
 * field name in CamelCase, `LedgerEntry.data` → `LedgerEntryData`), and fills the file's
 * {@link FileScope}, reporting duplicate definitions.
 */
import type {
  Declaration,
  Definition,
  EnumDef,
  ProgramDef,
  StructDef,
  TypeSpec,
  UnionDef,
} from "./ast.js";
import { DiagnosticBag, type Pos } from "./diagnostics.js";
import { basename } from "./host.js";
import { scan } from "./scanner.js";
import { FileScope, type NamedTypeDef } from "./scope.js";

/** A definition in source order, with nested anonymous types hoisted before their parent. */
export type DeclaredItem =
  | { readonly kind: "type"; readonly type: NamedTypeDef }
  | { readonly kind: "const"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "program"; readonly def: ProgramDef; readonly name: string }
  | { readonly kind: "passthrough"; readonly text: string; readonly pos: Pos };

/** What {@link declare} found in one file. */
export interface Declared {
  readonly scope: FileScope;
  readonly items: DeclaredItem[];
  /** Names given to inline (anonymous or nested) type specifiers. */
  readonly inlineNames: Map<TypeSpec, string>;
}

/** `foo_bar` → `FooBar`, `v1` → `V1` (Ruby's `camelize`, as xdrgen names nested types). */
export function camelizeUpper(s: string): string {
  return s
    .split("_")
    .filter((p) => p !== "")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/** The program name an anonymous `interface` gets: the file's base name in capitals. */
export function interfaceNameFor(file: string): string {
  const base = basename(file).replace(/\.[^.]*$/, "");
  let name = base.replace(/[^A-Za-z0-9_]/g, "_").toUpperCase();
  if (!/^[A-Za-z_]/.test(name)) name = `X_${name}`;
  return name;
}

/**
 * The program number of an `interface` written without `= NUMBER`: FNV-1a (32 bit) of its name,
 * folded into the user-defined range 0x20000000–0x3fffffff (RFC 5531 §9: "defined by user").
 * Deterministic, so clients and servers built from the same file agree.
 */
export function derivedProgramNumber(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 0x20000000 + (h % 0x20000000);
}

/** Two declarations written the same way (for repeated identical typedefs). */
function sameDecl(a: Declaration, b: Declaration): boolean {
  const key = (d: Declaration) =>
    JSON.stringify(
      [
        d.type.kind === "inline" ? d.type.pos : { ...d.type, pos: 0 },
        d.shape,
        d.size === null ? null : { ...d.size, pos: 0 },
      ],
      (_, v) => (typeof v === "bigint" ? v.toString() : v),
    );
  return key(a) === key(b);
}

function where(pos: Pos): string {
  return `${pos.file}:${pos.line}`;
}

/** Registers one file's definitions. */
export function declare(file: string, defs: readonly Definition[], diags: DiagnosticBag): Declared {
  const scope = new FileScope(file);
  const items: DeclaredItem[] = [];
  const inlineNames = new Map<TypeSpec, string>();

  const addType = (t: NamedTypeDef): void => {
    const prev = scope.types.get(t.name);
    if (prev?.kind === "typedef" && t.kind === "typedef" && sameDecl(prev.def.decl, t.def.decl)) {
      diags.warning(
        t.pos,
        "redefinition",
        `typedef ${t.name} repeats the identical definition at ${where(prev.pos)}`,
      );
      return;
    }
    if (prev !== undefined) {
      diags.error(
        t.pos,
        "duplicate-definition",
        `duplicate definition of type '${t.name}' (first defined at ${where(prev.pos)})`,
      );
      return;
    }
    const c = scope.consts.get(t.name);
    if (c !== undefined) {
      diags.error(
        t.pos,
        "duplicate-definition",
        `'${t.name}' is already defined as a constant (at ${where(c.kind === "const" ? c.def.pos : c.pos)})`,
      );
      return;
    }
    scope.types.set(t.name, t);
    items.push({ kind: "type", type: t });
  };

  const addConst = (name: string, src: import("./scope.js").ConstSource, pos: Pos): boolean => {
    const prev = scope.consts.get(name);
    if (prev !== undefined) {
      // Procedure (and program, version) names repeat across versions: rpcgen #defines them again.
      if (prev.kind === "number" && src.kind === "number") return false;
      // Members of different enums may share a name (xdrpp scopes them; the constant is the first).
      if (prev.kind === "member" && src.kind === "member" && prev.enumDef !== src.enumDef)
        return false;
      const at = prev.kind === "const" ? prev.def.pos : prev.pos;
      diags.error(
        pos,
        "duplicate-definition",
        `duplicate definition of '${name}' (first defined at ${where(at)})`,
      );
      return false;
    }
    const t = scope.types.get(name);
    if (t !== undefined) {
      diags.error(
        pos,
        "duplicate-definition",
        `'${name}' is already defined as a type (at ${where(t.pos)})`,
      );
      return false;
    }
    scope.consts.set(name, src);
    return true;
  };

  /** Names and hoists the inline types inside a declaration, before its parent. */
  const nested = (parent: string, decl: Declaration): void => {
    if (decl.type.kind !== "inline") return;
    const d = decl.type.def;
    const name = d.name ?? parent + camelizeUpper(decl.name ?? "void");
    inlineNames.set(decl.type, name);
    typeDef(d, name);
  };

  const typeDef = (d: StructDef | UnionDef | EnumDef, name: string): void => {
    if (d.kind === "struct") {
      for (const f of d.fields) nested(name, f);
      addType({ kind: "struct", name, def: d, pos: d.pos });
    } else if (d.kind === "union") {
      nested(name, d.discriminant);
      for (const a of d.arms) nested(name, a.decl);
      if (d.defaultArm !== null) nested(name, d.defaultArm);
      addType({ kind: "union", name, def: d, pos: d.pos });
    } else {
      addType({ kind: "enum", name, def: d, pos: d.pos });
      d.members.forEach((m, index) => {
        addConst(m.name, { kind: "member", enumDef: d, index, pos: m.pos }, m.pos);
      });
    }
  };

  for (const def of defs) {
    switch (def.kind) {
      case "passthrough": {
        items.push({ kind: "passthrough", text: def.text, pos: def.pos });
        const m = /^\s*#\s*define\s+([A-Za-z_]\w*)(?![\w(])\s*(.*)$/s.exec(def.text);
        if (m !== null && m[2]!.trim() !== "") {
          const body = scan(m[2]!.replace(/\\\r?\n/g, " "), def.pos.file, new DiagnosticBag(), {
            lines: false,
            line: def.pos.line,
          }).slice(0, -1);
          if (!scope.cDefines.has(m[1]!)) scope.cDefines.set(m[1]!, { body, pos: def.pos });
        }
        break;
      }
      case "const":
        if (addConst(def.name, { kind: "const", def }, def.pos)) {
          items.push({ kind: "const", name: def.name, pos: def.pos });
        }
        break;
      case "typedef": {
        const decl = def.decl;
        const name = decl.name;
        if (name === null) {
          diags.error(def.pos, "void-typedef", "a typedef cannot be void");
          break;
        }
        if (decl.type.kind === "inline") {
          if (decl.shape === "plain") {
            inlineNames.set(decl.type, name);
            typeDef(decl.type.def, name);
            break;
          }
          nested(name, decl);
        }
        // `typedef struct foo foo;`: the struct already has that name.
        if (decl.type.kind === "named" && decl.type.name === name && decl.shape === "plain") break;
        addType({ kind: "typedef", name, def, pos: decl.pos });
        break;
      }
      case "struct":
      case "union":
      case "enum":
        typeDef(def, def.name ?? "");
        break;
      case "program": {
        const name = def.name === "" ? interfaceNameFor(file) : def.name;
        scope.programs.push(def);
        items.push({ kind: "program", def, name });
        const fixed = def.number === null ? BigInt(derivedProgramNumber(name)) : undefined;
        addConst(
          name,
          { kind: "number", what: "program", value: def.number, pos: def.pos, fixed },
          def.pos,
        );
        for (const v of def.versions) {
          const vname = def.shorthand ? `${name}_V1` : v.name;
          addConst(
            vname,
            {
              kind: "number",
              what: "version",
              value: v.number,
              pos: v.pos,
              fixed: def.shorthand ? 1n : undefined,
            },
            v.pos,
          );
          let next = 1n;
          for (const p of v.procedures) {
            const fixed = p.number === null ? next : undefined;
            addConst(
              p.name,
              { kind: "number", what: "procedure", value: p.number, pos: p.pos, fixed },
              p.pos,
            );
            next = p.number?.kind === "number" ? p.number.value + 1n : next + 1n;
          }
        }
        break;
      }
    }
  }
  return { scope, items, inlineNames };
}
