/**
 * The checks of ../shared/oncrpc-peer/peer-client.c, made by a Lupine client: every echo with
 * the same edge values (passing only if the reply's XDR bytes equal the request's), ADD,
 * SLEEP_MS, COUNT, WHOAMI with AUTH_NONE and AUTH_SYS, NO_REPLY timing out, SYSTEM_ERR,
 * PROC_UNAVAIL, GARBAGE_ARGS, PROG_MISMATCH 1..2, PROG_UNAVAIL and version 1.
 */
import { authSys } from "../../src/oncrpc/auth.js";
import { createRpcClient } from "../../src/runtime/client.js";
import { isRpcError } from "../../src/runtime/errors.js";
import { defineProgram, type ProgramDescriptor } from "../../src/runtime/program.js";
import type { ClientTransport } from "../../src/runtime/transport.js";
import * as xdr from "../../src/xdr/index.js";
import { encode, type XdrCodec } from "../../src/xdr/index.js";
import {
  Color,
  ConformanceProgV1,
  ConformanceProgV2,
  type IntList,
  type Nested,
  type Result,
  xdr_all_types,
} from "./conformance-program.js";

/** One check's outcome, as peer-client prints it. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const f32 = (x: number) => Math.fround(x);

function sameBytes(codec: XdrCodec<unknown>, a: unknown, b: unknown): boolean {
  const x = encode(codec, a);
  const y = encode(codec, b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Runs every check over transports made by `open(program descriptor)` (one per program version,
 * as peer-client makes one CLIENT per version). `udp` picks the blob size and COUNT bucket.
 */
export async function runChecks(
  open: (program: ProgramDescriptor) => ClientTransport,
  udp: boolean,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const check = (name: string, ok: boolean, detail = "") => results.push({ name, ok, detail });
  const attempt = async (name: string, fn: () => Promise<boolean | string>) => {
    try {
      const r = await fn();
      check(name, r === true, r === true ? "" : String(r));
    } catch (e) {
      check(name, false, (e as Error).message);
    }
  };
  const transport = open(ConformanceProgV2);
  const timeoutMs = 5000;
  const c = createRpcClient(ConformanceProgV2, transport, { timeoutMs, ownsTransport: false });
  const echo = async <T>(name: string, fn: (v: T) => Promise<T>, codec: XdrCodec<T>, v: T) =>
    attempt(
      name,
      async () => sameBytes(codec as XdrCodec<unknown>, v, await fn(v)) || "the reply differs",
    );

  for (const v of [-0x80000000, -1, 0, 1, 0x7fffffff])
    await echo(`echo int ${v}`, c.echoInt, xdr.int, v);
  for (const v of [0, 1, 0x80000000, 0xffffffff])
    await echo(`echo unsigned ${v}`, c.echoUint, xdr.uint, v);
  for (const v of [-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n])
    await echo(`echo hyper ${v}`, c.echoHyper, xdr.hyper, v);
  for (const v of [0n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n])
    await echo(`echo unsigned hyper ${v}`, c.echoUhyper, xdr.uhyper, v);
  for (const v of [
    3.5,
    -0,
    f32(1e-40),
    f32(3.4028234663852886e38),
    Number.POSITIVE_INFINITY,
    Number.NaN,
  ])
    await echo(`echo float ${v}`, c.echoFloat, xdr.float, v);
  for (const v of [0.1, -1.25e300, 5e-324, Number.NEGATIVE_INFINITY, Number.NaN])
    await echo(`echo double ${v}`, c.echoDouble, xdr.double, v);
  await echo("echo bool TRUE", c.echoBool, xdr.bool, true);
  await echo("echo bool FALSE", c.echoBool, xdr.bool, false);
  for (const [n, v] of [
    ["RED", Color.RED],
    ["BLUE", Color.BLUE],
    ["ORANGE (-1)", Color.ORANGE],
  ] as const)
    await echo(`echo enum ${n}`, c.echoEnum, ConformanceProgV2.procedures.echoEnum.result, v);

  const fo = { data: Uint8Array.of(0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0x00) };
  await echo(
    "echo fixed opaque[8]",
    c.echoFixedOpaque,
    ConformanceProgV2.procedures.echoFixedOpaque.result,
    fo,
  );
  const bytes = Uint8Array.from({ length: 64 }, (_, i) => (255 - i * 7) & 0xff);
  for (const n of [0, 1, 3, 4, 5, 64])
    await echo(
      `echo opaque<64> of ${n} bytes`,
      c.echoVarOpaque,
      xdr.opaque(64),
      bytes.subarray(0, n),
    );
  for (const s of ["", "a", "abc", "abcd", "abcde", "héllo wörld ✓", "x".repeat(64)])
    await echo(`echo string<64> of ${Buffer.byteLength(s)} bytes`, c.echoString, xdr.string(64), s);
  const text = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
  await echo("echo string<> of 5000 bytes", c.echoText, xdr.string(), text);

  await echo("echo int[4]", c.echoFixedArray, ConformanceProgV2.procedures.echoFixedArray.result, {
    data: [-0x80000000, -1, 0, 0x7fffffff],
  });
  const items = Array.from({ length: 1000 }, (_, i) => (i * 1000003 - 500000) | 0);
  await echo("echo int<16> empty", c.echoBoundedArray, xdr.array(xdr.int, 16), []);
  await echo("echo int<16> full", c.echoBoundedArray, xdr.array(xdr.int, 16), items.slice(0, 16));
  await echo("echo int<> empty", c.echoUnboundedArray, xdr.array(xdr.int), []);
  await echo("echo int<> of 1000", c.echoUnboundedArray, xdr.array(xdr.int), items);

  const p = { x: 3, y: -4 };
  const optCodec = ConformanceProgV2.procedures.echoOptional.result;
  await echo("echo optional point (absent)", c.echoOptional, optCodec, null);
  await echo("echo optional point (present)", c.echoOptional, optCodec, p);
  await echo("echo struct point", c.echoPoint, ConformanceProgV2.procedures.echoPoint.result, p);
  const more = [
    { where: { x: 1, y: 2 }, shade: Color.GREEN, label: "first" },
    { where: { x: -1, y: -2 }, shade: Color.ORANGE, label: "" },
  ];
  const n: Nested = {
    first: { where: { x: 10, y: 20 }, shade: Color.BLUE, label: "label" },
    corners: [
      { x: 0, y: 0 },
      { x: 0x7fffffff, y: -0x80000000 },
    ],
    more,
    maybe: p,
  };
  await echo("echo nested struct", c.echoNested, ConformanceProgV2.procedures.echoNested.result, n);
  const list = (len: number): IntList => {
    let head: IntList | null = null;
    for (let i = 999; i >= 1000 - len; i--) head = { value: i - 3, next: head };
    return head!;
  };
  for (const len of [1, 5, 1000])
    await echo(
      `echo linked list of ${len}`,
      c.echoList,
      ConformanceProgV2.procedures.echoList.result,
      list(len),
    );
  const unions: Result[] = [
    { status: 0, value: -77 },
    { status: 1, message: "error text" },
    { status: 2 },
    { status: 3, real: 2.5 },
    { status: 4, real: -0.5 },
    { status: 7, other: -(2n ** 63n) },
    { status: -1, other: 42n },
  ];
  const resultCodec = ConformanceProgV2.procedures.echoResult.result;
  for (const r of unions)
    await echo(`echo union result, status ${r.status}`, c.echoResult, resultCodec, r);
  const ccCodec = ConformanceProgV2.procedures.echoColorChoice.result;
  const choices = [
    { c: Color.RED, red_value: 7 },
    { c: Color.BLUE, blue_point: { x: 5, y: 6 } },
    { c: Color.GREEN },
    { c: Color.ORANGE },
  ] as const;
  for (const v of choices)
    await echo(`echo union on enum, c = ${v.c}`, c.echoColorChoice, ccCodec, v);
  const miCodec = ConformanceProgV2.procedures.echoMaybe.result;
  await echo("echo union on bool, TRUE", c.echoMaybe, miCodec, { present: true, value: 9 });
  await echo("echo union on bool, FALSE", c.echoMaybe, miCodec, { present: false });
  await echo("echo all_types", c.echoAll, xdr_all_types, {
    i: -123456,
    u: 4000000000,
    h: -9000000000000000000n,
    uh: 18000000000000000000n,
    f: 1.5,
    d: -2.75,
    b: true,
    e: Color.BLUE,
    fo: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    vo: new TextEncoder().encode("xyz"),
    s: "string",
    t: "text",
    fa: [1, -1, 0, 0x7fffffff],
    ba: [1, 2, 3],
    ua: [-5, -4, -3, -2, -1],
    opt: p,
    n,
    r: unions[1]!,
    cc: choices[1],
    mi: { present: true, value: 9 },
    list: list(5),
  });

  // procedures
  await attempt("ADD(7, -3) = 4", async () => (await c.add(7, -3)) === 4);
  await attempt(
    "ADD(INT_MAX, 1) wraps to INT_MIN",
    async () => (await c.add(0x7fffffff, 1)) === -0x80000000,
  );
  await attempt("NULL (void)", async () => (await c.nullProc()) === undefined);
  const big = udp ? 60000 : 1048576;
  const blob = Uint8Array.from({ length: big }, (_, i) => (i * 31 + 7) & 0xff);
  await echo(`echo opaque<> of ${big} bytes`, c.echoBlob, xdr.opaque(), blob);
  await attempt("SLEEP_MS(200)", async () => {
    const t0 = performance.now();
    const slept = await c.sleepMs(200);
    const took = performance.now() - t0;
    return (slept === 200 && took >= 195) || `slept ${slept}, took ${took} ms`;
  });
  const bucket = udp ? 7 : 8;
  await attempt("COUNT x3 then GET_COUNT = 3", async () => {
    await c.resetCount(bucket);
    const got = [
      await c.count(bucket),
      await c.count(bucket),
      await c.count(bucket),
      await c.getCount(bucket),
    ];
    return got.join() === "1,2,3,3" || `got ${got.join(" ")}`;
  });
  await attempt("WHOAMI with AUTH_NONE", async () => (await c.whoami()).flavor === 0);
  const sys = createRpcClient(ConformanceProgV2, transport, {
    timeoutMs,
    ownsTransport: false,
    credential: authSys({
      stamp: 99,
      machinename: "peer-client",
      uid: 1234,
      gid: 5678,
      gids: [1, 2, 3],
    }),
  });
  await attempt("WHOAMI with AUTH_SYS (peer-client, 1234, 5678, {1,2,3})", async () => {
    const w = await sys.whoami();
    return (
      (w.flavor === 1 &&
        w.machine === "peer-client" &&
        w.uid === 1234 &&
        w.gid === 5678 &&
        w.gids.join() === "1,2,3") ||
      JSON.stringify(w)
    );
  });

  // errors
  const expectCode = (
    name: string,
    code: string,
    fn: () => Promise<unknown>,
    more?: (e: unknown) => boolean,
  ) =>
    attempt(name, async () => {
      try {
        await fn();
        return "succeeded";
      } catch (e) {
        if (!isRpcError(e) || e.code !== code) return `got ${(e as Error).message}`;
        return more === undefined || more(e) || `details ${JSON.stringify(e.details)}`;
      }
    });
  const t0 = performance.now();
  await expectCode(
    "NO_REPLY times out",
    "timeout",
    () => c.noReply({ timeoutMs: 1000 }),
    () => {
      const took = performance.now() - t0;
      return took >= 990 && took < 2000;
    },
  );
  await expectCode("SYSTEM_ERR gives SYSTEM_ERR", "system_err", () => c.systemErr());
  const bogus = defineProgram({
    name: "CONFORMANCE_PROG",
    program: ConformanceProgV2.program,
    version: 2,
    procedures: {
      p99: { procedure: 99, name: "P99", args: [], result: xdr.void },
      longString: {
        procedure: 12,
        name: "ECHO_STRING",
        args: [xdr.string()],
        result: xdr.string(),
      },
    },
  });
  const b = createRpcClient(bogus, transport, { timeoutMs, ownsTransport: false });
  await expectCode("procedure 99 gives PROC_UNAVAIL", "proc_unavail", () => b.p99());
  await expectCode("string<64> of 100 bytes gives GARBAGE_ARGS", "garbage_args", () =>
    b.longString("y".repeat(100)),
  );
  await attempt("still usable after errors", async () => (await c.echoInt(5)) === 5);
  const v3 = defineProgram({
    ...bogus,
    version: 3,
    procedures: { nul: { procedure: 0, name: "NULL", args: [], result: xdr.void } },
  });
  const t3 = open(v3);
  await expectCode(
    "version 3 gives PROG_MISMATCH 1..2",
    "prog_mismatch",
    () => createRpcClient(v3, t3, { timeoutMs }).nul(),
    (e) => isRpcError(e) && e.details.low === 1 && e.details.high === 2,
  );
  const other = defineProgram({ ...v3, program: ConformanceProgV2.program - 1, version: 1 });
  const to = open(other);
  await expectCode("program 0x20000098 gives PROG_UNAVAIL", "prog_unavail", () =>
    createRpcClient(other, to, { timeoutMs }).nul(),
  );

  // version 1
  const t1 = open(ConformanceProgV1);
  const c1 = createRpcClient(ConformanceProgV1, t1, { timeoutMs });
  await attempt("v1 NULL", async () => (await c1.v1Null()) === undefined);
  await attempt("v1 ADD(40, 2) = 42", async () => (await c1.v1Add(40, 2)) === 42);
  await attempt("v1 ECHO_INT(-9)", async () => (await c1.v1EchoInt(-9)) === -9);
  await Promise.all([c1.$close(), t3.close(), to.close(), transport.close()]);
  return results;
}

/** `N passed, N failed` and the FAIL lines, as peer-client prints them. */
export function summary(results: readonly CheckResult[]): string {
  const failed = results.filter((r) => !r.ok);
  return [
    ...failed.map((r) => `FAIL ${r.name}: ${r.detail}`),
    `${results.length - failed.length} passed, ${failed.length} failed`,
  ].join("\n");
}
