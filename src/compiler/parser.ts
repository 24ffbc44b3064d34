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
  Declaration,
  Definition,
  EnumDef,
  EnumMember,
  ProcArg,
  ProcDef,
  ProgramDef,
  Specification,
  StructDef,
  TypeSpec,
  UnionArm,
  UnionDef,
  Value,
  VersionDef,
} from "./ast.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { parseNumber, type Token } from "./scanner.js";

/** Words that cannot name anything (RFC 4506 §6.4 plus rpcgen's C type words). */
export const XDR_KEYWORDS = new Set([
  "bool",
  "case",
  "const",
  "default",
  "double",
  "quadruple",
  "enum",
  "float",
  "hyper",
  "int",
  "opaque",
  "program",
  "string",
  "struct",
  "switch",
  "typedef",
  "union",
  "unsigned",
  "version",
  "void",
  "char",
  "short",
  "long",
]);

class SyntaxError_ extends Error {
  constructor(
    readonly pos: Pos,
    message: string,
  ) {
    super(message);
  }
}

/** Parses one preprocessed token stream. */
export function parse(file: string, tokens: readonly Token[], diags: DiagnosticBag): Specification {
  return new Parser(file, tokens, diags).specification();
}

class Parser {
  private i = 0;
  private depth = 0;
  private pending: Definition[] = [];

  constructor(
    private readonly file: string,
    private readonly tokens: readonly Token[],
    private readonly diags: DiagnosticBag,
  ) {}

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

  private flushPassthrough(defs: Definition[]): void {
    for (;;) {
      const t = this.tokens[this.i]!;
      if (t.kind !== "passthrough") return;
      defs.push({ kind: "passthrough", text: t.text, pos: t });
      this.i++;
    }
  }

  // ---- token access: `%` lines met inside a definition are set aside ----

  private peekRaw(): Token {
    this.skipPassthrough();
    return this.tokens[this.i]!;
  }

  private skipPassthrough(): void {
    for (;;) {
      const t = this.tokens[this.i]!;
      if (t.kind !== "passthrough") return;
      this.pending.push({ kind: "passthrough", text: t.text, pos: t });
      this.i++;
    }
  }

  private peek(offset = 0): Token {
    this.skipPassthrough();
    let j = this.i;
    for (let k = 0; ; j++) {
      const t = this.tokens[j]!;
      if (t.kind === "eof") return t;
      if (t.kind === "passthrough") continue;
      if (k === offset) return t;
      k++;
    }
  }

  private advance(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    if (t.text === "{" && t.kind === "punct") this.depth++;
    else if (t.text === "}" && t.kind === "punct") this.depth--;
    return t;
  }

  private is(text: string): boolean {
    const t = this.peek();
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.advance();
    return true;
  }

  private expect(text: string, what = `'${text}'`): Token {
    if (!this.is(text)) throw this.unexpected(what);
    return this.advance();
  }

  private unexpected(what: string): SyntaxError_ {
    const t = this.peek();
    const found = t.kind === "eof" ? "end of file" : `'${t.text}'`;
    return new SyntaxError_(t, `expected ${what}, found ${found}`);
  }

  private identifier(what = "an identifier"): Token {
    const t = this.peek();
    if (t.kind !== "ident" || XDR_KEYWORDS.has(t.text)) {
      if (t.kind === "ident") {
        throw new SyntaxError_(t, `'${t.text}' is a reserved word and cannot be used as a name`);
      }
      throw this.unexpected(what);
    }
    return this.advance();
  }

  // ---- definitions ----

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
        const decl = this.declaration(defs, true);
        this.expect(";");
        return { kind: "typedef", decl, pos: t };
      }
      case "enum":
      case "struct":
      case "union": {
        // `struct foo *x;` at top level is not a definition; `struct foo {` is.
        const def = this.typeBody(t.text, defs, true);
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

  /** `enum|struct|union [name] body`; name required when `named`. */
  private typeBody(kw: string, defs: Definition[], named: boolean): EnumDef | StructDef | UnionDef {
    const start = this.advance();
    let name: string | null = null;
    if (named || this.peek().kind === "ident") {
      if (!(kw === "union" && this.is("switch"))) name = this.identifier(`a ${kw} name`).text;
    }
    if (kw === "enum") return this.enumBody(name, start);
    if (kw === "struct") return this.structBody(name, start, defs);
    return this.unionBody(name, start, defs);
  }

  private enumBody(name: string | null, pos: Pos): EnumDef {
    this.expect("{");
    const members: EnumMember[] = [];
    do {
      if (this.is("}") && members.length > 0) break; // trailing comma
      const id = this.identifier("an enum member name");
      const value = this.accept("=") ? this.value() : null;
      members.push({ name: id.text, value, pos: id });
    } while (this.accept(","));
    this.expect("}", "',' or '}'");
    return { kind: "enum", name, members, pos };
  }

  private structBody(name: string | null, pos: Pos, defs: Definition[]): StructDef {
    this.expect("{");
    const fields: Declaration[] = [];
    do {
      fields.push(this.declaration(defs, false));
      this.expect(";");
    } while (!this.is("}"));
    this.expect("}");
    return { kind: "struct", name, fields, pos };
  }

  private unionBody(name: string | null, pos: Pos, defs: Definition[]): UnionDef {
    this.expect("switch");
    this.expect("(");
    const discriminant = this.declaration(defs, false);
    this.expect(")");
    this.expect("{");
    const arms: UnionArm[] = [];
    let defaultArm: Declaration | null = null;
    while (!this.is("}")) {
      if (this.is("default")) {
        const d = this.advance();
        this.expect(":");
        if (defaultArm !== null) {
          this.diags.error(
            d,
            "duplicate-default",
            `union ${name ?? ""} has two default arms`.replace("  ", " "),
          );
        }
        defaultArm = this.declaration(defs, false);
        this.expect(";");
        continue;
      }
      const start = this.peek();
      const cases: Value[] = [];
      while (this.is("case")) {
        this.advance();
        cases.push(this.value());
        this.expect(":");
      }
      if (cases.length === 0) throw this.unexpected("'case', 'default' or '}'");
      const decl = this.declaration(defs, false);
      this.expect(";");
      arms.push({ cases, decl, pos: start });
    }
    this.expect("}");
    if (arms.length === 0 && defaultArm === null) {
      throw new SyntaxError_(pos, "a union needs at least one arm");
    }
    return { kind: "union", name, discriminant, arms, defaultArm, pos };
  }

  /** A declaration (RFC 4506 §6.3 `declaration`). */
  private declaration(defs: Definition[], isTypedef: boolean): Declaration {
    const start = this.peek();
    if (this.is("void")) {
      this.advance();
      return {
        name: null,
        type: { kind: "builtin", name: "void", spelling: "void", pos: start },
        shape: "plain",
        size: null,
        pos: start,
      };
    }
    if (this.is("opaque") || this.is("string")) {
      const kw = this.advance();
      const type: TypeSpec = {
        kind: "builtin",
        name: kw.text as BuiltinName,
        spelling: kw.text,
        pos: kw,
      };
      if (kw.text === "string" && this.accept("*")) {
        // rpcgen accepts `string *x` as a pointer to a string (optional string<>).
        const id = this.identifier();
        return { name: id.text, type, shape: "optional", size: null, pos: id };
      }
      const id = this.identifier();
      if (this.accept("<")) {
        const size = this.is(">") ? null : this.value();
        this.expect(">");
        return { name: id.text, type, shape: "var", size, pos: id };
      }
      if (kw.text === "opaque" && this.accept("[")) {
        const size = this.value();
        this.expect("]");
        return { name: id.text, type, shape: "fixed", size, pos: id };
      }
      throw this.unexpected(
        kw.text === "string" ? "'<' (string needs a bound: <n> or <>)" : "'[' or '<'",
      );
    }
    const type = this.typeSpecifier(defs, isTypedef);
    if (this.accept("*")) {
      const id = this.identifier();
      return { name: id.text, type, shape: "optional", size: null, pos: id };
    }
    const id = this.identifier();
    if (this.accept("[")) {
      const size = this.value();
      this.expect("]");
      return { name: id.text, type, shape: "fixed", size, pos: id };
    }
    if (this.accept("<")) {
      const size = this.is(">") ? null : this.value();
      this.expect(">");
      return { name: id.text, type, shape: "var", size, pos: id };
    }
    return { name: id.text, type, shape: "plain", size: null, pos: id };
  }

  /** RFC 4506 `type-specifier`, with rpcgen's C spellings and inline bodies. */
  private typeSpecifier(defs: Definition[], _isTypedef: boolean): TypeSpec {
    const t = this.peek();
    if (t.kind !== "ident") throw this.unexpected("a type");
    const b = (name: BuiltinName, spelling: string): TypeSpec => ({
      kind: "builtin",
      name,
      spelling,
      pos: t,
    });
    switch (t.text) {
      case "unsigned": {
        this.advance();
        const n = this.peek();
        if (n.kind === "ident" && ["int", "char", "short", "long", "hyper"].includes(n.text)) {
          this.advance();
          if ((n.text === "short" || n.text === "long") && this.is("int")) this.advance();
          if (n.text === "long" && this.is("long")) {
            this.advance();
            return b("uhyper", "unsigned long long");
          }
          return b(n.text === "hyper" ? "uhyper" : "uint", `unsigned ${n.text}`);
        }
        return b("uint", "unsigned");
      }
      case "int":
      case "char":
      case "hyper":
      case "float":
      case "double":
      case "quadruple":
      case "bool":
        this.advance();
        return b(t.text === "char" ? "int" : (t.text as BuiltinName), t.text);
      case "short":
      case "long": {
        this.advance();
        if (t.text === "long" && this.is("long")) {
          this.advance();
          return b("hyper", "long long");
        }
        if (this.is("int")) this.advance();
        return b("int", t.text);
      }
      case "void":
        this.advance();
        return b("void", "void");
      case "enum":
      case "struct":
      case "union": {
        const next = this.peek(1);
        const inline =
          next.text === "{" ||
          (t.text === "union" && next.text === "switch") ||
          this.peek(2).text === "{" ||
          (t.text === "union" && this.peek(2).text === "switch");
        if (inline) {
          const def = this.typeBody(t.text, defs, false);
          return { kind: "inline", def, pos: t };
        }
        this.advance();
        const id = this.identifier(`a ${t.text} name`);
        return { kind: "named", name: id.text, tag: t.text, pos: id };
      }
    }
    const id = this.identifier("a type");
    return { kind: "named", name: id.text, pos: id };
  }

  /** RFC 4506 `value`: a constant or an identifier, with an optional leading minus. */
  private value(allowString = false): Value {
    const t0 = this.peek();
    if (allowString && t0.kind === "string" && t0.text.startsWith('"')) {
      this.advance();
      return { kind: "string", text: t0.text, pos: t0 };
    }
    const neg = this.accept("-");
    // xdrpp writes C++-scoped names: `case ::RED:`.
    if (this.is(":") && this.peek(1).text === ":") {
      this.advance();
      this.advance();
    }
    const t = this.peek();
    if (t.kind === "punct" && t.text === "(") {
      // A parenthesised constant expression, as a cpp macro may leave: `(1500 - 28 - 8)`.
      const start = this.advance();
      const tokens: Token[] = [];
      for (let depth = 1; ; ) {
        const x = this.peek();
        if (x.kind === "eof") throw this.unexpected("')'");
        this.advance();
        if (x.text === "(") depth++;
        else if (x.text === ")" && --depth === 0) break;
        tokens.push(x);
      }
      return { kind: "expr", tokens, negate: neg, pos: start };
    }
    if (t.kind === "number") {
      this.advance();
      const v = parseNumber(t.text);
      if (v === undefined) throw new SyntaxError_(t, `'${t.text}' is not a valid integer constant`);
      return { kind: "number", value: neg ? -v : v, text: neg ? `-${t.text}` : t.text, pos: t };
    }
    if (t.kind === "ident" && !XDR_KEYWORDS.has(t.text)) {
      this.advance();
      // xdrpp's scoped enum member: `color::RED`.
      if (this.is(":") && this.peek(1).text === ":" && this.peek(2).kind === "ident") {
        this.advance();
        this.advance();
        const m = this.advance();
        return { kind: "name", name: m.text, negate: neg, pos: m };
      }
      return { kind: "name", name: t.text, negate: neg, pos: t };
    }
    if (t.kind === "ident" && (t.text === "TRUE" || t.text === "FALSE")) {
      this.advance();
      return { kind: "name", name: t.text, negate: neg, pos: t };
    }
    throw this.unexpected("a constant or a constant's name");
  }

  // ---- programs (RFC 5531 §12) ----

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
    return this.typeSpecifier([], false);
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
