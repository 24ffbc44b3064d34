/**
 * Phase 2, preprocessing: the subset of the C preprocessor that rpcgen relies on (rpcgen pipes
 * every `.x` through `cpp`), applied to tokens:
 *
 * - `#include "file"` (relative to the including file, then the `-I` folders) and `#include <file>`
 *   (`-I` folders only); included tokens keep their own file and line.
 * - `#define NAME body` and `#define NAME(a, b) body` macros (see `pp-macros.ts`: arguments,
 *   `#`, `##`, rescanning), expanded in XDR text and in `#if` lines; a body may be anything, even
 *   a whole declaration. Object-like macros are also expanded inside `%` lines (cpp does not know
 *   `%`). `#undef`. `-D NAME[=VALUE]`.
 * - `#if/#ifdef/#ifndef/#elif/#else/#endif` with `defined`, `!`, `||`, `&&`, comparisons and
 *   integer arithmetic; undefined names are 0.
 * - `#error` is an error, `#warning` a warning; `#pragma`, `#ident`, `#line` and line markers are
 *   ignored.
 *
 * rpcgen runs cpp once per output with one of `RPC_HDR`, `RPC_XDR`, `RPC_SVC`, `RPC_CLNT`,
 * `RPC_TBL` defined (as 1); the caller runs this phase once per such pass (see `compile.ts`).
 */
import type { DiagnosticBag } from "./diagnostics.js";
import type { CompilerHost } from "./host.js";
import { dirname, joinPath } from "./host.js";
import { Conditionals } from "./pp-conditional.js";
import { evaluateCondition } from "./pp-expr.js";
import { type Macro, MacroExpander, type TokenSource } from "./pp-macros.js";
import { scan, type Token } from "./scanner.js";

/** Options for {@link preprocess}. */
export interface PreprocessOptions {
  readonly host: CompilerHost;
  /** Folders searched for `#include` after the including file's folder. */
  readonly includeDirs: readonly string[];
  /** Predefined macros (`-D`, `RPC_HDR`): name → body text. */
  readonly defines: ReadonlyMap<string, string>;
  /** Scanned files by path: shared between passes so each file is scanned once. */
  readonly cache: Map<string, readonly Token[] | null>;
}

/** What preprocessing produced: XDR tokens and `%` lines, ending with `eof`. */
export interface PreprocessResult {
  readonly tokens: Token[];
  /** Every file read (the root first), for dependency lists. */
  readonly files: string[];
  /** Whether any `#if`-family directive mentioned an `RPC_*` pass symbol. */
  readonly passDependent: boolean;
}

const MAX_INCLUDE_DEPTH = 64;
/**
 * Inclusions in one run, all files together, and tokens output before an inclusion is refused
 * (the largest real `.x` files give about 11,000). Depth alone does not bound the work: a file
 * that includes itself twice doubles it at every level (2^64 inclusions within the depth limit).
 */
const MAX_INCLUSIONS = 4096;
const MAX_INCLUDED_TOKENS = 50_000;
const MAX_EXPANSION_DEPTH = 256;

/** Preprocesses `path` (reported when it cannot be read). Never throws on bad input. */
export function preprocess(
  path: string,
  options: PreprocessOptions,
  diags: DiagnosticBag,
): PreprocessResult {
  return new Preprocessor(options, diags).run(path);
}

/** One preprocessing run: the macro table, the output and the files read. */
class Preprocessor {
  private readonly macros = new Map<string, Macro>();
  private readonly out: Token[] = [];
  private readonly files: string[] = [];
  private passDependent = false;
  private inclusions = 0;
  private readonly expander: MacroExpander;

  constructor(
    private readonly options: PreprocessOptions,
    private readonly diags: DiagnosticBag,
  ) {
    for (const [name, body] of options.defines) {
      const tokens = scan(body, "<command line>", diags, { lines: false }).slice(0, -1);
      this.macros.set(name, { body: tokens });
    }
    this.expander = new MacroExpander(this.macros, diags);
  }

  run(path: string): PreprocessResult {
    const root = this.load(path);
    if (root === null) {
      this.diags.error({ file: path, line: 1, col: 1 }, "file-not-found", `cannot read ${path}`);
      this.out.push({ kind: "eof", text: "", file: path, line: 1, col: 1 });
    } else {
      this.file(path, 0);
      this.out.push(root[root.length - 1]!);
    }
    return { tokens: this.out, files: this.files, passDependent: this.passDependent };
  }

  /** The tokens of `file`, scanned once per compilation; `null` when it cannot be read. */
  private load(file: string): readonly Token[] | null {
    let tokens = this.options.cache.get(file);
    if (tokens === undefined) {
      const text = this.options.host.readFile(file);
      tokens = text === undefined ? null : scan(text, file, this.diags);
      this.options.cache.set(file, tokens);
    }
    return tokens;
  }

  /** Preprocesses one file (the root or an included one) into the output. */
  private file(file: string, depth: number): void {
    const tokens = this.load(file);
    if (tokens === null) return;
    this.files.push(file);
    const conds = new Conditionals(this.diags);
    let i = 0;
    // What a macro call may read: the XDR tokens up to the next directive, `%` line or the end.
    const xdrOnly = (t: Token | undefined) =>
      t === undefined || t.kind === "eof" || t.kind === "directive" || t.kind === "passthrough"
        ? undefined
        : t;
    const source: TokenSource = {
      peek: () => xdrOnly(tokens[i]),
      take: () => {
        const t = xdrOnly(tokens[i]);
        if (t !== undefined) i++;
        return t;
      },
    };
    while (i < tokens.length) {
      const tok = tokens[i++]!;
      if (tok.kind === "eof") break;
      if (tok.kind === "directive") this.directive(tok, file, depth, conds);
      else if (!conds.active) continue;
      else if (tok.kind === "passthrough") {
        const text = this.macros.size === 0 ? tok.text : expandText(tok.text, this.macros);
        this.out.push(text === tok.text ? tok : { ...tok, text });
      } else if (tok.kind === "ident" && this.macros.has(tok.text)) {
        this.expander.expand(tok, source, this.out, tok);
      } else this.out.push(tok);
    }
    conds.end();
  }

  /** One `#` line: conditionals always, the others only in kept regions. */
  private directive(tok: Token, file: string, depth: number, conds: Conditionals): void {
    const m = /^\s*([A-Za-z_]\w*)?/.exec(tok.text)!;
    const name = m[1] ?? "";
    const restText = tok.text.slice(m[0].length);
    const rest = () =>
      scan(restText.replace(/\\\r?\n/g, "  "), file, this.diags, {
        lines: false,
        line: tok.line,
        col: tok.col + 1 + m[0].length,
      }).slice(0, -1);
    const condition = () => {
      if (/\bRPC_(HDR|XDR|SVC|CLNT|TBL)\b/.test(restText)) this.passDependent = true;
      if (name === "if" || name === "elif")
        return evaluateCondition(rest(), this.macros, tok, this.diags, this.expander);
      const id = rest()[0];
      if (id?.kind === "ident") return this.macros.has(id.text) === (name === "ifdef");
      this.diags.error(tok, "bad-directive", `#${name} needs a macro name`);
      return false;
    };
    if (name === "if" || name === "ifdef" || name === "ifndef") conds.open(tok, condition);
    else if (name === "elif" || name === "else")
      conds.next(tok, name === "elif" ? condition : null);
    else if (name === "endif") conds.close(tok);
    else if (conds.active) this.command(name, tok, restText, rest, { file, depth });
  }

  /** A directive other than a conditional, in a kept region. */
  private command(
    name: string,
    tok: Token,
    restText: string,
    rest: () => Token[],
    where: { readonly file: string; readonly depth: number },
  ): void {
    switch (name) {
      case "define":
        this.define(rest(), tok);
        return;
      case "undef": {
        const id = rest()[0];
        if (id?.kind === "ident") this.macros.delete(id.text);
        else this.diags.error(tok, "bad-directive", "#undef needs a macro name");
        return;
      }
      case "include":
        this.include(restText, tok, where.file, where.depth);
        return;
      case "error":
        this.diags.error(tok, "error-directive", `#error${restText}`);
        return;
      case "warning":
        this.diags.warning(tok, "warning-directive", `#warning${restText}`);
        return;
      case "pragma":
      case "ident":
      case "sccs":
      case "line":
      case "":
        return;
    }
    this.diags.warning(tok, "unknown-directive", `unknown preprocessor directive #${name} ignored`);
  }

  /** `#define NAME body` or `#define NAME(params) body` (C11 §6.10.3). */
  private define(r: Token[], at: Token): void {
    const id = r[0];
    if (id === undefined || id.kind !== "ident") {
      this.diags.error(at, "bad-directive", "#define needs a macro name");
      return;
    }
    const next = r[1];
    // Function-like only when "(" touches the name: `#define F(x)`, not `#define F (x)`.
    if (next?.text === "(" && next.line === id.line && next.col === id.col + id.text.length) {
      const list = parameterList(r);
      if (list === null) {
        this.diags.error(
          at,
          "bad-directive",
          `#define ${id.text}(...): parameters must be names separated by commas (variadic macros are not supported)`,
        );
        return;
      }
      this.macros.set(id.text, { body: r.slice(list.bodyAt), params: list.params });
      return;
    }
    this.macros.set(id.text, { body: r.slice(1) });
  }

  /** `#include "file"` (beside the including file, then `-I`) or `#include <file>` (`-I`). */
  private include(restText: string, at: Token, file: string, depth: number): void {
    const m = /^\s*(?:"([^"]*)"|<([^>]*)>)/.exec(restText);
    if (m === null) {
      this.diags.error(at, "bad-directive", '#include needs "file" or <file>');
      return;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      this.diags.error(at, "include-depth", `#include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      return;
    }
    if (this.inclusions >= MAX_INCLUSIONS || this.out.length > MAX_INCLUDED_TOKENS) {
      this.diags.error(
        at,
        "include-depth",
        `more than ${MAX_INCLUSIONS} #includes, or ${MAX_INCLUDED_TOKENS} tokens, in one file`,
      );
      return;
    }
    const name = m[1] ?? m[2]!;
    const dirs =
      m[1] !== undefined ? [dirname(file), ...this.options.includeDirs] : this.options.includeDirs;
    for (const d of dirs) {
      const candidate = joinPath(d, name);
      if (this.load(candidate) !== null) {
        this.inclusions++;
        this.file(candidate, depth + 1);
        return;
      }
    }
    this.diags.error(at, "include-not-found", `cannot find included file "${name}"`);
  }
}

/**
 * Expands object-like macros in the text of a `%` line, as cpp does (it does not know `%`):
 * identifiers outside string and character literals and comments.
 */
function expandText(
  text: string,
  macros: ReadonlyMap<string, Macro>,
  hidden: string[] = [],
): string {
  if (hidden.length > MAX_EXPANSION_DEPTH) return text;
  return text.replace(
    /("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|\/\*[\s\S]*?(?:\*\/|$)|\/\/.*$)|\b([A-Za-z_]\w*)\b/g,
    (all, skipped: string | undefined, id: string | undefined) => {
      if (skipped !== undefined || id === undefined) return all;
      const m = macros.get(id);
      if (m === undefined || m.params !== undefined || hidden.includes(id)) return all;
      return expandText(m.body.map((t) => t.text).join(" "), macros, [...hidden, id]);
    },
  );
}

/**
 * The parameter names of `NAME(a, b) body` (tokens from the name on) and where the body starts,
 * or `null` when the list is not names separated by commas and closed by `)`.
 */
function parameterList(r: readonly Token[]): { params: string[]; bodyAt: number } | null {
  const params: string[] = [];
  if (r[2]?.text === ")") return { params, bodyAt: 3 };
  for (let i = 2; ; i += 2) {
    const p = r[i];
    const sep = r[i + 1];
    if (p?.kind !== "ident" || params.includes(p.text)) return null;
    params.push(p.text);
    if (sep?.text === ")") return { params, bodyAt: i + 2 };
    if (sep?.text !== ",") return null;
  }
}

/** `-D NAME[=VALUE]` → name and body (`1` when no value is given, as cpp does). */
export function parseDefine(spec: string): [string, string] | undefined {
  const m = /^([A-Za-z_]\w*)(?:=(.*))?$/s.exec(spec);
  if (m === null) return undefined;
  return [m[1]!, m[2] ?? "1"];
}
