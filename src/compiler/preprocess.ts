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
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type { CompilerHost } from "./host.js";
import { dirname, joinPath } from "./host.js";
import { evaluateCondition } from "./pp-expr.js";
import { type Macro, MacroExpander, type TokenSource } from "./pp-macros.js";
import { parseNumber, scan, type Token } from "./scanner.js";

export type { Macro };

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

  const expander = new MacroExpander(macros, diags);

  const run = (file: string, depth: number): void => {
    const tokens = load(file);
    if (tokens === null) return;
    files.push(file);
    const conds: Cond[] = [];
    const active = () => conds.length === 0 || conds[conds.length - 1]!.active;
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
      if (tok.kind === "directive") {
        directive(tok, file, depth, conds);
        continue;
      }
      if (!active()) continue;
      if (tok.kind === "passthrough") {
        out.push(macros.size === 0 ? tok : { ...tok, text: expandText(tok.text, macros) });
        continue;
      }
      if (tok.kind === "ident" && macros.has(tok.text)) expander.expand(tok, source, out, tok);
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
      const list = parameterList(r);
      if (list === null) {
        diags.error(
          at,
          "bad-directive",
          `#define ${id.text}(...): parameters must be names separated by commas (variadic macros are not supported)`,
        );
        return;
      }
      macros.set(id.text, { body: r.slice(list.bodyAt), params: list.params });
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

/** Whether a number token is a valid integer literal (used by the `#if` evaluator). */
export function numberValue(tok: Token): bigint | undefined {
  return parseNumber(tok.text);
}
