/**
 * `compiler`: `lupine gen`'s whole pipeline (scanner, preprocessor, parser, checker, emitter) on
 * mutated `.x` files. The input is the text of `/x/fuzz.x`, which may `#include "inc.x"` (a
 * small file that exists) or anything else (which does not); odd-length inputs compile with
 * `--strict`. Checks: `compile` never throws; every diagnostic has a documented code
 * (docs/compiler.md), a severity and a position; there is output exactly when there is no error,
 * and it is one generated module. Seeds: real `.x` files (the golden files, conformance.x, a
 * selection of the shared corpus: NFS, NLM, rpcbind, libvirt, Stellar), and the mutator also
 * inserts the language's keywords and directives.
 */
import { compile, memoryHost } from "../../../src/compiler/index.js";
import { readCorpus } from "../engine/corpus.js";
import { check, type FuzzTarget } from "../engine/target.js";

/** The diagnostic codes docs/compiler.md documents. */
export const DOCUMENTED_CODES = new Set([
  "syntax",
  "illegal-character",
  "unterminated-comment",
  "file-not-found",
  "include-not-found",
  "include-depth",
  "bad-directive",
  "bad-condition",
  "bad-macro-call",
  "macro-expansion",
  "unterminated-conditional",
  "error-directive",
  "duplicate-definition",
  "duplicate-field",
  "duplicate-default",
  "void-field",
  "void-typedef",
  "void-use",
  "bad-type",
  "bad-discriminant",
  "bad-bound",
  "case-range",
  "duplicate-case",
  "enum-range",
  "constant-range",
  "circular-constant",
  "not-a-type",
  "not-a-number",
  "number-range",
  "duplicate-number",
  "name-collision",
  "output-clash",
  "undefined-type",
  "undefined-constant",
  "infinite-type",
  "derived-program-number",
  "redefinition",
  "renamed-arm",
  "number-conflict",
  "tag-mismatch",
  "unknown-directive",
  "warning-directive",
]);

const WORDS = [
  "const",
  "typedef",
  "enum",
  "struct",
  "union",
  "switch",
  "case",
  "default:",
  "program",
  "version",
  "void",
  "opaque",
  "string",
  "unsigned",
  "int",
  "hyper",
  "float",
  "double",
  "quadruple",
  "bool",
  "char",
  "long long",
  "short",
  "<>",
  "<",
  ">",
  "[",
  "]",
  "{",
  "}",
  ";",
  "=",
  "*",
  ",",
  "(",
  ")",
  ":",
  "#define",
  "#define F(a, b) a ## b",
  "#if",
  "#ifdef",
  "#ifndef",
  "#elif",
  "#else",
  "#endif",
  "#undef",
  '#include "inc.x"',
  "#include <none.x>",
  '#include "fuzz.x"',
  "#error",
  "#warning",
  "#line 5",
  "%#define X 1",
  "namespace",
  "interface",
  "defined(",
  "##",
  "#",
  "0x7fffffff",
  "4294967296",
  "-2147483648",
  "0777",
  "09",
  "RPC_HDR",
  "/*",
  "*/",
  "//",
  "\\\n",
  '"',
  "TRUE",
  "case TRUE:",
  "struct foo *",
  "= 1;",
  "} = 1;",
  "__proto__",
  "then",
  "constructor",
  "Object",
  "::",
  "case color::RED:",
  "18446744073709551616",
  "F(1,",
  "\n",
];

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INCLUDED = "typedef int inc_t;\nconst INC = 4;\nstruct inc_s { inc_t a<INC>; };\n";

/** The compiler target; see the module comment. */
export function compilerTarget(): FuzzTarget {
  return {
    name: "compiler",
    summary:
      "compile() on mutated .x text: never throws; documented diagnostics; output iff no error",
    maxLength: 8192,
    timeLimitMs: 2000,
    // The compiler allocates no typed arrays; token and line arrays grow by push.
    budget: (n) => ({ bytes: 1 << 20, elements: 64 * n + 4096 }),
    seeds: () => readCorpus("compiler"),
    dictionary: WORDS.map((w) => encoder.encode(w)),
    text: true,
    run(input) {
      const text = decoder.decode(input);
      const result = compile({
        host: memoryHost({ "/x/fuzz.x": text, "/x/inc.x": INCLUDED }),
        files: ["/x/fuzz.x"],
        strict: input.length % 2 === 1,
        outputPath: () => "/out/fuzz.ts",
      });
      let errors = 0;
      for (const d of result.diagnostics) {
        check(DOCUMENTED_CODES.has(d.code), `undocumented diagnostic code ${d.code}: ${d.message}`);
        check(d.severity === "error" || d.severity === "warning", `bad severity ${d.severity}`);
        check(
          d.line >= 0 && d.column >= 0 && d.message !== "",
          `bad diagnostic ${JSON.stringify(d)}`,
        );
        if (d.severity === "error") errors++;
      }
      if (errors > 0) {
        check(result.outputs.length === 0, "output written despite errors");
      } else {
        check(result.outputs.length === 1, `no error, but ${result.outputs.length} outputs`);
        check(result.outputs[0]!.text.startsWith("// Code generated"), "output is not a module");
      }
    },
  };
}
