/**
 * The `#if` / `#elif` expression language of the C preprocessor (C11 §6.10.1), as far as `.x`
 * files use it: `defined NAME`, `defined(NAME)`, integer literals, macros, and the
 * operators `?:`, `||`, `&&`, `|`, `^`, `&`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `<<`, `>>`, `+`,
 * `-`, `*`, `/`, `%`, unary `!`, `~`, `-`, `+`, parentheses. Names left after macro expansion
 * are 0. Arithmetic is on 64-bit signed integers (bigint, wrapped).
 */
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { expandTokens, type Macro, type MacroExpander } from "./pp-macros.js";
import { parseNumber, type Token } from "./scanner.js";

const BINARY: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "^": 4,
  "&": 5,
  "==": 6,
  "!=": 6,
  "<": 7,
  ">": 7,
  "<=": 7,
  ">=": 7,
  "<<": 8,
  ">>": 8,
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "%": 10,
};

class ExprError extends Error {}

/**
 * Evaluates a condition; a malformed one is reported and counts as false. `expander` is the
 * file's, so that `#if` lines share its expansion budget.
 */
export function evaluateCondition(
  tokens: readonly Token[],
  macros: ReadonlyMap<string, Macro>,
  at: Pos,
  diags: DiagnosticBag,
  expander?: MacroExpander,
): boolean {
  const v = evaluateExpression(tokens, macros, at, diags, () => 0n, "#if condition", expander);
  return v !== null && v !== 0n;
}

/** Carries a non-numeric answer of the `ident` callback out of the evaluation. */
class Unknown<U> {
  constructor(readonly value: U) {}
}

/**
 * Evaluates an integer expression. `ident` gives the value of a name that is not a macro:
 * `null` when it has none (already reported), or an object `U` when the value exists but is not
 * known (a constant defined outside the compiled files), which ends the evaluation and is
 * returned as its result. Returns `null` after reporting a malformed expression. Macros are
 * expanded by `expander` (a fresh one when omitted).
 */
export function evaluateExpression<U extends object = never>(
  tokens: readonly Token[],
  macros: ReadonlyMap<string, Macro>,
  at: Pos,
  diags: DiagnosticBag,
  ident: (name: string, tok: Token) => bigint | null | U,
  what: string,
  expander?: MacroExpander,
): bigint | null | U {
  const expanded = expandTokens(resolveDefined(tokens, macros), macros, diags, expander);
  try {
    return new ExprParser(expanded, ident).whole();
  } catch (e) {
    if (e instanceof Unknown) return e.value as U;
    if (!(e instanceof ExprError)) throw e;
    diags.error(at, "bad-condition", `cannot evaluate ${what}: ${e.message}`);
    return null;
  }
}

const wrap = (v: bigint) => BigInt.asIntN(64, v);

/** Precedence climbing over macro-expanded tokens; throws {@link ExprError} or {@link Unknown}. */
class ExprParser<U> {
  private i = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly ident: (name: string, tok: Token) => bigint | null | U,
  ) {}

  whole(): bigint {
    if (this.tokens.length === 0) fail("empty expression");
    const v = this.ternary();
    if (this.i < this.tokens.length) fail(`unexpected '${this.tokens[this.i]!.text}'`);
    return v;
  }

  private ternary(): bigint {
    const c = this.binary(1);
    if (this.tokens[this.i]?.text !== "?") return c;
    this.i++;
    const a = this.ternary();
    if (this.tokens[this.i++]?.text !== ":") fail("missing : in ?:");
    const b = this.ternary();
    return c !== 0n ? a : b;
  }

  private binary(minPrec: number): bigint {
    let left = this.primary();
    for (;;) {
      const t = this.tokens[this.i];
      const prec = t?.kind === "punct" ? BINARY[t.text] : undefined;
      if (t === undefined || prec === undefined || prec < minPrec) return left;
      this.i++;
      left = apply(t.text, left, this.binary(prec + 1));
    }
  }

  private primary(): bigint {
    const t = this.tokens[this.i++];
    if (t === undefined) return fail("expression ends too early");
    if (t.kind === "number") {
      const v = parseNumber(t.text);
      return v === undefined ? fail(`bad number ${t.text}`) : v;
    }
    if (t.kind === "string" && t.text.startsWith("'")) {
      return BigInt(t.text.length >= 3 ? t.text.charCodeAt(1) : 0);
    }
    if (t.kind === "ident") {
      const v = this.ident(t.text, t);
      if (v === null) return fail(`'${t.text}' has no value`);
      if (typeof v === "bigint") return v;
      throw new Unknown(v);
    }
    if (t.text === "(") {
      const v = this.ternary();
      if (this.tokens[this.i++]?.text !== ")") fail("missing )");
      return v;
    }
    if (t.text === "!") return this.primary() === 0n ? 1n : 0n;
    if (t.text === "~") return wrap(~this.primary());
    if (t.text === "-") return wrap(-this.primary());
    if (t.text === "+") return this.primary();
    return fail(`unexpected '${t.text}'`);
  }
}

function fail(message: string): never {
  throw new ExprError(message);
}

/** A binary operator applied as C does on 64-bit signed integers (`/` and `%` truncate). */
function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case "||":
      return a !== 0n || b !== 0n ? 1n : 0n;
    case "&&":
      return a !== 0n && b !== 0n ? 1n : 0n;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "&":
      return a & b;
    case "==":
      return a === b ? 1n : 0n;
    case "!=":
      return a !== b ? 1n : 0n;
    case "<":
      return a < b ? 1n : 0n;
    case ">":
      return a > b ? 1n : 0n;
    case "<=":
      return a <= b ? 1n : 0n;
    case ">=":
      return a >= b ? 1n : 0n;
    case "<<":
      return wrap(a << (b & 63n));
    case ">>":
      return a >> (b & 63n);
    case "+":
      return wrap(a + b);
    case "-":
      return wrap(a - b);
    case "*":
      return wrap(a * b);
    case "/":
      return b === 0n ? fail("division by zero") : wrap(a / b);
    default:
      return b === 0n ? fail("division by zero") : a % b;
  }
}

/** Replaces `defined X` / `defined(X)` by 1 or 0 (before macro expansion, as C11 §6.10.1 says). */
function resolveDefined(tokens: readonly Token[], macros: ReadonlyMap<string, Macro>): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "ident" || t.text !== "defined") {
      out.push(t);
      continue;
    }
    let name = tokens[i + 1];
    let skip = 1;
    if (name?.text === "(") {
      name = tokens[i + 2];
      skip = tokens[i + 3]?.text === ")" ? 3 : 2;
    }
    const known = name !== undefined && macros.has(name.text);
    out.push({ ...t, kind: "number", text: known ? "1" : "0" });
    i += skip;
  }
  return out;
}
