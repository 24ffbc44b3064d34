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
  TypedefDef,
  TypeSpec,
  UnionDef,
  Value,
} from "./ast.js";
import { DiagnosticBag, type Pos } from "./diagnostics.js";
import { basename } from "./host.js";
import { scan } from "./scanner.js";
import { type ConstSource, FileScope, type NamedTypeDef } from "./scope.js";

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
function interfaceNameFor(file: string): string {
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

/**
 * Registers one file's definitions (RFC 4506 §6.3 and RFC 5531 §12 names: types, constants,
 * enum members, and program, version and procedure names, which rpcgen also `#define`s).
 */
export function declare(file: string, defs: readonly Definition[], diags: DiagnosticBag): Declared {
  const d = new Declarer(file, diags);
  for (const def of defs) d.definition(def);
  return { scope: d.scope, items: d.items, inlineNames: d.inlineNames };
}

/** The state of one {@link declare}. */
class Declarer {
  readonly scope: FileScope;
  readonly items: DeclaredItem[] = [];
  readonly inlineNames = new Map<TypeSpec, string>();

  constructor(
    private readonly file: string,
    private readonly diags: DiagnosticBag,
  ) {
    this.scope = new FileScope(file);
  }

  definition(def: Definition): void {
    switch (def.kind) {
      case "passthrough":
        this.passthrough(def.text, def.pos);
        return;
      case "const":
        if (this.addConst(def.name, { kind: "const", def }, def.pos)) {
          this.items.push({ kind: "const", name: def.name, pos: def.pos });
        }
        return;
      case "typedef":
        this.typedef(def);
        return;
      case "struct":
      case "union":
      case "enum":
        this.typeDef(def, def.name ?? "");
        return;
      case "program":
        this.program(def);
        return;
    }
  }

  /** A `%` line; `%#define NAME body` is remembered for names nothing else defines. */
  private passthrough(text: string, pos: Pos): void {
    this.items.push({ kind: "passthrough", text, pos });
    const m = /^\s*#\s*define\s+([A-Za-z_]\w*)(?![\w(])\s*(.*)$/s.exec(text);
    if (m === null || m[2]!.trim() === "" || this.scope.cDefines.has(m[1]!)) return;
    const body = scan(m[2]!.replace(/\\\r?\n/g, " "), pos.file, new DiagnosticBag(), {
      lines: false,
      line: pos.line,
    }).slice(0, -1);
    this.scope.cDefines.set(m[1]!, { body, pos });
  }

  private typedef(def: TypedefDef): void {
    const decl = def.decl;
    const name = decl.name;
    if (name === null) {
      this.diags.error(def.pos, "void-typedef", "a typedef cannot be void");
      return;
    }
    if (decl.type.kind === "inline") {
      if (decl.shape === "plain") {
        this.inlineNames.set(decl.type, name);
        this.typeDef(decl.type.def, name);
        return;
      }
      this.nested(name, decl);
    }
    // `typedef struct foo foo;`: the struct already has that name.
    if (decl.type.kind === "named" && decl.type.name === name && decl.shape === "plain") return;
    this.addType({ kind: "typedef", name, def, pos: decl.pos });
  }

  /** A program: its name, its versions' and its procedures' names are constants. */
  private program(def: ProgramDef): void {
    const name = def.name === "" ? interfaceNameFor(this.file) : def.name;
    this.items.push({ kind: "program", def, name });
    const derived = def.number === null ? BigInt(derivedProgramNumber(name)) : undefined;
    this.addNumber(name, "program", def.number, def.pos, derived);
    for (const v of def.versions) {
      const vname = def.shorthand ? `${name}_V1` : v.name;
      this.addNumber(vname, "version", v.number, v.pos, def.shorthand ? 1n : undefined);
      let next = 1n;
      for (const p of v.procedures) {
        this.addNumber(p.name, "procedure", p.number, p.pos, p.number === null ? next : undefined);
        next = p.number?.kind === "number" ? p.number.value + 1n : next + 1n;
      }
    }
  }

  /** A program, version or procedure name as a constant (`fixed`: numbered implicitly). */
  private addNumber(
    name: string,
    what: string,
    value: Value | null,
    pos: Pos,
    fixed: bigint | undefined,
  ): void {
    this.addConst(name, { kind: "number", what, value, pos, fixed }, pos);
  }

  private addType(t: NamedTypeDef): void {
    const prev = this.scope.types.get(t.name);
    if (prev?.kind === "typedef" && t.kind === "typedef" && sameDecl(prev.def.decl, t.def.decl)) {
      this.diags.warning(
        t.pos,
        "redefinition",
        `typedef ${t.name} repeats the identical definition at ${where(prev.pos)}`,
      );
      return;
    }
    if (prev !== undefined) {
      this.diags.error(
        t.pos,
        "duplicate-definition",
        `duplicate definition of type '${t.name}' (first defined at ${where(prev.pos)})`,
      );
      return;
    }
    const c = this.scope.consts.get(t.name);
    if (c !== undefined) {
      this.diags.error(
        t.pos,
        "duplicate-definition",
        `'${t.name}' is already defined as a constant (at ${where(c.kind === "const" ? c.def.pos : c.pos)})`,
      );
      return;
    }
    this.scope.types.set(t.name, t);
    this.items.push({ kind: "type", type: t });
  }

  private addConst(name: string, src: ConstSource, pos: Pos): boolean {
    const prev = this.scope.consts.get(name);
    if (prev !== undefined) {
      // Procedure (and program, version) names repeat across versions: rpcgen #defines them again.
      if (prev.kind === "number" && src.kind === "number") return false;
      // Members of different enums may share a name (xdrpp scopes them; the constant is the first).
      if (prev.kind === "member" && src.kind === "member" && prev.enumDef !== src.enumDef)
        return false;
      const at = prev.kind === "const" ? prev.def.pos : prev.pos;
      this.diags.error(
        pos,
        "duplicate-definition",
        `duplicate definition of '${name}' (first defined at ${where(at)})`,
      );
      return false;
    }
    const t = this.scope.types.get(name);
    if (t !== undefined) {
      this.diags.error(
        pos,
        "duplicate-definition",
        `'${name}' is already defined as a type (at ${where(t.pos)})`,
      );
      return false;
    }
    this.scope.consts.set(name, src);
    return true;
  }

  /** Names and hoists the inline types inside a declaration, before its parent. */
  private nested(parent: string, decl: Declaration): void {
    if (decl.type.kind !== "inline") return;
    const d = decl.type.def;
    const name = d.name ?? parent + camelizeUpper(decl.name ?? "void");
    this.inlineNames.set(decl.type, name);
    this.typeDef(d, name);
  }

  private typeDef(d: StructDef | UnionDef | EnumDef, name: string): void {
    if (d.kind === "struct") {
      for (const f of d.fields) this.nested(name, f);
      this.addType({ kind: "struct", name, def: d, pos: d.pos });
    } else if (d.kind === "union") {
      this.nested(name, d.discriminant);
      for (const a of d.arms) this.nested(name, a.decl);
      if (d.defaultArm !== null) this.nested(name, d.defaultArm);
      this.addType({ kind: "union", name, def: d, pos: d.pos });
    } else {
      this.addType({ kind: "enum", name, def: d, pos: d.pos });
      d.members.forEach((m, index) => {
        this.addConst(m.name, { kind: "member", enumDef: d, index, pos: m.pos }, m.pos);
      });
    }
  }
}
