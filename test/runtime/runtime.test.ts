/**
 * The runtime end to end over real loopback sockets: dispatch rules (RFC 5531 §9), errors,
 * interceptors and the auth hook, timeouts and cancellation, graceful close, TCP reconnect,
 * failover and balancing.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { after, describe, test } from "node:test";
import {
  AuthStat,
  authSys,
  createClient,
  createServer,
  defineProgram,
  type Interceptor,
  isRpcError,
  type Logger,
  RpcError,
  type ServerInterceptor,
  xdr,
} from "../../src/index.js";

const V1 = defineProgram({
  name: "T_PROG",
  program: 0x20001234,
  version: 1,
  procedures: {
    echo: { procedure: 1, name: "ECHO", args: [xdr.string()], result: xdr.string() },
    boom: { procedure: 2, name: "BOOM", args: [], result: xdr.int },
    slow: { procedure: 3, name: "SLOW", args: [xdr.uint], result: xdr.uint },
    add: { procedure: 4, name: "ADD", args: [xdr.int, xdr.hyper], result: xdr.hyper },
  },
});
const V3 = defineProgram({ ...V1, version: 3, procedures: { echo: V1.procedures.echo } });
const V2 = defineProgram({
  ...V1,
  version: 2,
  procedures: { nul: { procedure: 0, name: "NULL", args: [], result: xdr.void } },
});
const Other = defineProgram({ ...V2, program: 0x20001235 });
const V1Extra = defineProgram({
  ...V1,
  procedures: { ...V1.procedures, p9: { procedure: 9, name: "P9", args: [], result: xdr.void } },
});

const Blob = defineProgram({
  name: "BLOB_PROG",
  program: 0x20001236,
  version: 1,
  procedures: { echo: { procedure: 1, name: "ECHO", args: [xdr.opaque()], result: xdr.opaque() } },
});

function collectingLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    error: (m, e) => lines.push(`${m}: ${(e as Error)?.message}`),
    warn: (m) => lines.push(m),
  };
  return { lines, logger };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every server started, closed after the tests even when one fails. */
const servers: { close(graceMs?: number): Promise<void> }[] = [];
after(() => Promise.all(servers.map((s) => s.close(0))));

async function start(options: Parameters<typeof createServer>[0] = {}) {
  const { lines, logger } = collectingLogger();
  const server = createServer({ logger, closeGraceMs: 200, ...options });
  servers.push(server);
  server
    .register(V1, {
      echo: (s) => s,
      boom: () => {
        throw new Error("kaboom");
      },
      slow: (ms) => sleep(ms).then(() => ms),
      add: (a, b) => BigInt(a) + b,
    })
    .register(V3, { echo: (s, ctx) => `${s}:${ctx.transport}` })
    .register(Blob, { echo: (b) => b });
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  return { server, lines, udp: `udp://127.0.0.1:${u!.port}`, tcp: `tcp://127.0.0.1:${t!.port}` };
}

const callsOf = (s: { server: { listening: readonly { transport: unknown }[] } }) =>
  s.server.listening.reduce(
    (n, l) => n + (l.transport as { stats: { calls: number } }).stats.calls,
    0,
  );

describe("runtime over loopback", () => {
  for (const proto of ["udp", "tcp"] as const) {
    test(`${proto}: dispatch replies (RFC 5531 §9)`, async () => {
      const s = await start();
      const target = s[proto];
      const c1 = createClient(V1, target);
      assert.equal(await c1.echo("hi"), "hi");
      assert.equal(await c1.add(-1, 2n ** 62n), 2n ** 62n - 1n);
      await assert.rejects(createClient(V2, target).nul(), (e: unknown) => {
        assert.ok(isRpcError(e) && e.code === "prog_mismatch" && e.remote);
        assert.deepEqual([e.details.low, e.details.high], [1, 3]);
        return true;
      });
      await assert.rejects(createClient(Other, target).nul(), { code: "prog_unavail" });
      await assert.rejects(createClient(V1Extra, target).p9(), { code: "proc_unavail" });
      // procedure 0 is answered by the runtime, for every registered version
      assert.equal(
        await createClient(defineProgram({ ...V2, version: 3 }), target).nul(),
        undefined,
      );
      // a throwing handler: SYSTEM_ERR, logged, server still up
      await assert.rejects(c1.boom(), { code: "system_err" });
      assert.match(s.lines.join("\n"), /handler BOOM failed.*kaboom/);
      assert.equal(await createClient(V3, target).echo("x"), `x:${proto}`);
      // many calls in flight on one client
      const many = await Promise.all(Array.from({ length: 300 }, (_, i) => c1.echo(`m${i}`)));
      assert.equal(many[299], "m299");
      await s.server.close();
    });

    test(`${proto}: opaques of every size class, both ways`, async () => {
      const s = await start();
      const c = createClient(Blob, s[proto]);
      // 64 KiB and more are held by reference in the writer; 1 MiB + 1 spans two TCP fragments.
      const sizes =
        proto === "udp" ? [0, 1, 65_000 - 100] : [0, 1, 65_535, 65_536, 100_000, 1024 * 1024 + 1];
      for (const n of sizes) {
        const b = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
        const got = await c.echo(b);
        assert.equal(got.length, n);
        assert.equal(Buffer.compare(got, b), 0, `${n} bytes`);
      }
      await c.$close();
    });

    test(`${proto}: timeouts and cancellation`, async () => {
      const s = await start();
      const c = createClient(V1, s[proto]);
      await assert.rejects(c.slow(500, { timeoutMs: 50 }), (e: unknown) => {
        assert.ok(isRpcError(e) && e.code === "timeout" && !e.remote);
        // Node timers may fire up to a millisecond early against performance.now().
        assert.ok(
          e.details.elapsedMs! >= 45 && e.details.elapsedMs! < 400,
          `${e.details.elapsedMs}`,
        );
        return true;
      });
      const ac = new AbortController();
      const p = c.slow(500, { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await assert.rejects(p, { code: "canceled" });
      await assert.rejects(c.echo("x", { timeoutMs: -1 }), { code: "invalid_argument" });
      await c.$close();
      await assert.rejects(c.echo("x"), { code: "closed" });
      await s.server.close(0);
    });
  }

  test("interceptors: client order, server auth hook, credentials", async () => {
    const order: string[] = [];
    const tag =
      (name: string): Interceptor =>
      (next) =>
      async (call) => {
        order.push(`${name}>`);
        const r = await next(call);
        order.push(`<${name}`);
        return r;
      };
    const onlyUid1000: ServerInterceptor = (next) => async (call) => {
      if (call.context.authSys?.uid !== 1000) {
        throw new RpcError("auth_error", "uid 1000 only", {
          details: { authStat: AuthStat.AUTH_TOOWEAK },
        });
      }
      return next(call);
    };
    const s = await start({ interceptors: [onlyUid1000] });
    const cred = (uid: number) => authSys({ stamp: 1, machinename: "m", uid, gid: 0, gids: [] });
    const ok = createClient(V1, s.udp, {
      credential: cred(1000),
      interceptors: [tag("a"), tag("b")],
    });
    assert.equal(await ok.echo("x"), "x");
    assert.deepEqual(order, ["a>", "b>", "<b", "<a"]);
    await assert.rejects(
      createClient(V1, s.udp, { credential: cred(5) }).echo("x"),
      (e: unknown) => {
        assert.ok(
          isRpcError(e) && e.code === "auth_error" && e.details.authStat === AuthStat.AUTH_TOOWEAK,
        );
        return true;
      },
    );
    // an unknown flavor is refused with AUTH_REJECTEDCRED, a malformed AUTH_SYS body with AUTH_BADCRED
    const odd = createClient(V1, s.tcp, {
      credential: { flavor: 390004, body: new Uint8Array(8) },
    });
    await assert.rejects(
      odd.echo("x"),
      (e: unknown) => isRpcError(e) && e.details.authStat === AuthStat.AUTH_REJECTEDCRED,
    );
    const bad = createClient(V1, s.tcp, {
      credential: { flavor: 1, body: Uint8Array.of(0, 0, 0, 1) },
    });
    await assert.rejects(
      bad.echo("x"),
      (e: unknown) => isRpcError(e) && e.details.authStat === AuthStat.AUTH_BADCRED,
    );
    await s.server.close();
  });

  test("graceful close: calls in flight finish within the grace period", async () => {
    const s = await start();
    const c = createClient(V1, s.tcp);
    await c.echo("connected");
    const done = c.slow(100);
    const tcp = s.server.listening[1]!.transport as unknown as { running: number };
    while (tcp.running === 0) await sleep(1); // the call is running on the server
    const closing = s.server.close(1000);
    assert.equal(await done, 100);
    await closing;
    await assert.rejects(createClient(V1, s.tcp, { timeoutMs: 500 }).echo("x"), {
      code: "unreachable",
    });
  });

  test("close past the grace period aborts calls in flight; callers learn the outcome is unknown", async () => {
    const s = await start();
    const c = createClient(V1, s.tcp);
    await c.echo("connected");
    const slow = c.slow(5000);
    const tcp = s.server.listening[1]!.transport as unknown as { running: number };
    while (tcp.running === 0) await sleep(1);
    const t0 = performance.now();
    await s.server.close(50);
    assert.ok(performance.now() - t0 < 1000, "close is bounded by the grace period");
    await assert.rejects(slow, (e: unknown) => isRpcError(e) && e.code === "outcome_unknown");
    await c.$close();
  });

  test("tcp back-pressure: a peer that does not read its replies is no longer read", async () => {
    const s = await start({ tcp: { maxInFlightPerConnection: 16 } });
    const port = Number(s.tcp.split(":").pop());
    const tcp = s.server.listening[1]!.transport as unknown as {
      stats: { pauses: number; calls: number };
    };
    // 4000 pipelined ECHO calls of a 16 KiB string (64 MiB of replies), never reading a byte.
    const call = (xid: number) => {
      const body = Buffer.alloc(16 * 1024, 0x61);
      const m = Buffer.alloc(4 + 40 + 4 + body.length);
      m.writeUInt32BE((0x80000000 | (m.length - 4)) >>> 0, 0);
      for (const [i, v] of [xid, 0, 2, V1.program, 1, 1, 0, 0, 0, 0, body.length].entries())
        m.writeUInt32BE(v, 4 + i * 4);
      body.copy(m, 48);
      return m;
    };
    const sock = net.connect(port, "127.0.0.1");
    try {
      sock.pause();
      await new Promise((r) => sock.once("connect", r));
      for (let i = 0; i < 4000; i++) sock.write(call(i));
      // On a loaded machine the server may take longer than usual to get there: wait (bounded).
      for (let waited = 0; tcp.stats.pauses === 0 && waited < 10_000; waited += 50) {
        await sleep(50);
      }
      assert.ok(tcp.stats.pauses >= 1, "the server paused the connection");
      assert.ok(
        tcp.stats.calls < 4000,
        `the server stopped reading (${tcp.stats.calls} calls read)`,
      );
      // The rest of the server is unaffected.
      assert.equal(await createClient(V1, s.udp).echo("still here"), "still here");
    } finally {
      sock.destroy(); // also when an assertion failed: an open socket would keep the file running
    }
  });

  test("tcp: a broken connection fails sent calls with outcome_unknown; the next call reconnects", async () => {
    const sockets: net.Socket[] = [];
    // A tiny server: answers every call with the string "ok", drops the connection on "drop".
    const srv = net.createServer((sock) => {
      sockets.push(sock);
      sock.on("data", (d) => {
        const xid = d.readUInt32BE(4);
        if (d.includes(Buffer.from("drop"))) {
          sock.destroy();
          return;
        }
        const msg = Buffer.alloc(36);
        msg.writeUInt32BE((0x80000000 | 32) >>> 0, 0);
        msg.writeUInt32BE(xid, 4);
        msg.writeUInt32BE(1, 8); // REPLY; MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS are zeros
        msg.writeUInt32BE(2, 28); // string of 2 bytes
        msg.write("ok", 32);
        sock.write(msg);
      });
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    const c = createClient(V1, `tcp://127.0.0.1:${port}`);
    assert.equal(await c.echo("a"), "ok");
    await assert.rejects(
      c.echo("drop"),
      (e: unknown) => isRpcError(e) && e.code === "outcome_unknown",
    );
    assert.equal(await c.echo("b"), "ok");
    assert.equal(sockets.length, 2, "reconnected once");
    await c.$close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => srv.close(r));
  });

  test("failover, round-robin and least-outstanding over several targets", async () => {
    const a = await start();
    const b = await start();
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise((r) => dead.close(r)); // nothing listens there now: refused
    const fo = createClient(V3, [`tcp://127.0.0.1:${deadPort}`, b.tcp]);
    assert.equal(await fo.echo("f"), "f:tcp");
    const before = [callsOf(a), callsOf(b)];
    const rr = createClient(V1, `${a.udp},${b.udp}`, { balance: "round-robin" });
    await Promise.all(Array.from({ length: 10 }, () => rr.echo("r")));
    assert.deepEqual([callsOf(a) - before[0]!, callsOf(b) - before[1]!], [5, 5]);
    const lo = createClient(V1, [a.tcp, b.tcp], { balance: "least-outstanding" });
    const mid = [callsOf(a), callsOf(b)];
    const slow = lo.slow(150);
    await sleep(30);
    await lo.echo("x"); // goes to the other, idle server
    await slow;
    assert.deepEqual([callsOf(a) - mid[0]!, callsOf(b) - mid[1]!], [1, 1]);
    await Promise.all([fo.$close(), rr.$close(), lo.$close()]);
    await Promise.all([a.server.close(), b.server.close()]);
  });

  test("host names resolve through DNS; a bad name is unreachable", async () => {
    const s = await start();
    const port = Number(s.udp.split(":").pop());
    const c = createClient(V1, `udp://localhost:${port}`, { timeoutMs: 3000 });
    assert.equal(await c.echo("dns"), "dns");
    await c.$close();
    await assert.rejects(createClient(V1, "udp://no-such-host.invalid:1").echo("x"), {
      code: "unreachable",
    });
    await s.server.close();
  });
});
