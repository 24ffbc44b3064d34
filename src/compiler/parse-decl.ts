/**
 * Declarations and type bodies (RFC 4506 §6.3 `declaration`, `type-specifier`, `value`, enum,
 * struct and union bodies), with rpcgen's C spellings and the Stellar/xdrpp inline bodies.
 */
import type {
  BuiltinName,
  Declaration,
  EnumDef,
  EnumMember,
  StructDef,
  TypeSpec,
  UnionArm,
  UnionDef,
  Value,
} from "./ast.js";
import type { Pos } from "./diagnostics.js";
import { SyntaxError_, TokenCursor, XDR_KEYWORDS } from "./parse-cursor.js";
import { parseNumber, type Token } from "./scanner.js";

/** Parses declarations; {@link Parser} adds definitions and programs. */
export class DeclParser extends TokenCursor {
  /** `enum|struct|union [name] body`; the name is required when `named` (a definition). */
  protected typeBody(kw: string, named: boolean): EnumDef | StructDef | UnionDef {
    const start = this.advance();
    let name: string | null = null;
    if (named || this.peek().kind === "ident") {
      if (!(kw === "union" && this.is("switch"))) name = this.identifier(`a ${kw} name`).text;
    }
    if (kw === "enum") return this.enumBody(name, start);
    if (kw === "struct") return this.structBody(name, start);
    return this.unionBody(name, start);
  }

  /** `{ A = 1, B, ... }` (RFC 4506 §4.3; a trailing comma is accepted). */
  protected enumBody(name: string | null, pos: Pos): EnumDef {
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

  /** `{ declaration; ... }` (RFC 4506 §4.14). */
  protected structBody(name: string | null, pos: Pos): StructDef {
    this.expect("{");
    const fields: Declaration[] = [];
    do {
      fields.push(this.declaration());
      this.expect(";");
    } while (!this.is("}"));
    this.expect("}");
    return { kind: "struct", name, fields, pos };
  }

  /** `switch (declaration) { case v: declaration; ... default: declaration; }` (RFC 4506 §4.15). */
  protected unionBody(name: string | null, pos: Pos): UnionDef {
    this.expect("switch");
    this.expect("(");
    const discriminant = this.declaration();
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
        defaultArm = this.declaration();
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
      const decl = this.declaration();
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
  protected declaration(): Declaration {
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
    const type = this.typeSpecifier();
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
  protected typeSpecifier(): TypeSpec {
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
          const def = this.typeBody(t.text, false);
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
  protected value(allowString = false): Value {
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
}
