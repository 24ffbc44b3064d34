/**
 * What the emitter needs to know while writing one module: how to look types up (across files),
 * the facts about them, the printer (for imports), and the names chosen for TypeScript.
 */
import { encodedMinSize, type Facts, lookupType, type TypeFacts } from "./analyze.js";
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

  /** The type `name` means in this module (its own, or imported from another). */
  lookup(name: string): TypeDecl | undefined {
    return lookupType(this.modules, this.module, name);
  }

  /** What the analysis found about `decl`. */
  factsOf(decl: TypeDecl): TypeFacts {
    return (
      this.facts.get(decl) ?? { minSize: 0, listField: null, recursive: false, infinite: null }
    );
  }

  /**
   * Why the codec of `decl` cannot work — a fixed size defined outside the compiled files, or no
   * finite value — or `null`. Such a codec is emitted as one that throws this as an `XdrError`.
   */
  failure(decl: TypeDecl): string | null {
    const own = decl.kind === "enum" || decl.kind === "external" ? null : decl.unavailable;
    return own ?? this.factsOf(decl).infinite;
  }

  /** The file name generated code names in messages (`mount.x`). */
  get fileName(): string {
    return this.module.file.slice(this.module.file.lastIndexOf("/") + 1);
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

  /** Follows typedefs to what a type really is (stopping at one whose codec cannot work). */
  resolve(t: XType): XType {
    let cur = t;
    for (let guard = 0; cur.kind === "ref" && guard < 100; guard++) {
      const d = this.lookup(cur.name);
      if (d === undefined || d.kind !== "typedef" || this.failure(d) !== null) return cur;
      cur = d.type;
    }
    return cur;
  }

  /** The fewest bytes an encoding of `t` takes. */
  minSize(t: XType): number {
    return encodedMinSize(t, (name) => {
      const d = this.lookup(name);
      return d === undefined ? 0 : this.factsOf(d).minSize;
    });
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
