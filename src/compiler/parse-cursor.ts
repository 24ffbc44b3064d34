/**
 * Token access for the parser: `%` lines met inside a definition are set aside (they are placed
 * before the definition they interrupt, as rpcgen emits them), brace depth is tracked for error
 * recovery, and syntax errors are thrown as {@link SyntaxError_} to the definition loop.
 */
import type { Definition } from "./ast.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type { Token } from "./scanner.js";

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

/**
 * A syntax error on its way to the definition loop (never escapes the parser). Not an `Error`:
 * it needs no stack trace, and capturing one for each of thousands of errors in a bad file was
 * most of the time spent compiling it.
 */
export class SyntaxError_ {
  constructor(
    readonly pos: Pos,
    readonly message: string,
  ) {}
}

/** The token stream under the parser. */
export class TokenCursor {
  protected i = 0;
  protected depth = 0;
  protected pending: Definition[] = [];

  constructor(
    protected readonly tokens: readonly Token[],
    protected readonly diags: DiagnosticBag,
  ) {}

  /** Moves `%` lines at the cursor into `defs` (between definitions they stay in place). */
  protected flushPassthrough(defs: Definition[]): void {
    for (;;) {
      const t = this.tokens[this.i]!;
      if (t.kind !== "passthrough") return;
      defs.push({ kind: "passthrough", text: t.text, pos: t });
      this.i++;
    }
  }

  // ---- token access: `%` lines met inside a definition are set aside ----

  /** The next token, after setting aside `%` lines. */
  protected peekRaw(): Token {
    this.skipPassthrough();
    return this.tokens[this.i]!;
  }

  /** Sets aside the `%` lines at the cursor, for placing before the current definition. */
  protected skipPassthrough(): void {
    for (;;) {
      const t = this.tokens[this.i]!;
      if (t.kind !== "passthrough") return;
      this.pending.push({ kind: "passthrough", text: t.text, pos: t });
      this.i++;
    }
  }

  /** The token `offset` places ahead, skipping `%` lines (`eof` at the end). */
  protected peek(offset = 0): Token {
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

  /** Takes the next token, tracking brace depth. */
  protected advance(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    if (t.text === "{" && t.kind === "punct") this.depth++;
    else if (t.text === "}" && t.kind === "punct") this.depth--;
    return t;
  }

  /** Whether the next token is this word or punctuator. */
  protected is(text: string): boolean {
    const t = this.peek();
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }

  /** Takes the next token if it is `text`. */
  protected accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.advance();
    return true;
  }

  /** Takes the next token, which must be `text`. */
  protected expect(text: string, what = `'${text}'`): Token {
    if (!this.is(text)) throw this.unexpected(what);
    return this.advance();
  }

  /** The syntax error for finding the next token where `what` was expected. */
  protected unexpected(what: string): SyntaxError_ {
    const t = this.peek();
    const found = t.kind === "eof" ? "end of file" : `'${t.text}'`;
    return new SyntaxError_(t, `expected ${what}, found ${found}`);
  }

  /** Takes a name (not a reserved word). */
  protected identifier(what = "an identifier"): Token {
    const t = this.peek();
    if (t.kind !== "ident" || XDR_KEYWORDS.has(t.text)) {
      if (t.kind === "ident") {
        throw new SyntaxError_(t, `'${t.text}' is a reserved word and cannot be used as a name`);
      }
      throw this.unexpected(what);
    }
    return this.advance();
  }
}
