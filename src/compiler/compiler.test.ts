import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compile, type Diagnostic, DiagnosticBag, memoryHost, scan } from "./index.js";
import { camelCase, methodNames, pascalCase, tsName } from "./names.js";
import { parseNumber } from "./scanner.js";

/** Compiles in-memory files; returns diagnostics as `line:col code` and the first output. */
function run(
  files: Record<string, string>,
  options: { defines?: Record<string, string>; includeDirs?: string[] } = {},
) {
  const r = compile({
    host: memoryHost(files),
    files: [Object.keys(files)[0]!],
    defines: new Map(Object.entries(options.defines ?? {})),
    includeDirs: options.includeDirs ?? [],
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

describe("diagnostics", () => {
  const cases: [string, string, string[]][] = [
    ["undefined type", "struct s { foo x; };", ["1:12 error undefined-name"]],
    ["undefined constant", "typedef int a<MAXLEN>;", ["1:15 error undefined-name"]],
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
      "recursion that cannot terminate",
      "struct s { int v; s next; };",
      ["1:1 error infinite-type"],
    ],
    [
      "name collision after escaping",
      "typedef int Object;\ntypedef int Object_;",
      ["2:13 error name-collision"],
    ],
    [
      "syntax error, recovery, more errors",
      "struct a { int };\nstruct b { c x; };",
      ["1:16 error syntax", "2:12 error undefined-name"],
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
  ];
  for (const [name, source, expected] of cases) {
    test(name, () => {
      const { r, diags } = run({ "t.x": source });
      assert.deepEqual(diags, expected);
      assert.equal(r.outputs.length, 0, "nothing is emitted on error");
      for (const d of r.diagnostics) assert.ok(d.message.length > 10);
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
