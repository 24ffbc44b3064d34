/**
 * `ctx.signal` is read from the transport's call only when a handler asks for it (the Lupine
 * server then creates its AbortController), and it is still aborted when the client gives up or
 * the server closes — also when the handler asks only after that happened.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createClient, createServer } from "../../src/connect.js";
import { AUTH_NONE } from "../../src/oncrpc/auth.js";
import type { CallContext } from "../../src/runtime/context.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { defineProgram } from "../../src/runtime/program.js";
import * as xdr from "../../src/xdr/index.js";

const P = defineProgram({
  name: "LAZY_SIGNAL",
  program: 0x2000_5119,
  version: 1,
  procedures: {
    plain: { procedure: 1, name: "PLAIN", args: [xdr.int], result: xdr.int },
    watch: { procedure: 2, name: "WATCH", args: [xdr.int], result: xdr.bool },
  },
});

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

test("the dispatcher reads the call's signal only when the handler does", () => {
  const table = new ProgramTable({ logger: silentLogger });
  table.register(P, {
    plain: (n: number) => n,
    watch: (_n: number, ctx: CallContext) => ctx.signal.aborted,
  });
  let reads = 0;
  const controller = new AbortController();
  const dispatch = (procedure: number) => {
    const w = new xdr.XdrWriter();
    w.writeInt(1);
    return table.dispatch({
      program: P.program,
      version: 1,
      procedure,
      credential: AUTH_NONE,
      verifier: AUTH_NONE,
      args: new xdr.XdrReader(w.finish()),
      remote: undefined,
      transport: "test",
      get signal() {
        reads++;
        return controller.signal;
      },
    });
  };
  dispatch(1);
  assert.equal(reads, 0, "a handler that never looks costs no signal");
  dispatch(2);
  assert.equal(reads, 1);
});

test("Lupine: a handler asking for ctx.signal after the client gave up, or after close, sees it aborted", async () => {
  const seen: boolean[] = [];
  let started!: () => void;
  const server = createServer({ logger: silentLogger, closeGraceMs: 50 });
  server.register(P, {
    plain: (n: number) => n,
    // Waits `ms` without looking, then reports whether the signal is aborted.
    watch: (ms: number, ctx: CallContext) =>
      new Promise<boolean>((r) => {
        started();
        setTimeout(() => {
          seen.push(ctx.signal.aborted);
          r(ctx.signal.aborted);
        }, ms);
      }),
  });
  const [addr] = await server.listen("lupine://127.0.0.1:0");
  let closed = false;
  closers.push(async () => {
    if (!closed) await server.close(0);
  });
  const c = createClient(P, `lupine://127.0.0.1:${addr!.port}`);
  closers.push(() => c.$close());
  assert.equal(await c.plain(7), 7);

  // The client cancels while the handler runs without having looked.
  const ac = new AbortController();
  const running = new Promise<void>((r) => {
    started = r;
  });
  const p = c.watch(300, { signal: ac.signal });
  await running;
  ac.abort();
  await assert.rejects(p, { code: "canceled" });
  for (let i = 0; i < 100 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(seen, [true], "aborted by the client's cancel");

  // The server closes (grace 50 ms) while the handler runs without having looked.
  const running2 = new Promise<void>((r) => {
    started = r;
  });
  const q = c.watch(300, { timeoutMs: 2000 }).catch(() => undefined);
  await running2;
  closed = true;
  await server.close(50);
  for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(seen, [true, true], "aborted by the server's close");
  await q;
});
