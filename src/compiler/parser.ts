/**
 * Phase 3, parsing: preprocessed tokens → {@link Specification}. Recursive descent over the
 * grammar of RFC 4506 §6.3 and RFC 5531 §12 (`program`/`version`), with rpcgen's extras
 * (C-style type names, `struct foo *x`, `switch (enum foo x)`, several case labels per arm,
 * several arguments per procedure as with `rpcgen -N`), the `interface` shorthand and the
 * Stellar/xdrpp dialect (`namespace X { }`, anonymous nested struct/union/enum).
 *
 * `%` lines may appear anywhere, even inside a definition; they are placed before the
 * definition they interrupt, as rpcgen emits them. On a syntax error the parser reports it,
 * skips to the end of the definition and goes on.
 */
import type {
  BuiltinName,
  Definition,
  ProcArg,
  ProcDef,
  ProgramDef,
  Specification,
  TypeSpec,
  Value,
  VersionDef,
} from "./ast.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { SyntaxError_ } from "./parse-cursor.js";
import { DeclParser } from "./parse-decl.js";
import type { Token } from "./scanner.js";

/** Parses one preprocessed token stream. */
export function parse(file: string, tokens: readonly Token[], diags: DiagnosticBag): Specification {
  return new Parser(file, tokens, diags).specification();
}

class Parser extends DeclParser {
  constructor(
    private readonly file: string,
    tokens: readonly Token[],
    diags: DiagnosticBag,
  ) {
    super(tokens, diags);
  }

  specification(): Specification {
    const defs: Definition[] = [];
    this.definitions(defs, false);
    return { file: this.file, definitions: defs };
  }

  /** Definitions until EOF (or `}` inside a namespace). */
  private definitions(defs: Definition[], inNamespace: boolean): void {
    for (;;) {
      this.flushPassthrough(defs);
      const t = this.peek();
      if (t.kind === "eof") return;
      if (inNamespace && t.text === "}") return;
      const startDepth = this.depth;
      const before = defs.length;
      try {
        const d = this.definition(defs);
        defs.splice(before, 0, ...this.pending);
        this.pending = [];
        if (d !== null) defs.push(d);
      } catch (e) {
        if (!(e instanceof SyntaxError_)) throw e;
        this.diags.error(e.pos, "syntax", e.message);
        // Do not restart at the token that failed (a keyword misused as a name).
        const at = this.peek();
        if (at.line === e.pos.line && at.col === e.pos.col && at.file === e.pos.file)
          this.advance();
        defs.splice(before, 0, ...this.pending);
        this.pending = [];
        this.recover(startDepth);
      }
    }
  }

  /** After an error: skip to the end of the current definition. */
  private recover(startDepth: number): void {
    const starters = [
      "const",
      "typedef",
      "enum",
      "struct",
      "union",
      "program",
      "namespace",
      "interface",
    ];
    for (;;) {
      const t = this.peekRaw();
      if (t.kind === "eof") return;
      if (this.depth < startDepth) return;
      if (this.depth === startDepth && t.kind === "ident" && starters.includes(t.text)) return;
      if (this.depth === startDepth && t.text === "}" && startDepth > 0) return;
      this.advance();
      if (this.depth === startDepth && t.text === ";") return;
    }
  }

  private definition(defs: Definition[]): Definition | null {
    const t = this.peek();
    if (t.kind === "punct" && t.text === ";") {
      this.advance();
      return null;
    }
    if (t.kind !== "ident")
      throw this.unexpected("a definition (const, typedef, enum, struct, union, program)");
    switch (t.text) {
      case "const": {
        this.advance();
        const name = this.identifier();
        this.expect("=");
        const value = this.value(true);
        this.expect(";");
        return { kind: "const", name: name.text, value, pos: name };
      }
      case "typedef": {
        this.advance();
        const decl = this.declaration();
        this.expect(";");
        return { kind: "typedef", decl, pos: t };
      }
      case "enum":
      case "struct":
      case "union": {
        // `struct foo *x;` at top level is not a definition; `struct foo {` is.
        const def = this.typeBody(t.text, true);
        this.expect(";");
        return def;
      }
      case "program":
        return this.program();
      case "interface":
        return this.interfaceShorthand();
      case "namespace": {
        this.advance();
        this.identifier("a namespace name");
        this.expect("{");
        const start = this.depth;
        this.definitions(defs, true);
        if (this.depth === start) this.expect("}");
        this.accept(";");
        return null;
      }
    }
    throw this.unexpected("a definition (const, typedef, enum, struct, union, program)");
  }

  /** `program NAME { version NAME { procedures } = n; ... } = n;` (RFC 5531 §12). */
  private program(): ProgramDef {
    this.advance();
    const name = this.identifier("a program name");
    this.expect("{");
    const versions: VersionDef[] = [];
    do {
      const v = this.expect("version");
      const vname = this.identifier("a version name");
      this.expect("{");
      const procedures: ProcDef[] = [];
      do procedures.push(this.procedure(false));
      while (!this.is("}"));
      this.expect("}");
      this.expect("=");
      const number = this.value();
      this.expect(";");
      versions.push({ name: vname.text, number, procedures, pos: v });
    } while (!this.is("}"));
    this.expect("}");
    this.expect("=");
    const number = this.value();
    this.expect(";");
    return { kind: "program", name: name.text, number, versions, shorthand: false, pos: name };
  }

  /** `type NAME(args) = n;` (or, in the shorthand, `type NAME(type name, ...);`). */
  private procedure(shorthand: boolean): ProcDef {
    const result = this.procType();
    const name = this.identifier("a procedure name");
    this.expect("(");
    const args: ProcArg[] = [];
    if (!this.is(")")) {
      do {
        const p = this.peek();
        const type = this.procType();
        const argName =
          this.peek().kind === "ident" ? this.identifier("an argument name").text : null;
        args.push({ type, name: argName, pos: p });
      } while (this.accept(","));
    }
    this.expect(")");
    let number: Value | null = null;
    if (!shorthand || this.is("=")) {
      this.expect("=");
      number = this.value();
    }
    this.expect(";");
    const onlyVoid =
      args.length === 1 && args[0]!.type.kind === "builtin" && args[0]!.type.name === "void";
    return { name: name.text, number, result, args: onlyVoid ? [] : args, pos: name };
  }

  private procType(): TypeSpec {
    const t = this.peek();
    if (this.is("string") || this.is("opaque")) {
      this.advance();
      // `string<>` / `string<N>` as an argument type: the bound is checked by the callee's codec
      // only in C; Lupine keeps it unbounded like rpcgen's `xdr_wrapstring`.
      if (this.accept("<")) {
        if (!this.is(">")) this.value();
        this.expect(">");
      }
      return { kind: "builtin", name: t.text as BuiltinName, spelling: t.text, pos: t };
    }
    return this.typeSpecifier();
  }

  /** `interface [NAME] { proc; ... } [= NUMBER];` — Lupine's textbook shorthand. */
  private interfaceShorthand(): ProgramDef {
    const kw = this.advance();
    const name = this.is("{") ? null : this.identifier("an interface name");
    this.expect("{");
    const procedures: ProcDef[] = [];
    while (!this.is("}")) procedures.push(this.procedure(true));
    this.expect("}");
    const number = this.accept("=") ? this.value() : null;
    this.expect(";");
    const pos = name ?? kw;
    return {
      kind: "program",
      name: name?.text ?? "",
      number,
      versions: [{ name: "", number: null, procedures, pos }],
      shorthand: true,
      pos,
    };
  }
}
