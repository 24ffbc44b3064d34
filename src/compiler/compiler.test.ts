/** The language accepted, the TypeScript it becomes, every diagnostic, and names. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compile, memoryHost } from "./index.js";
import { camelCase, methodNames, pascalCase, tsName } from "./names.js";

/** Compiles in-memory files; returns diagnostics as `line:col severity code` and the first output. */
function run(files: Record<string, string>) {
  const r = compile({
    host: memoryHost(files),
    files: [Object.keys(files)[0]!],
  });
  const diags = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`);
  return { r, diags, text: r.outputs[0]?.text ?? "" };
}

describe("language", () => {
  test("rpcgen extras: C types, struct foo *, switch (enum x), TRUE/FALSE, shared arms, -N procedures", () => {
    const { diags, text } = run({
      "a.x": [
        "const NEG = -2; const OCT = 0755; const BIG = 0xffffffffffffffff;",
        "enum kind { A, B = 5, C };",
        "struct node { unsigned char c; short s; long l; u_int u; struct node *next; };",
        "union u switch (enum kind k) { case A: case C: int x; case B: void; };",
        "union b switch (bool present) { case TRUE: node n; case FALSE: void; };",
        "program P { version V { int ADD(int, hyper) = 1; void NULLPROC(void) = 0; } = 1; } = 0x20000001;",
        "const LAST = ADD;",
      ].join("\n"),
    });
    assert.deepEqual(diags, []);
    assert.match(text, /export const OCT = 0o755;/);
    assert.match(text, /export const BIG = 0xffffffffffffffffn;/);
    assert.match(text, /export const kind = \{\n {2}A: 0,\n {2}B: 5,\n {2}C: 6,/);
    assert.match(text, /\| \{ k: 0 \| 6; x: number \}/);
    assert.match(text, /\| \{ present: true; n: node \}/);
    assert.match(text, /add: \{ procedure: 1, name: "ADD", args: \[\$xdr\.int, \$xdr\.hyper\]/);
    assert.match(text, /export const LAST = 1;/);
    assert.match(text, /next: node \| null;/);
  });

  test("TypeScript keywords as names are escaped; property names stay", () => {
    const { diags, text } = run({
      "a.x":
        "struct Object { int class; int function; };\ntypedef int delete;\nprogram P { version v { int then(int) = 1; } = 1; } = 5;",
    });
    assert.deepEqual(diags, []);
    assert.match(text, /export interface Object_ \{\n {2}class: number;\n {2}function: number;/);
    assert.match(text, /export type delete_ = number;/);
    assert.match(text, /then_: \{ procedure: 1/);
  });

  test("interface shorthand: procedures numbered 1.., program number derived with a warning, or pinned", () => {
    const a = run({
      "calc.x": "interface { int func1(int arg1); int func2(int arg1, int arg2); };",
    });
    assert.deepEqual(a.diags, ["1:1 warning derived-program-number"]);
    assert.match(a.text, /export const CalcV1 = defineProgram/);
    assert.match(a.text, /func2: \{ procedure: 2, name: "func2", args: \[\$xdr\.int, \$xdr\.int\]/);
    const b = run({ "calc.x": "interface CALC { int add(int a, int b); } = 0x20000042;" });
    assert.deepEqual(b.diags, []);
    assert.match(b.text, /export const CALC = 0x20000042;/);
  });

  test("Stellar dialect: namespace, // comments, anonymous nested types named parent + field", () => {
    const { diags, text } = run({
      "a.x": [
        "namespace stellar {",
        "// a comment",
        "struct LedgerEntry {",
        "  int lastModified;",
        "  union switch (int v) { case 0: void; case 1: struct { int x; } v1; } data;",
        "  enum { ONE = 1 } kind;",
        "};",
        "}",
      ].join("\n"),
    });
    assert.deepEqual(diags, []);
    assert.match(text, /export interface LedgerEntryDataV1 \{/);
    assert.match(text, /export type LedgerEntryData =/);
    assert.match(text, /export const LedgerEntryKind = \{/);
    assert.match(text, /data: LedgerEntryData;/);
  });

  test("files compiled together import each other's types", () => {
    const r = compile({
      host: memoryHost({
        "types.x": "typedef unsigned int uint32;",
        "use.x": "struct s { uint32 a; };",
      }),
      files: ["types.x", "use.x"],
    });
    assert.deepEqual(r.diagnostics, []);
    assert.match(r.outputs[1]!.text, /import \{ type uint32 \} from "\.\/types\.js";/);
  });
});

describe("diagnostics", () => {
  const cases: [string, string, string[]][] = [
    [
      "a type used as a constant",
      "struct s { int x; };\ntypedef int a<s>;",
      ["2:15 error not-a-number"],
    ],
    ["a constant used as a type", "const C = 1;\nstruct s { C x; };", ["2:12 error not-a-type"]],
    [
      "circular constants",
      "const A = B;\nconst B = A;\ntypedef int t<A>;",
      ["2:11 error circular-constant"],
    ],
    [
      "duplicate definition",
      "struct s { int a; };\nstruct s { int b; };",
      ["2:1 error duplicate-definition"],
    ],
    ["duplicate constant", "const A = 1;\nconst A = 2;", ["2:7 error duplicate-definition"]],
    [
      "discriminant that cannot switch",
      "union u switch (hyper h) { case 0: void; };",
      ["1:23 error bad-discriminant"],
    ],
    [
      "bound that is not a positive constant",
      "const N = -1;\ntypedef int a<N>;",
      ["2:15 error bad-bound"],
    ],
    [
      "case value out of range",
      "union u switch (unsigned int d) { case -1: void; };",
      ["1:41 error case-range"],
    ],
    [
      "case value not in the enum",
      "enum e { A = 1 };\nunion u switch (e d) { case 2: void; };",
      ["2:29 error case-range"],
    ],
    [
      "duplicated case value",
      "union u switch (int d) { case 1: void; case 1: int x; };",
      ["1:45 error duplicate-case"],
    ],
    [
      "name collision after escaping",
      "typedef int Object;\ntypedef int Object_;",
      ["2:13 error name-collision"],
    ],
    [
      "syntax error, recovery, more errors",
      "struct a { int };\nstruct b { int x; int x; };",
      ["1:16 error syntax", "2:23 error duplicate-field"],
    ],
    ["reserved word as a name", "typedef int struct;", ["1:13 error syntax"]],
    ["missing include", '#include "nope.x"', ["1:1 error include-not-found"]],
    ["#if without #endif", "#ifdef X\n", ["1:1 error unterminated-conditional"]],
    ["string bound missing", "typedef string s;", ["1:17 error syntax"]],
    [
      "procedure numbers collide",
      "program P { version V { int A(int) = 1; int B(int) = 1; } = 1; } = 1;",
      ["1:45 error duplicate-number"],
    ],
    ["malformed #if", "#if 1 +\n#endif", ["1:1 error bad-condition"]],
    [
      "opaque without a length as a procedure type",
      "program P { version V { int A(opaque) = 1; } = 1; } = 1;",
      ["1:31 error bad-type"],
    ],
    ["constant beyond 64 bits", "const C = 0x1ffffffffffffffff;", ["1:7 error constant-range"]],
    [
      "two default arms",
      "union u switch (int d) { default: void; default: int x; };",
      ["1:41 error duplicate-default"],
    ],
    ["enum value beyond int", "enum e { A = 0x80000000 };", ["1:10 error enum-range"]],
    ["#error", "#error no such platform", ["1:1 error error-directive"]],
    ["include nested too deep", '#include "t.x"', ["1:1 error include-depth"]],
    // Found by fuzzing (compiler): two self-includes doubled the work at each of the 64 levels
    // the depth limit allows, so compiling these two lines never ended.
    [
      "an include bomb within the depth limit",
      '#include "t.x"\n#include "t.x"',
      [
        "1:1 error include-depth", // nested more than 64 deep
        "1:1 error include-depth", // more than 4096 #includes, or 50000 tokens, in one file
        "2:1 error include-depth",
        "2:1 error include-depth",
      ],
    ],
    [
      "a macro that grows without end",
      [
        "#define A x x x x x x x x x x",
        "#define B A A A A A A A A A A",
        "#define C B B B B B B B B B B",
        "#define D C C C C C C C C C C",
        "#define E D D D D D D D D D D",
        "#define F E E E E E E E E E E",
        "F",
      ].join("\n"),
      ["7:1 error macro-expansion"],
    ],
    [
      "program number out of range",
      "program P { version V { int A(int) = 1; } = 1; } = -1;",
      ["1:53 error number-range"],
    ],
    ["unterminated comment", "typedef int a; /* no end", ["1:16 error unterminated-comment"]],
    ["void struct field", "struct s { int a; void; };", ["1:19 error void-field"]],
    ["void typedef", "typedef void;", ["1:1 error void-typedef"]],
    [
      "void among several arguments",
      "program P { version V { int A(int, void) = 1; } = 1; } = 1;",
      ["1:36 error void-use"],
    ],
  ];
  for (const [name, source, expected] of cases) {
    test(name, () => {
      const { r, diags } = run({ "t.x": source });
      assert.deepEqual(diags, expected);
      assert.equal(r.outputs.length, 0, "nothing is emitted on error");
      for (const d of r.diagnostics) assert.ok(d.message.length > 10);
    });
  }

  // Found by fuzzing (compiler): a 2 KB file using a 10,000-token macro a thousand times made
  // 10^7 tokens (13 s, 1.6 GB); one using a 100,000-token macro 8,000 times took minutes.
  test("the macro expansions of one file are bounded in all", () => {
    const defs = ["A x x x x x x x x x x", "B A A A A A A A A A A", "C B B B B B B B B B B"];
    const lines = [...defs, "D C C C C C C C C C C"].map((d) => `#define ${d}`); // D: 10^4 tokens
    for (const use of ["D ", "#if D\n#endif\n"]) {
      const { r } = run({ "t.x": [...lines, use.repeat(200)].join("\n") });
      const budget = r.diagnostics.filter((d) => /beyond 200000 tokens in all/.test(d.message));
      assert.ok(budget.length > 0 && budget.every((d) => d.code === "macro-expansion"), use);
    }
  });

  test("a file that cannot be read; two inputs written to one path", () => {
    const missing = compile({ host: memoryHost({}), files: ["none.x"] });
    assert.deepEqual(
      missing.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["none.x file-not-found"],
    );
    const clash = compile({
      host: memoryHost({ "a/x.x": "typedef int a;", "b/x.x": "typedef int b;" }),
      files: ["a/x.x", "b/x.x"],
      outputPath: () => "out/x.ts",
    });
    assert.deepEqual(
      clash.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["b/x.x output-clash"],
    );
    assert.equal(clash.outputs.length, 0);
  });

  const warnings: [string, string, string[]][] = [
    [
      "an arm named like the discriminant",
      "union u switch (int status) { case 0: int status; };",
      ["1:43 warning renamed-arm"],
    ],
    [
      "struct keyword naming an enum",
      "enum e { A };\nstruct s { struct e x; };",
      ["2:19 warning tag-mismatch"],
    ],
    ["#warning", "#warning careful\ntypedef int a;", ["1:1 warning warning-directive"]],
    ["an unknown directive", "#frobnicate\ntypedef int a;", ["1:1 warning unknown-directive"]],
    [
      "a procedure number differing between versions",
      "program P { version V1 { int A(int) = 1; } = 1; version V2 { int A(int) = 2; } = 2; } = 9;",
      ["1:66 warning number-conflict"],
    ],
  ];
  for (const [name, source, expected] of warnings) {
    test(name, () => {
      const { r, diags } = run({ "t.x": source });
      assert.deepEqual(diags, expected);
      assert.equal(r.outputs.length, 1, "warnings do not stop output");
    });
  }
});

describe("names", () => {
  test("camelCase / PascalCase / escaping", () => {
    assert.equal(camelCase("NULL_PROC"), "nullProc");
    assert.equal(camelCase("ECHO_STRING"), "echoString");
    assert.equal(camelCase("getAttr_v2"), "getAttrV2");
    assert.equal(pascalCase("CONFORMANCE_PROG"), "ConformanceProg");
    assert.equal(tsName("Uint8Array"), "Uint8Array_");
    assert.equal(tsName("name"), "name");
    assert.deepEqual(methodNames(["FOO_BAR", "foo_bar", "then"]), ["fooBar", "fooBar_", "then_"]);
  });
});
