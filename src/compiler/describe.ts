/** How types and constants are written in messages: as they would be in the `.x` file. */
import type { Value } from "./ast.js";
import type { XType } from "./model.js";
import type { Outside } from "./scope.js";

/** A constant as written (`N`, `-N`, `0x10`, `(1500 - 28)`). */
export function show(v: Value): string {
  if (v.kind === "expr") return `${v.negate ? "-" : ""}(${v.tokens.map((t) => t.text).join(" ")})`;
  return v.kind === "name" ? `${v.negate ? "-" : ""}${v.name}` : v.text;
}

/** A type as it would be written in the `.x` file, for messages. */
export function describe(t: XType): string {
  switch (t.kind) {
    case "ref":
      return t.name;
    case "uint":
      return "unsigned int";
    case "uhyper":
      return "unsigned hyper";
    case "string":
      return `string<${t.max ?? ""}>`;
    case "opaque":
      return t.fixed ? `opaque[${t.size}]` : `opaque<${t.size ?? ""}>`;
    case "array":
      return t.fixed
        ? `${describe(t.element)}[${t.size}]`
        : `${describe(t.element)}<${t.size ?? ""}>`;
    case "optional":
      return `${describe(t.element)} *`;
    default:
      return t.kind;
  }
}

/**
 * Why a constant has no value here, for messages: `N is defined outside f.x`, or, when it is
 * defined by such a name, `M depends on N, which is defined outside f.x`.
 */
export function outsideWhy(shown: string, v: Outside, file: string): string {
  const where = `defined outside ${file}`;
  return shown === v.outside
    ? `${shown} is ${where}`
    : `${shown} depends on ${v.outside}, which is ${where}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
