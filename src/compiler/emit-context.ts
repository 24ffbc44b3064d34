/**
 * What the emitter needs to know while writing one module: how to look types up (across files),
 * the facts about them, the printer (for imports), and the names chosen for TypeScript.
 */
import { type Facts, lookupType, type TypeFacts } from "./analyze.js";
import type { Module, TypeDecl, XType } from "./model.js";
import { codecName, tsName } from "./names.js";
import type { Printer } from "./printer.js";

/** Emission context for one module. */
export class EmitContext {
  constructor(
    readonly modules: readonly Module[],
    readonly module: Module,
    readonly facts: Facts,
    readonly printer: Printer,
    /** Module specifier of the runtime (`lupine`). */
    readonly runtime: string,
    /** Module specifier for another compiled file's output, from this one's. */
    readonly specifierFor: (file: string) => string,
  ) {}

  /** The namespace object with the XDR layer (`$xdr`), imported on first use. */
  get xdr(): string {
    this.printer.use(this.runtime, "xdr", { alias: "$xdr" });
    return "$xdr";
  }

  lookup(name: string): TypeDecl | undefined {
    return lookupType(this.modules, this.module, name);
  }

  factsOf(decl: TypeDecl): TypeFacts {
    return this.facts.get(decl) ?? { minSize: 0, listField: null, recursive: false };
  }

  /** The TypeScript type name for a `.x` type, importing it from another file if needed. */
  typeRef(name: string): string {
    const from = this.module.imports.get(name);
    if (from !== undefined && !this.module.types.has(name)) {
      this.printer.use(this.specifierFor(from), tsName(name), { type: true });
    }
    return tsName(name);
  }

  /** The codec constant for a `.x` type, importing it from another file if needed. */
  codecRef(name: string): string {
    const from = this.module.imports.get(name);
    if (from !== undefined && !this.module.types.has(name)) {
      this.printer.use(this.specifierFor(from), codecName(name));
    }
    return codecName(name);
  }

  /** Follows typedefs to what a type really is. */
  resolve(t: XType): XType {
    let cur = t;
    for (let guard = 0; cur.kind === "ref" && guard < 100; guard++) {
      const d = this.lookup(cur.name);
      if (d === undefined || d.kind !== "typedef") return cur;
      cur = d.type;
    }
    return cur;
  }

  /** The fewest bytes an encoding of `t` takes. */
  minSize(t: XType): number {
    switch (t.kind) {
      case "ref": {
        const d = this.lookup(t.name);
        return d === undefined ? 0 : this.factsOf(d).minSize;
      }
      case "void":
        return 0;
      case "hyper":
      case "uhyper":
      case "double":
        return 8;
      case "quadruple":
        return 16;
      case "opaque":
        return t.fixed ? (t.size ?? 0) + ((4 - ((t.size ?? 0) & 3)) & 3) : 4;
      case "array":
        return t.fixed ? (t.size ?? 0) * this.minSize(t.element) : 4;
      default:
        return 4;
    }
  }

  /** The TypeScript type of values of `t`. */
  tsType(t: XType): string {
    switch (t.kind) {
      case "int":
      case "uint":
      case "float":
      case "double":
        return "number";
      case "hyper":
      case "uhyper":
        return "bigint";
      case "bool":
        return "boolean";
      case "quadruple":
        return `${this.xdr}.Quadruple`;
      case "void":
        return "void";
      case "string":
        return "string";
      case "opaque":
        return "Uint8Array";
      case "array": {
        const e = this.tsType(t.element);
        return /^[\w$.]+$/.test(e) ? `${e}[]` : `(${e})[]`;
      }
      case "optional":
        return `${this.tsType(t.element)} | null`;
      case "ref":
        return this.typeRef(t.name);
    }
  }
}
