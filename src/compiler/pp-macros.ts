/**
 * Macro expansion of the C preprocessor (C11 §6.10.3), over tokens: object-like macros and
 * function-like ones with arguments, `#` (stringizing) and `##` (token pasting), arguments
 * macro-expanded before substitution unless `#` or `##` touches them, and the result rescanned
 * with what follows it. Each token carries the set of macros it may no longer expand (its hide
 * set, after Prosser's algorithm), so a macro never expands inside its own expansion and
 * expansion always ends. Variadic macros (`...`, `__VA_ARGS__`) are not supported: no `.x` file
 * has one.
 */
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { scan, type Token } from "./scanner.js";

/** A macro: object-like (`params` undefined) or function-like. */
export interface Macro {
  readonly body: readonly Token[];
  readonly params?: readonly string[];
}

/** A token on its way through expansion, with the macros it may not expand. */
interface Hidden {
  readonly tok: Token;
  readonly hide: ReadonlySet<string>;
}

/** Where tokens come from: a list, or the rest of a file (which stops at a directive). */
export interface TokenSource {
  /** The next token without taking it, or `undefined` at the end. */
  peek(): Token | undefined;
  take(): Token | undefined;
}

/**
 * Most tokens one expansion may produce: a bound on macros that multiply at every step (real
 * `.x` files expand a macro to a few dozen tokens at most).
 */
const MAX_EXPANSION_TOKENS = 100_000;
/**
 * Most tokens all the expansions of one file may produce together (about 80 ms of work; real
 * files expand to a few thousand). Each expansion is bounded above, but a short file can use a
 * 100,000-token macro thousands of times: minutes of work, or gigabytes of tokens.
 */
const MAX_FILE_EXPANSION_TOKENS = 200_000;
const NONE: ReadonlySet<string> = new Set();

/** A {@link TokenSource} over a list. */
function listSource(tokens: readonly Token[]): TokenSource {
  let i = 0;
  return { peek: () => tokens[i], take: () => tokens[i++] };
}

/** Expands every macro in `tokens` (for `#if` lines); positions are kept. */
export function expandTokens(
  tokens: readonly Token[],
  macros: ReadonlyMap<string, Macro>,
  diags: DiagnosticBag,
  expander = new MacroExpander(macros, diags),
): Token[] {
  const out: Token[] = [];
  const source = listSource(tokens);
  for (let t = source.take(); t !== undefined; t = source.take()) {
    expander.expand(t, source, out, null);
  }
  return out;
}

/** A source of tokens that keep their hide sets (arguments being pre-expanded). */
interface HiddenSource {
  peek(): Hidden | undefined;
  take(): Hidden | undefined;
}

/** A token of a macro body standing for nothing: what an empty argument leaves beside `##`. */
const PLACEMARKER: Token = { kind: "punct", text: "", file: "", line: 0, col: 0 };

/**
 * Expands macro invocations; one per preprocessed file, reading its macro table live. Its
 * expansions together produce at most {@link MAX_FILE_EXPANSION_TOKENS}.
 */
export class MacroExpander {
  /** Tokens produced by all expansions so far. */
  private produced = 0;

  constructor(
    private readonly macros: ReadonlyMap<string, Macro>,
    private readonly diags: DiagnosticBag,
  ) {}

  /**
   * Writes the expansion of `first` (taken from `source`) to `out`, taking the invocation's
   * arguments, and whatever the rescan needs, from `source`. With `at`, every token that comes
   * out of a macro gets that position (diagnostics then point at the use); without, tokens keep
   * their own.
   */
  expand(first: Token, source: TokenSource, out: Token[], at: Pos | null): void {
    const hidden: HiddenSource = {
      peek: () => {
        const t = source.peek();
        return t === undefined ? undefined : { tok: t, hide: NONE };
      },
      take: () => {
        const t = source.take();
        return t === undefined ? undefined : { tok: t, hide: NONE };
      },
    };
    const result: Hidden[] = [];
    if (!this.expandHidden({ tok: first, hide: NONE }, hidden, result, first)) return;
    for (const h of result) {
      const t = h.tok;
      const moved = at !== null && (t.file !== at.file || t.line !== at.line || t.col !== at.col);
      out.push(moved ? { ...t, file: at.file, line: at.line, col: at.col } : t);
    }
  }

  /**
   * Expands `first` and what its rescan takes from `source`, keeping hide sets in `out`; false
   * after reporting (at `at`) an expansion that grows beyond {@link MAX_EXPANSION_TOKENS}.
   */
  private expandHidden(first: Hidden, source: HiddenSource, out: Hidden[], at: Pos): boolean {
    const pending: Hidden[] = [first];
    let produced = 0;
    const next = (): Hidden | undefined => pending.pop() ?? source.take();
    const peekText = (): string | undefined =>
      (pending.length > 0 ? pending[pending.length - 1] : source.peek())?.tok.text;
    for (let h = pending.pop(); h !== undefined; h = pending.pop()) {
      const name = h.tok.kind === "ident" ? h.tok.text : "";
      const macro = this.macros.get(name);
      if (macro === undefined || h.hide.has(name)) {
        out.push(h);
        continue;
      }
      let replacement: Hidden[];
      if (macro.params === undefined) {
        replacement = this.substitute(macro, [], new Set([...h.hide, name]), h.tok);
      } else {
        if (peekText() !== "(") {
          out.push(h);
          continue;
        }
        next();
        const call = this.collect(name, macro.params.length, next, h.tok);
        if (call === null) continue;
        const hide = new Set([...h.hide].filter((n) => call.close.has(n)));
        hide.add(name);
        replacement = this.substitute(macro, call.args, hide, h.tok);
      }
      produced += replacement.length;
      this.produced += replacement.length;
      if (produced > MAX_EXPANSION_TOKENS) {
        this.diags.error(
          at,
          "macro-expansion",
          `macro expansion grows beyond ${MAX_EXPANSION_TOKENS} tokens (in ${name})`,
        );
        return false;
      }
      if (this.produced > MAX_FILE_EXPANSION_TOKENS) {
        this.diags.error(
          at,
          "macro-expansion",
          `macro expansions of this file grow beyond ${MAX_FILE_EXPANSION_TOKENS} tokens in all`,
        );
        return false;
      }
      for (let i = replacement.length - 1; i >= 0; i--) pending.push(replacement[i]!);
    }
    return true;
  }

  /**
   * The arguments of a call whose `(` was just taken: split at top-level commas up to the
   * matching `)`. `null` after reporting an unterminated call or a wrong argument count.
   */
  private collect(
    name: string,
    arity: number,
    next: () => Hidden | undefined,
    at: Token,
  ): { readonly args: Hidden[][]; readonly close: ReadonlySet<string> } | null {
    const args: Hidden[][] = [[]];
    for (let depth = 0; ; ) {
      const h = next();
      if (h === undefined) {
        this.diags.error(at, "bad-macro-call", `unterminated call of macro ${name}`);
        return null;
      }
      const text = h.tok.kind === "punct" ? h.tok.text : "";
      if (text === ")" && depth === 0) {
        const n = args.length === 1 && args[0]!.length === 0 && arity === 0 ? 0 : args.length;
        if (n !== arity) {
          this.diags.error(
            at,
            "bad-macro-call",
            `macro ${name} takes ${arity} argument${arity === 1 ? "" : "s"}, got ${n}`,
          );
          return null;
        }
        return { args: n === 0 ? [] : args, close: h.hide };
      }
      if (text === "," && depth === 0) {
        args.push([]);
        continue;
      }
      if (text === "(") depth++;
      else if (text === ")") depth--;
      args[args.length - 1]!.push(h);
    }
  }

  /** The body of `macro` with its parameters replaced, `#` and `##` applied (C11 §6.10.3.1-3). */
  private substitute(
    macro: Macro,
    args: readonly Hidden[][],
    hide: ReadonlySet<string>,
    at: Token,
  ): Hidden[] {
    const params = macro.params ?? [];
    const body = macro.body;
    const argOf = (t: Token | undefined): readonly Hidden[] | undefined => {
      const i = t?.kind === "ident" ? params.indexOf(t.text) : -1;
      return i < 0 ? undefined : args[i];
    };
    const isPunct = (t: Token | undefined, text: string) => t?.kind === "punct" && t.text === text;
    /** The tokens a parameter stands for beside `##`: unexpanded, a placemarker if none. */
    const raw = (arg: readonly Hidden[]): Token[] =>
      arg.length === 0 ? [PLACEMARKER] : arg.map((h) => h.tok);
    const out: Hidden[] = [];
    const own = (tok: Token): Hidden => ({ tok, hide });
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!;
      const arg = argOf(b);
      const nextArg = argOf(body[i + 1]);
      if (isPunct(b, "#") && nextArg !== undefined && macro.params !== undefined) {
        out.push(own(stringize(nextArg, b)));
        i++;
      } else if (isPunct(b, "##") && out.length > 0 && i + 1 < body.length) {
        const [head, ...rest] = nextArg === undefined ? [body[i + 1]!] : raw(nextArg);
        out.push(own(this.paste(out.pop()!.tok, head!, at)), ...rest.map(own));
        i++;
      } else if (arg !== undefined) {
        if (isPunct(body[i + 1], "##")) out.push(...raw(arg).map(own));
        else
          for (const h of this.expandArgument(arg, at))
            out.push({ tok: h.tok, hide: union(h.hide, hide) });
      } else out.push(own(b));
    }
    return out.filter((h) => h.tok !== PLACEMARKER);
  }

  /** An argument fully macro-expanded on its own, before substitution (C11 §6.10.3.1). */
  private expandArgument(arg: readonly Hidden[], at: Pos): Hidden[] {
    const out: Hidden[] = [];
    let i = 0;
    const source: HiddenSource = { peek: () => arg[i], take: () => arg[i++] };
    for (let h = source.take(); h !== undefined; h = source.take()) {
      if (!this.expandHidden(h, source, out, at)) break;
    }
    return out;
  }

  /** `a ## b`: one token made of both texts, as the scanner reads it (C11 §6.10.3.3). */
  private paste(a: Token, b: Token, at: Token): Token {
    if (a === PLACEMARKER) return b;
    if (b === PLACEMARKER) return a;
    const text = a.text + b.text;
    const tokens = scan(text, a.file, this.diags, { lines: false, line: a.line, col: a.col });
    const only = tokens[0];
    if (tokens.length !== 2 || only === undefined || only.text !== text) {
      this.diags.error(
        at,
        "bad-macro-call",
        `pasting '${a.text}' and '${b.text}' does not give one token`,
      );
      return a;
    }
    return only;
  }
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a.size === 0) return b;
  return new Set([...a, ...b]);
}

/** `#x`: the argument's spelling as a string literal (C11 §6.10.3.2). */
function stringize(arg: readonly Hidden[], at: Token): Token {
  let text = "";
  arg.forEach((h, i) => {
    const prev = arg[i - 1]?.tok;
    const t = h.tok;
    const adjacent =
      prev !== undefined && prev.line === t.line && prev.col + prev.text.length === t.col;
    if (i > 0 && !adjacent) text += " ";
    text += t.kind === "string" ? t.text.replace(/[\\"]/g, (c) => `\\${c}`) : t.text;
  });
  return { kind: "string", text: `"${text}"`, file: at.file, line: at.line, col: at.col };
}
