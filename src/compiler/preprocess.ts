/**
 * Phase 2, preprocessing: the subset of the C preprocessor that rpcgen relies on (rpcgen pipes
 * every `.x` through `cpp`), applied to tokens:
 *
 * - `#include "file"` (relative to the including file, then the `-I` folders) and `#include <file>`
 *   (`-I` folders only); included tokens keep their own file and line.
 * - `#define NAME body` object-like macros, expanded in XDR text and inside `%` lines (cpp does
 *   not know `%`); a body may be anything, even a whole declaration. `#undef`. `-D NAME[=VALUE]`.
 *   Function-like macros are recorded (so `defined()` sees them) but not expanded.
 * - `#if/#ifdef/#ifndef/#elif/#else/#endif` with `defined`, `!`, `||`, `&&`, comparisons and
 *   integer arithmetic; undefined names are 0.
 * - `#error` is an error, `#warning` a warning; `#pragma`, `#ident`, `#line` and line markers are
 *   ignored.
 *
 * rpcgen runs cpp once per output with one of `RPC_HDR`, `RPC_XDR`, `RPC_SVC`, `RPC_CLNT`,
 * `RPC_TBL` defined (as 1); the caller runs this phase once per such pass (see `compile.ts`).
 */
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type { CompilerHost } from "./host.js";
import { dirname, joinPath } from "./host.js";
import { evaluateCondition, type Macro } from "./pp-expr.js";

export type { Macro };

import { parseNumber, scan, type Token } from "./scanner.js";

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
const MAX_EXPANSION_DEPTH = 256;

interface Cond {
  /** This branch's tokens are kept. */
  active: boolean;
  /** Some branch of this #if chain was taken already. */
  taken: boolean;
  /** The enclosing region is kept. */
  readonly parentActive: boolean;
  elseSeen: boolean;
  readonly pos: Pos;
}

/** Preprocesses `path` (already known to exist, or reported missing). */
export function preprocess(
  path: string,
  options: PreprocessOptions,
  diags: DiagnosticBag,
): PreprocessResult {
  const macros = new Map<string, Macro>();
  for (const [name, body] of options.defines) {
    macros.set(name, { body: scan(body, "<command line>", diags, { lines: false }).slice(0, -1) });
  }
  const out: Token[] = [];
  const files: string[] = [];
  let passDependent = false;

  const load = (file: string): readonly Token[] | null => {
    let tokens = options.cache.get(file);
    if (tokens === undefined) {
      const text = options.host.readFile(file);
      tokens = text === undefined ? null : scan(text, file, diags);
      options.cache.set(file, tokens);
    }
    return tokens;
  };

  const expand = (tok: Token, at: Pos, hidden: readonly string[], depth: number): void => {
    const macro = tok.kind === "ident" ? macros.get(tok.text) : undefined;
    if (macro === undefined || macro.params !== undefined || hidden.includes(tok.text)) {
      out.push(
        tok.file === at.file && tok.line === at.line && tok.col === at.col
          ? tok
          : { ...tok, file: at.file, line: at.line, col: at.col },
      );
      return;
    }
    if (depth > MAX_EXPANSION_DEPTH) {
      diags.error(at, "macro-recursion", `macro ${tok.text} expands too deeply`);
      return;
    }
    const inner = [...hidden, tok.text];
    for (const b of macro.body) expand(b, at, inner, depth + 1);
  };

  const run = (file: string, depth: number): void => {
    const tokens = load(file);
    if (tokens === null) return;
    files.push(file);
    const conds: Cond[] = [];
    const active = () => conds.length === 0 || conds[conds.length - 1]!.active;
    for (const tok of tokens) {
      if (tok.kind === "eof") break;
      if (tok.kind === "directive") {
        directive(tok, file, depth, conds);
        continue;
      }
      if (!active()) continue;
      if (tok.kind === "passthrough") {
        out.push(macros.size === 0 ? tok : { ...tok, text: expandText(tok.text, macros) });
        continue;
      }
      if (tok.kind === "ident" && macros.has(tok.text)) expand(tok, tok, [], 0);
      else out.push(tok);
    }
    for (const c of conds) {
      diags.error(c.pos, "unterminated-conditional", "#if without #endif");
    }
  };

  const directive = (tok: Token, file: string, depth: number, conds: Cond[]): void => {
    const m = /^\s*([A-Za-z_]\w*)?/.exec(tok.text)!;
    const name = m[1] ?? "";
    const restText = tok.text.slice(m[0].length);
    const restCol = tok.col + 1 + m[0].length;
    const rest = () =>
      scan(restText.replace(/\\\r?\n/g, "  "), file, diags, {
        lines: false,
        line: tok.line,
        col: restCol,
      }).slice(0, -1);
    const top = conds[conds.length - 1];
    const active = top === undefined || top.active;
    const usesPass = () => /\bRPC_(HDR|XDR|SVC|CLNT|TBL)\b/.test(restText);
    switch (name) {
      case "if":
      case "ifdef":
      case "ifndef": {
        if (!active) {
          conds.push({
            active: false,
            taken: true,
            parentActive: false,
            elseSeen: false,
            pos: tok,
          });
          return;
        }
        if (usesPass()) passDependent = true;
        let value: boolean;
        if (name === "if") value = evaluateCondition(rest(), macros, tok, diags);
        else {
          const r = rest();
          const id = r[0];
          if (id === undefined || id.kind !== "ident") {
            diags.error(tok, "bad-directive", `#${name} needs a macro name`);
            value = false;
          } else value = macros.has(id.text) === (name === "ifdef");
        }
        conds.push({ active: value, taken: value, parentActive: true, elseSeen: false, pos: tok });
        return;
      }
      case "elif":
      case "else": {
        if (top === undefined) {
          diags.error(tok, "bad-directive", `#${name} without #if`);
          return;
        }
        if (top.elseSeen) diags.error(tok, "bad-directive", `#${name} after #else`);
        if (name === "else") top.elseSeen = true;
        if (!top.parentActive || top.taken) {
          top.active = false;
          return;
        }
        if (name === "elif" && usesPass()) passDependent = true;
        const value = name === "else" || evaluateCondition(rest(), macros, tok, diags);
        top.active = value;
        top.taken = value;
        return;
      }
      case "endif":
        if (conds.pop() === undefined) diags.error(tok, "bad-directive", "#endif without #if");
        return;
    }
    if (!active) return;
    switch (name) {
      case "define":
        define(rest(), tok);
        return;
      case "undef": {
        const id = rest()[0];
        if (id?.kind === "ident") macros.delete(id.text);
        else diags.error(tok, "bad-directive", "#undef needs a macro name");
        return;
      }
      case "include":
        include(restText, tok, file, depth);
        return;
      case "error":
        diags.error(tok, "error-directive", `#error${restText}`);
        return;
      case "warning":
        diags.warning(tok, "warning-directive", `#warning${restText}`);
        return;
      case "pragma":
      case "ident":
      case "sccs":
      case "line":
      case "":
        return;
    }
    diags.warning(tok, "unknown-directive", `unknown preprocessor directive #${name} ignored`);
  };

  const define = (r: Token[], at: Token): void => {
    const id = r[0];
    if (id === undefined || id.kind !== "ident") {
      diags.error(at, "bad-directive", "#define needs a macro name");
      return;
    }
    const next = r[1];
    // Function-like only when "(" touches the name: `#define F(x)`, not `#define F (x)`.
    if (next?.text === "(" && next.line === id.line && next.col === id.col + id.text.length) {
      const close = r.findIndex((t) => t.text === ")");
      const params = r.slice(2, close < 0 ? r.length : close).filter((t) => t.kind === "ident");
      macros.set(id.text, {
        body: close < 0 ? [] : r.slice(close + 1),
        params: params.map((p) => p.text),
      });
      return;
    }
    macros.set(id.text, { body: r.slice(1) });
  };

  const include = (restText: string, at: Token, file: string, depth: number): void => {
    const m = /^\s*(?:"([^"]*)"|<([^>]*)>)/.exec(restText);
    if (m === null) {
      diags.error(at, "bad-directive", '#include needs "file" or <file>');
      return;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      diags.error(at, "include-depth", `#include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      return;
    }
    const name = m[1] ?? m[2]!;
    const dirs = m[1] !== undefined ? [dirname(file), ...options.includeDirs] : options.includeDirs;
    for (const d of dirs) {
      const candidate = joinPath(d, name);
      if (load(candidate) !== null) {
        run(candidate, depth + 1);
        return;
      }
    }
    diags.error(at, "include-not-found", `cannot find included file "${name}"`);
  };

  const root = load(path);
  if (root === null) {
    diags.error({ file: path, line: 1, col: 1 }, "file-not-found", `cannot read ${path}`);
    out.push({ kind: "eof", text: "", file: path, line: 1, col: 1 });
  } else {
    run(path, 0);
    out.push(root[root.length - 1]!);
  }
  return { tokens: out, files, passDependent };
}

/**
 * Expands object-like macros in the text of a `%` line, as cpp does (it does not know `%`):
 * identifiers outside string and character literals and comments.
 */
export function expandText(
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

/** `-D NAME[=VALUE]` → name and body (`1` when no value is given, as cpp does). */
export function parseDefine(spec: string): [string, string] | undefined {
  const m = /^([A-Za-z_]\w*)(?:=(.*))?$/s.exec(spec);
  if (m === null) return undefined;
  return [m[1]!, m[2] ?? "1"];
}

/** Whether a number token is a valid integer literal (used by the `#if` evaluator). */
export function numberValue(tok: Token): bigint | undefined {
  return parseNumber(tok.text);
}
