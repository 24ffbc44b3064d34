/** The scanner and the preprocessor: tokens, directives, macros, `#if`, passes. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compile, DiagnosticBag, memoryHost, scan } from "./index.js";
import { parseNumber } from "./scanner.js";

/** Compiles in-memory files; returns diagnostics as `line:col severity code` and the first output. */
function run(
  files: Record<string, string>,
  options: {
    defines?: Record<string, string>;
    includeDirs?: string[];
  } = {},
) {
  const r = compile({
    host: memoryHost(files),
    files: [Object.keys(files)[0]!],
    defines: new Map(Object.entries(options.defines ?? {})),
    includeDirs: options.includeDirs ?? [],
  });
  const diags = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`);
  return { r, diags, text: r.outputs[0]?.text ?? "" };
}

const kinds = (text: string) =>
  scan(text, "t.x", new DiagnosticBag()).map((t) => `${t.kind}:${t.text}`);

describe("scanner", () => {
  const cases: [string, string, string[]][] = [
    [
      "punctuation and names",
      "int x<5>;",
      ["ident:int", "ident:x", "punct:<", "number:5", "punct:>", "punct:;", "eof:"],
    ],
    ["block comment with # and %", "/*\n# Revision 1\n% not a line\n*/ x", ["ident:x", "eof:"]],
    ["// comment (Stellar dialect)", "a // b\nc", ["ident:a", "ident:c", "eof:"]],
    ["% line", "%#include <x.h>\nint", ["passthrough:#include <x.h>", "ident:int", "eof:"]],
    [
      "% line ending in \\ continues",
      "%#define A \\\n  1\nb",
      ["passthrough:#define A \\\n  1", "ident:b", "eof:"],
    ],
    ["directive", "  #define X 1 /* c */\ny", ["directive:define X 1 /* c */", "ident:y", "eof:"]],
  ];
  for (const [name, text, expected] of cases)
    test(name, () => assert.deepEqual(kinds(text), expected));

  test("numbers: decimal, hex, octal, C suffixes", () => {
    assert.equal(parseNumber("0170000"), 0o170000n);
    assert.equal(parseNumber("0x20000099"), 0x20000099n);
    assert.equal(parseNumber("0xffffffffffffffff"), 2n ** 64n - 1n);
    assert.equal(parseNumber("64UL"), 64n);
    assert.equal(parseNumber("09"), undefined);
  });

  test("illegal character is reported with its position", () => {
    const d = new DiagnosticBag();
    scan("int $x;", "t.x", d);
    assert.deepEqual(
      d.list.map((x) => `${x.line}:${x.column} ${x.code}`),
      ["1:5 illegal-character"],
    );
  });
});

describe("preprocessor", () => {
  test("#define bounds, #if arithmetic, defined(), undefined names are 0, #elif/#else", () => {
    const { diags, text } = run({
      "a.x": [
        "#define N 16",
        "#define TWICE (N * 2)",
        "#if TWICE == 32 && defined(N) && !defined(NOPE) && (NOPE + 1) == 1",
        "typedef int ok_t<TWICE>;",
        "#elif 1",
        "typedef int bad1<1>;",
        "#else",
        "typedef int bad2<1>;",
        "#endif",
        "#undef N",
        "#ifdef N",
        "typedef int bad3<1>;",
        "#endif",
      ].join("\n"),
    });
    assert.deepEqual(diags, []);
    assert.match(text, /readLength\(32, 4\)/);
    assert.doesNotMatch(text, /bad/);
  });

  test("a macro may expand to a whole declaration; macros expand in % lines", () => {
    const { diags, text } = run({
      "a.x":
        "#define FIELD int counter;\n#define MAX 128\n%#define COPY MAX\nstruct s {\n FIELD\n};",
    });
    assert.deepEqual(diags, []);
    assert.match(text, /counter: number;/);
    assert.match(text, /\/\/ %#define COPY 128/);
  });

  test("#include is relative to the including file, then -I", () => {
    const { diags, text } = run(
      {
        "dir/a.x": '#include "sub/b.x"\n#include "c.x"\nstruct s { b_t x; c_t y; };',
        "dir/sub/b.x": "typedef int b_t;",
        "inc/c.x": "typedef int c_t;",
      },
      { includeDirs: ["inc"] },
    );
    assert.deepEqual(diags, []);
    assert.match(text, /export type b_t = number;[\s\S]*export type c_t = number;/);
  });

  test("-D NAME=VALUE", () => {
    const { text } = run({ "a.x": "typedef opaque id<LEN>;" }, { defines: { LEN: "16" } });
    assert.match(text, /readVarOpaque\(16\)/);
  });

  test("per-pass sections: a definition visible in any RPC_* pass is emitted once", () => {
    const { diags, text } = run({
      "a.x": [
        "#ifdef RPC_HDR",
        "%/* header only */",
        "const HDR_ONLY = 1;",
        "#endif",
        "#if defined(RPC_XDR) || defined(RPC_HDR)",
        "typedef int both_t;",
        "#endif",
        "#ifdef RPC_SVC",
        "const SVC_ONLY = 2;",
        "#endif",
      ].join("\n"),
    });
    assert.deepEqual(diags, []);
    assert.equal(text.match(/export type both_t/g)?.length, 1);
    assert.match(text, /HDR_ONLY = 1[\s\S]*SVC_ONLY = 2/);
    assert.match(text, /\/\/ %\/\* header only \*\//);
  });

  test("function-like macros: arguments, nesting, # and ##, rescanning, no self-expansion", () => {
    const { diags, text } = run({
      "a.x": [
        "#define TWICE(x) (x + x)",
        "#define LIST(t, n) t n##_list<n##_MAX>;",
        "#define NAME(x) #x",
        "#define PICK g",
        "#define g(x) (x * 3)",
        "#define SELF(x) (SELF + x)",
        "#define NOARGS() 5",
        "#define TWO(a, b) (a - b)",
        "const foo_MAX = 4;",
        "const A = TWICE(TWICE(3));",
        "const B = PICK(2);",
        "const SELF = 1;",
        "const C = SELF(1);",
        "const D = NOARGS();",
        "const E = TWO((1), 3);",
        'const F = NAME(a  "b" c);',
        "const TWICE = 7;",
        "struct s { LIST(int, foo) };",
        "#if TWICE(2) == 4 && defined(TWICE)",
        "const OK = TWICE;",
        "#endif",
      ].join("\n"),
    });
    assert.deepEqual(diags, []);
    assert.match(text, /export const A = 12;/);
    assert.match(text, /export const B = 6;/);
    assert.match(text, /export const C = 2;/);
    assert.match(text, /export const D = 5;/);
    assert.match(text, /export const E = -2;/);
    assert.match(text, /export const F = "a \\"b\\" c";/);
    assert.match(text, /foo_list: number\[\];[\s\S]*readLength\(4, 4\)/);
    assert.match(text, /export const OK = 7;/);
  });

  test("function-like macro errors: argument count, unterminated call, bad parameter list", () => {
    const { diags } = run({
      "a.x": [
        "#define TWO(a, b) (a - b)",
        "#define BAD(a, a) a",
        "#define VARIADIC(...) 1",
        "const X = TWO(1);",
        "const Y = TWO(1, 2",
      ].join("\n"),
    });
    assert.deepEqual(diags, [
      "2:1 error bad-directive",
      "3:1 error bad-directive",
      "4:11 error bad-macro-call",
      "4:17 error syntax",
      "5:11 error bad-macro-call",
      "5:19 error syntax",
    ]);
  });

  test("%#define constants are used for names nothing else defines", () => {
    const { diags, text } = run({
      "a.x":
        "%#define LM_MAXSTRLEN 1024\n%#define MAXNAMELEN LM_MAXSTRLEN+1\ntypedef string n<MAXNAMELEN>;",
    });
    assert.deepEqual(diags, []);
    assert.match(text, /readString\(1025\)/);
  });
});
