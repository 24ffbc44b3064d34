/** How types and constants are written in messages: as they would be in the `.x` file. */
import type { Value } from "./ast.js";
import type { XType } from "./model.js";

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
