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
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  let line = options.line ?? 1;
  let lineStart = -((options.col ?? 1) - 1);
  let atLineStart = true;
  const pos = (at: number) => ({ file, line, col: at - lineStart + 1 });

  /** Index after the end of the line starting at or after `from`, honouring `\` continuations. */
  const lineEnd = (from: number, spliceComments: boolean): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 10) {
        if (j > from && text.charCodeAt(j - 1) === 92) {
          j++;
          continue;
        }
        if (j > from && text.charCodeAt(j - 1) === 13 && text.charCodeAt(j - 2) === 92) {
          j++;
          continue;
        }
        return j;
      }
      if (spliceComments && c === 47 && text.charCodeAt(j + 1) === 42) {
        const close = text.indexOf("*/", j + 2);
        j = close < 0 ? n : close + 2;
        continue;
      }
      j++;
    }
    return n;
  };

  const countLines = (from: number, to: number) => {
    for (let j = from; j < to; j++) {
      if (text.charCodeAt(j) === 10) {
        line++;
        lineStart = j + 1;
      }
    }
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      lineStart = i;
      atLineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) {
        diags.error(pos(i), "unterminated-comment", "comment is not closed (missing */)");
        countLines(i, n);
        i = n;
        break;
      }
      countLines(i, close + 2);
      i = close + 2;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (options.lines && atLineStart && (c === 35 || c === 37)) {
      const directive = c === 35;
      const end = lineEnd(i + 1, directive);
      const p = pos(i);
      let body = text.slice(i + 1, end);
      if (body.endsWith("\r")) body = body.slice(0, -1);
      out.push({ kind: directive ? "directive" : "passthrough", text: body, ...p });
      countLines(i, end);
      i = end;
      continue;
    }
    atLineStart = false;
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      out.push({ kind: "ident", text: text.slice(start, i), ...pos(start) });
      continue;
    }
    if (isDigit(c)) {
      i++;
      while (i < n && (isIdentPart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      out.push({ kind: "number", text: text.slice(start, i), ...pos(start) });
      continue;
    }
    if (c === 34 || c === 39) {
      i++;
      while (i < n && text.charCodeAt(i) !== c && text.charCodeAt(i) !== 10) {
        if (text.charCodeAt(i) === 92) i++;
        i++;
      }
      if (text.charCodeAt(i) === c) i++;
      out.push({ kind: "string", text: text.slice(start, i), ...pos(start) });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      out.push({ kind: "punct", text: two, ...pos(start) });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(text[i]!)) {
      out.push({ kind: "punct", text: text[i]!, ...pos(start) });
      i++;
      continue;
    }
    diags.error(pos(i), "illegal-character", `illegal character '${printable(text[i]!)}' in input`);
    i++;
  }
  out.push({ kind: "eof", text: "", ...pos(i) });
  return out;
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
