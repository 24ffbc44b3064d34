/**
 * The runtime over `lupine://` on loopback: the generated conformance stubs (conformance.x, the
 * same 93 checks the C peers run) unchanged over Lupine's transport, and the runtime's dispatch
 * rules, big opaques, timeouts and cancellation through `createClient`/`createServer`.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createClient, createServer, createTransport } from "../../src/connect.js";
import { isRpcError } from "../../src/runtime/errors.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { defineProgram } from "../../src/runtime/program.js";
import * as xdr from "../../src/xdr/index.js";
import { runChecks, summary } from "../conformance/checks.js";
import { ConformanceProgV1, ConformanceProgV2 } from "../conformance/conformance-program.js";
import { conformanceHandlers } from "../conformance/conformance-server.js";

const V1 = defineProgram({
  name: "L_PROG",
  program: 0x20001240,
  version: 1,
  procedures: {
    echo: { procedure: 1, name: "ECHO", args: [xdr.string()], result: xdr.string() },
    boom: { procedure: 2, name: "BOOM", args: [], result: xdr.int },
    slow: { procedure: 3, name: "SLOW", args: [xdr.uint], result: xdr.uint },
    blob: { procedure: 4, name: "BLOB", args: [xdr.opaque()], result: xdr.opaque() },
  },
});
const V2 = defineProgram({
  ...V1,
  version: 2,
  procedures: { nul: { procedure: 0, name: "NULL", args: [], result: xdr.void } },
});
const V1Extra = defineProgram({
  ...V1,
  procedures: { ...V1.procedures, p9: { procedure: 9, name: "P9", args: [], result: xdr.void } },
});

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

describe("runtime over lupine://", () => {
  test("the generated conformance stubs pass all 93 checks over Lupine's transport", async () => {
    const h = conformanceHandlers();
    const server = createServer({ logger: silentLogger, closeGraceMs: 100 });
    server.register(ConformanceProgV1, h.v1).register(ConformanceProgV2, h.v2);
    const [addr] = await server.listen("lupine://127.0.0.1:0");
    closers.push(() => server.close(0));
    const target = `lupine://127.0.0.1:${addr!.port}`;
    const transports = new Map<number, ReturnType<typeof createTransport>>();
    const results = await runChecks((program) => {
      const t = createTransport(program, target);
      transports.set(program.version, t);
      return t;
    }, false);
    assert.equal(summary(results), "93 passed, 0 failed");
    for (const t of transports.values()) await t.close();
  });

  test("dispatch rules, big opaques both ways, many calls in flight", async () => {
    const server = createServer({ logger: silentLogger, closeGraceMs: 100 });
    server.register(V1, {
      echo: (s, ctx) => `${s}:${ctx.transport}`,
      boom: () => {
        throw new Error("kaboom");
      },
      slow: (ms) => new Promise((r) => setTimeout(() => r(ms), ms)),
      blob: (b) => b,
    });
    const [addr] = await server.listen("lupine://127.0.0.1:0");
    closers.push(() => server.close(0));
    const target = `lupine://127.0.0.1:${addr!.port}`;
    const c = createClient(V1, target);
    assert.equal(await c.echo("hi"), "hi:lupine");
    const c2 = createClient(V2, target);
    await assert.rejects(c2.nul(), (e: unknown) => {
      assert.ok(isRpcError(e) && e.code === "prog_mismatch" && e.remote);
      assert.deepEqual([e.details.low, e.details.high], [1, 1]);
      return true;
    });
    await c2.$close();
    const extra = createClient(V1Extra, target);
    await assert.rejects(extra.p9(), { code: "proc_unavail" });
    await extra.$close();
    await assert.rejects(c.boom(), { code: "system_err" });
    const many = await Promise.all(Array.from({ length: 500 }, (_, i) => c.echo(`m${i}`)));
    assert.equal(many[499], "m499:lupine");
    for (const n of [0, 1, 1400, 65_536, 3 * 1024 * 1024 + 3]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      const got = await c.blob(b);
      assert.equal(Buffer.compare(got, b), 0, `${n} bytes`);
    }
    await assert.rejects(c.slow(500, { timeoutMs: 60 }), (e: unknown) => {
      assert.ok(isRpcError(e) && e.code === "timeout");
      assert.match(e.message, /executed it/);
      return true;
    });
    const ac = new AbortController();
    const p = c.slow(500, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, { code: "canceled" });
    await c.$close();
    await assert.rejects(c.echo("x"), { code: "closed" });
  });

  test("nothing listening: the call fails unreachable at once (port unreachable)", async () => {
    const server = createServer({ logger: silentLogger });
    server.register(V1, { echo: (s) => s, boom: () => 0, slow: (n) => n, blob: (b) => b });
    const [addr] = await server.listen("lupine://127.0.0.1:0");
    await server.close(0); // the port is free again: nothing listens there
    const c = createClient(V1, `lupine://127.0.0.1:${addr!.port}`);
    const t0 = performance.now();
    await assert.rejects(c.echo("x", { timeoutMs: 5000 }), { code: "unreachable" });
    assert.ok(performance.now() - t0 < 1000, "failed fast, not at the deadline");
    await c.$close();
  });
});
