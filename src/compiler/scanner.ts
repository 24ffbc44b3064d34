/**
 * Phase 1, scanning: source text → tokens. Knows the lexical rules of rpcgen's language
 * (RFC 4506 §6.2 plus C comments), of the C preprocessor lines rpcgen relies on, and of the
 * Stellar/xdrpp dialect (`//` comments):
 *
 * - `/* … *\/` and `//` comments are skipped; a `#` or `%` inside a comment is comment text.
 * - A line whose first non-blank character is `#` is one `directive` token (the whole line, with
 *   `\`-newline continuations and comments that start on it). The preprocessor interprets it.
 * - A line whose first non-blank character is `%` is one `passthrough` token (the text after the
 *   `%`). rpcgen wants the `%` in column 1; Lupine accepts it indented too. A `%` line ending in
 *   `\` continues on the next physical line, as the C macro it usually carries means to
 *   (rpcgen, through cpp, breaks such lines and rejects the file).
 * - Numbers: decimal, `0x` hex, `0` octal, C suffixes `u`/`l` ignored.
 */
import type { DiagnosticBag } from "./diagnostics.js";

/** Kinds of token. */
export type TokenKind =
  | "ident"
  | "number"
  | "string"
  | "punct"
  | "directive"
  | "passthrough"
  | "eof";

/** One token with where it starts. */
export interface Token {
  readonly kind: TokenKind;
  /** Identifier, punctuator or number as written; directive/passthrough: the line's text. */
  readonly text: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

const PUNCT2 = new Set(["||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "##"]);
const PUNCT1 = "{}()[]<>;,=:*-+!~?/%&|^.#";

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Options for {@link scan}. */
export interface ScanOptions {
  /** Recognise `#` directive and `%` pass-through lines (off for the text of a directive). */
  readonly lines: boolean;
  /** Position of the text's first character (for text taken from inside a line). */
  readonly line?: number;
  readonly col?: number;
}

/** Scans `text` into tokens ending with one `eof` token. Problems go to `diags`. */
export function scan(
  text: string,
  file: string,
  diags: DiagnosticBag,
  options: ScanOptions = { lines: true },
): Token[] {
  return new Scanner(text, file, diags, options).run();
}

/** The state of one {@link scan}: the position, the line, and whether a line just began. */
class Scanner {
  private readonly out: Token[] = [];
  private i = 0;
  private line: number;
  /** Index of the current line's first character (negative for text starting mid-line). */
  private lineStart: number;
  private atLineStart = true;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly diags: DiagnosticBag,
    private readonly options: ScanOptions,
  ) {
    this.line = options.line ?? 1;
    this.lineStart = -((options.col ?? 1) - 1);
  }

  run(): Token[] {
    const { text } = this;
    const n = text.length;
    while (this.i < n) {
      const c = text.charCodeAt(this.i);
      if (c === 10) {
        this.newline(this.i + 1);
        this.i++;
      } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) this.i++;
      else if (c === 47 && text.charCodeAt(this.i + 1) === 42) this.blockComment();
      else if (c === 47 && text.charCodeAt(this.i + 1) === 47) {
        while (this.i < n && text.charCodeAt(this.i) !== 10) this.i++;
      } else if (this.options.lines && this.atLineStart && (c === 35 || c === 37))
        this.lineToken(c);
      else {
        this.atLineStart = false;
        this.token(c);
      }
    }
    this.out.push({ kind: "eof", text: "", ...this.pos(this.i) });
    return this.out;
  }

  private pos(at: number) {
    return { file: this.file, line: this.line, col: at - this.lineStart + 1 };
  }

  private newline(next: number): void {
    this.line++;
    this.lineStart = next;
    this.atLineStart = true;
  }

  /** Counts the newlines in `text[from, to)` (comments and continued lines span several). */
  private countLines(from: number, to: number): void {
    for (let j = from; j < to; j++) {
      if (this.text.charCodeAt(j) === 10) {
        this.line++;
        this.lineStart = j + 1;
      }
    }
  }

  private blockComment(): void {
    const close = this.text.indexOf("*/", this.i + 2);
    if (close < 0) {
      this.diags.error(
        this.pos(this.i),
        "unterminated-comment",
        "comment is not closed (missing */)",
      );
      this.countLines(this.i, this.text.length);
      this.i = this.text.length;
      return;
    }
    this.countLines(this.i, close + 2);
    this.i = close + 2;
  }

  /** A `#` directive or `%` pass-through line: one token with the rest of the line. */
  private lineToken(c: number): void {
    const directive = c === 35;
    const end = this.lineEnd(this.i + 1, directive);
    const p = this.pos(this.i);
    let body = this.text.slice(this.i + 1, end);
    if (body.endsWith("\r")) body = body.slice(0, -1);
    this.out.push({ kind: directive ? "directive" : "passthrough", text: body, ...p });
    this.countLines(this.i, end);
    this.i = end;
  }

  /**
   * Index after the end of the line starting at `from`, honouring `\` continuations; a block
   * comment that starts on a directive line belongs to it (`spliceComments`).
   */
  private lineEnd(from: number, spliceComments: boolean): number {
    const { text } = this;
    const n = text.length;
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 10) {
        const continued =
          j > from &&
          (text.charCodeAt(j - 1) === 92 ||
            (text.charCodeAt(j - 1) === 13 && text.charCodeAt(j - 2) === 92));
        if (!continued) return j;
      } else if (spliceComments && c === 47 && text.charCodeAt(j + 1) === 42) {
        const close = text.indexOf("*/", j + 2);
        j = close < 0 ? n : close + 2;
        continue;
      }
      j++;
    }
    return n;
  }

  /** An identifier, number, string or character literal, or punctuator starting with `c`. */
  private token(c: number): void {
    const { text } = this;
    const n = text.length;
    const start = this.i;
    const push = (kind: TokenKind, end: number) => {
      this.out.push({ kind, text: text.slice(start, end), ...this.pos(start) });
      this.i = end;
    };
    let j = start + 1;
    if (isIdentStart(c)) {
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      push("ident", j);
    } else if (isDigit(c)) {
      while (j < n && (isIdentPart(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
      push("number", j);
    } else if (c === 34 || c === 39) {
      while (j < n && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 10) {
        if (text.charCodeAt(j) === 92) j++;
        j++;
      }
      push("string", text.charCodeAt(j) === c ? j + 1 : j);
    } else if (PUNCT2.has(text.slice(start, start + 2))) push("punct", start + 2);
    else if (PUNCT1.includes(text[start]!)) push("punct", start + 1);
    else {
      const ch = printable(text[start]!);
      this.diags.error(this.pos(start), "illegal-character", `illegal character '${ch}' in input`);
      this.i++;
    }
  }
}

function printable(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 32 || code === 127 ? `\\x${code.toString(16).padStart(2, "0")}` : ch;
}

/**
 * The value of a number token (`64`, `0x40`, `0100`, `64UL`), or `undefined` when it is not a
 * valid integer literal.
 */
export function parseNumber(text: string): bigint | undefined {
  const t = text.replace(/[uUlL]+$/, "");
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return BigInt(t);
  if (/^0[0-7]+$/.test(t)) return BigInt(`0o${t.slice(1)}`);
  if (/^(0|[1-9][0-9]*)$/.test(t)) return BigInt(t);
  return undefined;
}
