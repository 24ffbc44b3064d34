/**
 * Names a file uses but does not define: what rpcgen leaves to C headers becomes warnings and
 * code that fails at use (the run-time behaviour is tested in test/golden/outside.test.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compile, memoryHost } from "./index.js";

/** Compiles in-memory files; returns diagnostics as `line:col severity code` and the first output. */
function run(
  files: Record<string, string>,
  options: {
    strict?: boolean;
  } = {},
) {
  const r = compile({
    host: memoryHost(files),
    files: [Object.keys(files)[0]!],
    strict: options.strict ?? false,
  });
  const diags = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`);
  return { r, diags, text: r.outputs[0]?.text ?? "" };
}

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
