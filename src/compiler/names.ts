/**
 * How `.x` names become TypeScript names. Types, constants and codecs keep their `.x` names
 * (the same names rpcgen's C header defines), except words TypeScript reserves and the globals
 * generated code relies on, which get a trailing `_` (`Object` → `Object_`). Property names
 * (struct fields, union arms) stay exactly as written: every XDR identifier is a valid property
 * name. Procedures become camelCase methods, program versions PascalCase descriptors.
 */

/** Words that cannot be TypeScript identifiers (or type names), and globals generated code uses. */
const TS_RESERVED: ReadonlySet<string> = new Set([
  // ECMAScript reserved words (strict mode, modules)
  ..."break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await".split(
    " ",
  ),
  // restricted in strict mode and TypeScript's own names that cannot name a type
  ..."arguments eval any unknown never number bigint boolean string symbol object undefined type namespace module declare abstract as asserts infer is keyof readonly unique satisfies accessor global require of from get set async constructor out override intrinsic".split(
    " ",
  ),
  // globals that generated code refers to, or that users expect to keep their meaning
  ..."Array Object Number BigInt String Boolean Symbol Error RangeError TypeError Promise Uint8Array DataView ArrayBuffer Map Set WeakMap JSON Math Date RegExp NaN Infinity globalThis Exclude Extract Record Partial Readonly".split(
    " ",
  ),
]);

/** A `.x` identifier as a TypeScript identifier: reserved words get a trailing `_`. */
export function tsName(name: string): string {
  return TS_RESERVED.has(name) ? `${name}_` : name;
}

/** The codec constant for a type: rpcgen's routine name, `xdr_<type>`. */
export function codecName(type: string): string {
  return `xdr_${type}`;
}

/** Splits `NFSPROC3_GETATTR`, `getAttr_v2` into parts; all-capital parts are lower-cased. */
function parts(name: string): string[] {
  return name
    .split("_")
    .filter((p) => p !== "")
    .map((p) => (p === p.toUpperCase() ? p.toLowerCase() : p));
}

/** `NULL_PROC` → `nullProc`, `ECHO_STRING` → `echoString`, `getAttr` → `getAttr`. */
export function camelCase(name: string): string {
  const ps = parts(name);
  if (ps.length === 0) return name;
  return ps
    .map((p, i) => (i === 0 ? p[0]!.toLowerCase() + p.slice(1) : p[0]!.toUpperCase() + p.slice(1)))
    .join("");
}

/** `CONFORMANCE_PROG` → `ConformanceProg`. */
export function pascalCase(name: string): string {
  const ps = parts(name);
  if (ps.length === 0) return name;
  return ps.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
}

/**
 * Property names a client object or handler table must not use: `then` makes a client
 * thenable (which breaks `await`), the others are `Object.prototype` members.
 */
const BAD_METHODS = new Set([
  "then",
  "constructor",
  "__proto__",
  "toString",
  "toJSON",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
]);

/** Method names for the procedures of one version: camelCase, escaped, made unique. */
export function methodNames(procedures: readonly string[]): string[] {
  const used = new Set<string>();
  return procedures.map((p) => {
    let m = camelCase(p);
    if (!/^[A-Za-z_]/.test(m)) m = `_${m}`;
    while (BAD_METHODS.has(m) || used.has(m)) m = `${m}_`;
    used.add(m);
    return m;
  });
}

/** A property key for an object literal (`__proto__` would set the prototype). */
export function propertyKey(name: string): string {
  return name === "__proto__" ? `["__proto__"]` : name;
}

/** A string literal for generated code. */
export function quote(s: string): string {
  return JSON.stringify(s);
}
