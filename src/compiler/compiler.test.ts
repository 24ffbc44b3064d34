import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compile, type Diagnostic, DiagnosticBag, memoryHost, scan } from "./index.js";
import { camelCase, methodNames, pascalCase, tsName } from "./names.js";
import { parseNumber } from "./scanner.js";

/** Compiles in-memory files; returns diagnostics as `line:col code` and the first output. */
function run(
  files: Record<string, string>,
  options: {
    defines?: Record<string, string>;
    includeDirs?: string[];
    externs?: string[];
    strict?: boolean;
  } = {},
) {
  const r = compile({
    host: memoryHost(files),
    files: [Object.keys(files)[0]!],
    defines: new Map(Object.entries(options.defines ?? {})),
    includeDirs: options.includeDirs ?? [],
    externs: options.externs ?? [],
    strict: options.strict ?? false,
  });
  const diags = r.diagnostics.map(
    (d: Diagnostic) => `${d.line}:${d.column} ${d.severity} ${d.code}`,
  );
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

describe("names defined outside the compiled files (rpcgen's model)", () => {
  test("a type: a warning, `unknown`, and a codec bound at run time", () => {
    const { diags, text } = run({ "t.x": "struct s { foo x; foo y; };\ntypedef foo bar;" });
    assert.deepEqual(diags, ["1:12 warning undefined-type"]);
    assert.match(text, /export type foo = unknown;/);
    assert.match(
      text,
      /export const xdr_foo: \$xdr\.ExternalCodec<foo> = \$xdr\.external\("foo", "t\.x"\);/,
    );
    assert.match(text, /x: foo;/);
    assert.match(text, /export type bar = foo;/);
  });

  test("a constant: a bound becomes unbounded, a fixed size or a const definition fails", () => {
    const { diags, text } = run({
      "t.x": "typedef int a<MAXLEN>;\ntypedef opaque h[HSIZE];\nconst C = MAXLEN;\nconst D = 1;",
    });
    assert.deepEqual(diags, [
      "1:15 warning undefined-constant",
      "2:18 warning undefined-constant",
      "3:7 warning undefined-constant",
    ]);
    assert.match(text, /readLength\(0xffffffff, 4\)/);
    assert.match(text, /throw new \$xdr\.XdrError\("typedef h: size HSIZE is defined outside t\.x/);
    assert.doesNotMatch(text, /export const C\b/);
    assert.match(text, /export const D = 1;/);
  });

  test("a program, version or procedure number: left out", () => {
    const { diags, text } = run({
      "t.x":
        "program P { version V { int A(int) = 1; int B(int) = BNUM; } = 1; } = 5;\nprogram Q { version W { int C(int) = 1; } = WNUM; } = 6;",
    });
    assert.deepEqual(diags, ["1:54 warning undefined-constant", "2:45 warning undefined-constant"]);
    assert.match(text, /a: \{ procedure: 1/);
    assert.doesNotMatch(text, /name: "B"|QV/);
  });

  test("a discriminant of an outside type switches as an int", () => {
    const { diags, text } = run({
      "t.x": "union u switch (kind k) { case 1: int a; default: void; };",
    });
    assert.deepEqual(diags, ["1:17 warning undefined-type"]);
    assert.match(text, /\| \{ k: 1; a: number \}/);
    assert.match(text, /const \$d = xdr_kind\.decode\(\$r\);/);
  });

  test("%#define xdr_T xdr_U: T is coded as U", () => {
    const { diags, text } = run({
      "t.x":
        "%#define xdr_dev_t xdr_u_int\n%#define xdr_ok_t xdr_bool\n%#define xdr_pt_t xdr_point\nstruct point { int x; };\nstruct s { dev_t d; ok_t o; pt_t p; };",
    });
    assert.deepEqual(diags, []);
    assert.match(text, /d: number;\n {2}o: boolean;\n {2}p: point;/);
  });

  test("--strict: every such name is an error and nothing is emitted", () => {
    const { r, diags } = run(
      { "t.x": "struct s { foo x; int a[N]; };\nstruct loop { loop l; };" },
      { strict: true },
    );
    assert.deepEqual(diags, [
      "1:12 error undefined-type",
      "1:25 error undefined-constant",
      "2:1 error infinite-type",
    ]);
    assert.equal(r.outputs.length, 0);
  });

  test("--extern: each module gets the declarations it needs, and only those", () => {
    const files = {
      "main.x":
        "struct s { dev_t d; name n; other o; };\nprogram P { version V { int A(dev_t) = 1; } = 1; } = 7;",
      "other.x": "typedef int other;",
      "ext.x": [
        "const MAXNAME = 8;",
        "typedef string name<MAXNAME>;",
        "typedef unsigned int dev_t;",
        "typedef hyper other;",
        "struct unused { int x; };",
        "program EXT { version EXTV { int E(int) = 1; } = 1; } = 9;",
      ].join("\n"),
    };
    const r = compile({
      host: memoryHost(files),
      files: ["main.x", "other.x"],
      externs: ["ext.x"],
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.outputs.map((o) => o.path),
      ["main.ts", "other.ts"],
    );
    const main = r.outputs[0]!.text;
    assert.match(
      main,
      /export const MAXNAME = 8;[\s\S]*export type name = string;[\s\S]*export type dev_t = number;/,
    );
    assert.match(main, /\(ext\.x:2\)/);
    assert.match(main, /import \{ type other \} from "\.\/other\.js";/);
    assert.doesNotMatch(main, /unused|EXT/);
    assert.deepEqual(r.dependencies.get("main.x"), ["main.x", "ext.x"]);
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
