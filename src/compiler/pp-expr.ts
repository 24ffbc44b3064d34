/**
 * The `#if` / `#elif` expression language of the C preprocessor (C11 §6.10.1), as far as `.x`
 * files use it: `defined NAME`, `defined(NAME)`, integer literals, object-like macros, and the
 * operators `?:`, `||`, `&&`, `|`, `^`, `&`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `<<`, `>>`, `+`,
 * `-`, `*`, `/`, `%`, unary `!`, `~`, `-`, `+`, parentheses. Names left after macro expansion
 * are 0. Arithmetic is on 64-bit signed integers (bigint, wrapped).
 */
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { parseNumber, type Token } from "./scanner.js";

/** A macro: object-like (`params` undefined) or function-like. */
export interface Macro {
  readonly body: readonly Token[];
  readonly params?: readonly string[];
}

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

/** Evaluates a condition; a malformed one is reported and counts as false. */
export function evaluateCondition(
  tokens: readonly Token[],
  macros: ReadonlyMap<string, Macro>,
  at: Pos,
  diags: DiagnosticBag,
): boolean {
  const v = evaluateExpression(tokens, macros, at, diags, () => 0n, "#if condition");
  return v !== null && v !== 0n;
}

/**
 * Evaluates an integer expression. `ident` gives the value of a name that is not a macro
 * (`null`: unknown, already reported). Returns `null` after reporting a malformed expression.
 */
export function evaluateExpression(
  tokens: readonly Token[],
  macros: ReadonlyMap<string, Macro>,
  at: Pos,
  diags: DiagnosticBag,
  ident: (name: string, tok: Token) => bigint | null,
  what: string,
): bigint | null {
  const expanded = expandForIf(tokens, macros, [], 0);
  let i = 0;
  const peek = () => expanded[i];
  const fail = (msg: string): never => {
    throw new ExprError(msg);
  };
  const wrap = (v: bigint) => BigInt.asIntN(64, v);

  const primary = (): bigint => {
    const t = expanded[i++];
    if (t === undefined) return fail("expression ends too early");
    if (t.kind === "number") {
      const v = parseNumber(t.text);
      return v === undefined ? fail(`bad number ${t.text}`) : v;
    }
    if (t.kind === "string" && t.text.startsWith("'")) {
      return BigInt(t.text.length >= 3 ? t.text.charCodeAt(1) : 0);
    }
    if (t.kind === "ident") {
      const v = ident(t.text, t);
      return v === null ? fail(`'${t.text}' has no value`) : v;
    }
    if (t.text === "(") {
      const v = ternary();
      if (expanded[i++]?.text !== ")") fail("missing )");
      return v;
    }
    if (t.text === "!") return primary() === 0n ? 1n : 0n;
    if (t.text === "~") return wrap(~primary());
    if (t.text === "-") return wrap(-primary());
    if (t.text === "+") return primary();
    return fail(`unexpected '${t.text}'`);
  };

  const binary = (minPrec: number): bigint => {
    let left = primary();
    for (;;) {
      const op = peek()?.text ?? "";
      const prec = peek()?.kind === "punct" ? BINARY[op] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      i++;
      const right = binary(prec + 1);
      left = apply(op, left, right);
    }
  };

  const apply = (op: string, a: bigint, b: bigint): bigint => {
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
  };

  const ternary = (): bigint => {
    const c = binary(1);
    if (peek()?.text !== "?") return c;
    i++;
    const a = ternary();
    if (expanded[i++]?.text !== ":") fail("missing : in ?:");
    const b = ternary();
    return c !== 0n ? a : b;
  };

  try {
    if (expanded.length === 0) fail("empty expression");
    const v = ternary();
    if (i < expanded.length) fail(`unexpected '${expanded[i]!.text}'`);
    return v;
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    diags.error(at, "bad-condition", `cannot evaluate ${what}: ${e.message}`);
    return null;
  }
}

/** Replaces `defined X` / `defined(X)` by 1 or 0, then expands object-like macros. */
function expandForIf(
  tokens: readonly Token[],
  macros: ReadonlyMap<string, Macro>,
  hidden: readonly string[],
  depth: number,
): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "ident" && t.text === "defined") {
      let name = tokens[i + 1];
      let skip = 1;
      if (name?.text === "(") {
        name = tokens[i + 2];
        skip = tokens[i + 3]?.text === ")" ? 3 : 2;
      }
      const known = name !== undefined && macros.has(name.text);
      out.push({ ...t, kind: "number", text: known ? "1" : "0" });
      i += skip;
      continue;
    }
    const m = t.kind === "ident" ? macros.get(t.text) : undefined;
    if (m !== undefined && m.params === undefined && !hidden.includes(t.text) && depth < 256) {
      out.push(...expandForIf(m.body, macros, [...hidden, t.text], depth + 1));
    } else out.push(t);
  }
  return out;
}
