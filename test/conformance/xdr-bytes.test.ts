/**
 * Byte-exactness against C (RFC 4506): for values of every type in
 * ../shared/oncrpc-peer/conformance.x, the bytes Lupine's generated codecs write equal the bytes
 * rpcgen's `xdr_*` routines write (built here with `rpcgen -N -c`, gcc and libtirpc from
 * c-encoder.c), and Lupine decodes the C bytes back to equal values. Also checks that the
 * committed generated module is what `lupine gen` produces today.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { compile } from "../../src/compiler/index.js";
import { decode, encode, type XdrCodec } from "../../src/xdr/index.js";
import { fsHost, repoRoot, sharedDir } from "../support.js";
import * as c from "./gen/conformance.js";

const shared = sharedDir();
const have = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
const missing =
  shared === null
    ? "../shared is absent"
    : !have("gcc", ["--version"])
      ? "gcc is missing"
      : !existsSync("/usr/bin/rpcgen") && !have("rpcgen", ["--version"])
        ? "rpcgen is missing"
        : !have("pkg-config", ["--exists", "libtirpc"])
          ? "libtirpc (pkg-config libtirpc) is missing"
          : null;

const bytes = (n: number, f: (i: number) => number) =>
  Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);
const items = Array.from({ length: 1000 }, (_, i) => i * 1000003 - 500000);
const p: c.point = { x: 3, y: -4 };
const nested: c.nested = {
  first: { where: { x: 10, y: 20 }, shade: c.color.BLUE, label: "label" },
  corners: [
    { x: 0, y: 0 },
    { x: 2147483647, y: -2147483648 },
  ],
  more: [
    { where: { x: 1, y: 2 }, shade: c.color.GREEN, label: "first" },
    { where: { x: -1, y: -2 }, shade: c.color.ORANGE, label: "" },
  ],
  maybe: p,
};
const list = (len: number): c.int_list => {
  let head: c.int_list | null = null;
  for (let i = 999; i >= 1000 - len; i--) head = { value: i - 3, next: head };
  return head!;
};
const results: c.result[] = [
  { status: 0, value: -77 },
  { status: 1, message: "error text" },
  { status: 2 },
  { status: 3, real: 2.5 },
  { status: 4, real: -0.5 },
  { status: 7, other: -(2n ** 63n) },
  { status: -1, other: 42n },
];
const choices: c.color_choice[] = [
  { c: c.color.RED, red_value: 7 },
  { c: c.color.BLUE, blue_point: { x: 5, y: 6 } },
  { c: c.color.GREEN },
  { c: c.color.ORANGE },
];

/** Case name (as c-encoder.c prints it) → codec and value. */
const CASES: [string, XdrCodec<never>, unknown][] = [];
const add = <T>(name: string, codec: XdrCodec<T>, value: T): void => {
  CASES.push([name, codec as XdrCodec<never>, value]);
};
[-2147483648, -1, 0, 1, 2147483647].forEach((v, i) => {
  add(`int${i}`, c.ConformanceProgV2.procedures.echoInt.result, v);
});
[0, 1, 0x80000000, 0xffffffff].forEach((v, i) => {
  add(`uint${i}`, c.ConformanceProgV2.procedures.echoUint.result, v);
});
[-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n].forEach((v, i) => {
  add(`hyper${i}`, c.xdr_hyper_t, v);
});
[0n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n].forEach((v, i) => {
  add(`uhyper${i}`, c.xdr_uhyper_t, v);
});
[3.5, -0, Math.fround(1e-40), 3.4028234663852886e38, Number.POSITIVE_INFINITY, Number.NaN].forEach(
  (v, i) => {
    add(`float${i}`, c.ConformanceProgV2.procedures.echoFloat.result, v);
  },
);
[0.1, -1.25e300, 5e-324, Number.NEGATIVE_INFINITY, Number.NaN].forEach((v, i) => {
  add(`double${i}`, c.ConformanceProgV2.procedures.echoDouble.result, v);
});
add("bool_true", c.ConformanceProgV2.procedures.echoBool.result, true);
add("bool_false", c.ConformanceProgV2.procedures.echoBool.result, false);
add("color_red", c.xdr_color, c.color.RED);
add("color_blue", c.xdr_color, c.color.BLUE);
add("color_orange", c.xdr_color, c.color.ORANGE);
add("fixed_opaque", c.xdr_fixed_opaque_box, {
  data: Uint8Array.of(0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0),
});
for (const n of [0, 1, 3, 4, 5, 64])
  add(
    `var_opaque${n}`,
    c.xdr_var_opaque_t,
    bytes(n, (i) => 255 - i * 7),
  );
["", "a", "abc", "abcd", "abcde", "héllo wörld ✓", "x".repeat(64)].forEach((s, i) => {
  add(`string${i}`, c.xdr_name_t, s);
});
add(
  "text5000",
  c.xdr_text_t,
  Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(""),
);
add("fixed_array", c.xdr_fixed_array_box, { data: [-2147483648, -1, 0, 2147483647] });
add("bounded0", c.xdr_bounded_array_t, []);
add("bounded16", c.xdr_bounded_array_t, items.slice(0, 16));
add("unbounded0", c.xdr_unbounded_array_t, []);
add("unbounded1000", c.xdr_unbounded_array_t, items);
add("optional_none", c.xdr_optional_point, null);
add("optional_some", c.xdr_optional_point, p);
add("point", c.xdr_point, p);
add("nested", c.xdr_nested, nested);
for (const n of [1, 5, 1000]) add(`list${n}`, c.xdr_int_list, list(n));
results.forEach((r, i) => {
  add(`result${i}`, c.xdr_result, r);
});
choices.forEach((v, i) => {
  add(`choice${i}`, c.xdr_color_choice, v);
});
add("maybe_yes", c.xdr_maybe_int, { present: true, value: 9 });
add("maybe_no", c.xdr_maybe_int, { present: false });
add("all_types", c.xdr_all_types, {
  i: -123456,
  u: 4000000000,
  h: -9000000000000000000n,
  uh: 18000000000000000000n,
  f: 1.5,
  d: -2.75,
  b: true,
  e: c.color.BLUE,
  fo: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  vo: new TextEncoder().encode("xyz"),
  s: "string",
  t: "text",
  fa: [1, -1, 0, 2147483647],
  ba: [1, 2, 3],
  ua: [-5, -4, -3, -2, -1],
  opt: p,
  n: nested,
  r: results[1]!,
  cc: choices[1]!,
  mi: { present: true, value: 9 },
  list: list(5),
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("XDR bytes equal rpcgen + libtirpc", { skip: missing ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "lupine-xdr-c-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fromC = new Map<string, string>();

  test("build the C encoder (rpcgen -N -c/-h, gcc, libtirpc) and run it", () => {
    copyFileSync(join(shared!, "oncrpc-peer", "conformance.x"), join(dir, "conformance.x"));
    execFileSync("rpcgen", ["-N", "-h", "-o", "conformance.h", "conformance.x"], { cwd: dir });
    execFileSync("rpcgen", ["-N", "-c", "-o", "conformance_xdr.c", "conformance.x"], { cwd: dir });
    const flags = (what: string) =>
      execFileSync("pkg-config", [what, "libtirpc"], { encoding: "utf8" })
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    const src = join(repoRoot, "test", "conformance", "c-encoder.c");
    execFileSync(
      "gcc",
      [
        "-O1",
        "-w",
        ...flags("--cflags"),
        `-I${dir}`,
        "-o",
        "c-encoder",
        src,
        "conformance_xdr.c",
        ...flags("--libs"),
        "-lm",
      ],
      { cwd: dir },
    );
    const out = execFileSync(join(dir, "c-encoder"), { encoding: "utf8", maxBuffer: 64 << 20 });
    for (const line of out.trim().split("\n")) {
      const [name, h] = line.split(" ");
      fromC.set(name!, h ?? "");
    }
    assert.equal(fromC.size, CASES.length, "the C encoder and this test list the same cases");
  });

  for (const [name, codec, value] of CASES) {
    test(`${name}: same bytes as C, and C's bytes decode to the value`, () => {
      const expected = fromC.get(name);
      assert.ok(expected !== undefined && expected !== "FAILED", `C could not encode ${name}`);
      assert.equal(hex(encode(codec, value as never)), expected);
      assert.deepStrictEqual(decode(codec, Uint8Array.from(Buffer.from(expected, "hex"))), value);
    });
  }
});

describe("committed generated module is current", {
  skip: shared === null ? "../shared is absent" : false,
}, () => {
  test("test/conformance/gen/conformance.ts = lupine gen conformance.x", () => {
    const r = compile({
      host: fsHost,
      files: [join(shared!, "oncrpc-peer", "conformance.x")],
      runtime: "../../../src/runtime/generated.js",
    });
    const committed = readFileSync(
      join(repoRoot, "test", "conformance", "gen", "conformance.ts"),
      "utf8",
    );
    assert.equal(r.outputs[0]?.text, committed, "run `npm run gen:fixtures`");
  });
});
