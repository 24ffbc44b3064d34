/**
 * Streamed handlers (`streamed.ts`, `ProgramTable` in `dispatch.ts`): a fake transport's calls
 * whose argument arrives as `args` (first bytes) plus `body` (the rest), calls whose argument
 * arrives whole, the checks at registration, and one end-to-end call over ONC RPC (UDP, TCP).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, describe, test } from "node:test";
import { collectingLogger } from "../../test/helpers/spoof.js";
import { createClient, createServer } from "../index.js";
import { AUTH_NONE } from "../oncrpc/auth.js";
import * as xdr from "../xdr/index.js";
import { XdrReader, XdrWriter } from "../xdr/index.js";
import { ProgramTable } from "./dispatch.js";
import { RpcError } from "./errors.js";
import type { ServerInterceptor } from "./interceptor.js";
import { defineProgram } from "./program.js";
import { createRpcServer } from "./server.js";
import { type OpaqueStream, streamed } from "./streamed.js";
import type { ArgumentBody, DispatchOutcome, IncomingCall } from "./transport.js";
import { workerHandlers } from "./worker.js";

const P = defineProgram({
  name: "STREAM_PROG",
  program: 0x20007171,
  version: 1,
  procedures: {
    nul: { procedure: 0, name: "NULL", args: [], result: xdr.void },
    put: { procedure: 1, name: "PUT", args: [xdr.opaque()], result: xdr.opaque() },
    small: { procedure: 2, name: "SMALL", args: [xdr.opaque(100)], result: xdr.uint },
    tiny: { procedure: 3, name: "TINY", args: [xdr.opaque(3)], result: xdr.uint },
    plain: { procedure: 4, name: "PLAIN", args: [xdr.opaque()], result: xdr.uint },
    count: { procedure: 5, name: "COUNT", args: [xdr.int], result: xdr.int },
    digest: { procedure: 6, name: "DIGEST", args: [xdr.fixedOpaque(16)], result: xdr.uint },
    two: { procedure: 7, name: "TWO", args: [xdr.opaque(), xdr.int], result: xdr.int },
    text: { procedure: 8, name: "TEXT", args: [xdr.string()], result: xdr.int },
  },
});

/** The XDR var-opaque encoding of `data`. */
function varOpaque(data: Uint8Array): Uint8Array {
  const w = new XdrWriter();
  w.writeVarOpaque(data);
  return w.finish();
}

const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

/** Reads a stream to its end: its chunks, and their bytes joined. */
async function drain(data: OpaqueStream): Promise<{ chunks: number[]; bytes: Uint8Array }> {
  const parts: Uint8Array[] = [];
  for await (const c of data) parts.push(c.slice());
  return { chunks: parts.map((c) => c.length), bytes: new Uint8Array(Buffer.concat(parts)) };
}

/** A body yielding `bytes` in pieces of `size` (after `before` is called), then maybe failing. */
function bodyOf(
  bytes: Uint8Array,
  size: number,
  o: { totalBytes: number; failAfter?: number; error?: unknown },
): ArgumentBody & { read: number } {
  const body = {
    totalBytes: o.totalBytes,
    read: 0,
    async *[Symbol.asyncIterator]() {
      for (let at = 0; at < bytes.length; at += size) {
        if (o.failAfter !== undefined && body.read >= o.failAfter) throw o.error;
        await new Promise((r) => setImmediate(r));
        const chunk = bytes.slice(at, at + size);
        body.read += chunk.length;
        yield chunk;
      }
      if (o.failAfter !== undefined && body.read >= o.failAfter) throw o.error;
    },
  };
  return body;
}

/** An incoming call of procedure `procedure` with arguments `args` (and the rest in `body`). */
function incoming(
  args: XdrReader,
  body: ArgumentBody | undefined,
  procedure = 1,
  signal = new AbortController().signal,
): IncomingCall {
  return {
    program: P.program,
    version: 1,
    procedure,
    credential: AUTH_NONE,
    verifier: AUTH_NONE,
    args,
    remote: undefined,
    transport: "fake",
    signal,
    ...(body === undefined ? {} : { body }),
  };
}

/**
 * Dispatches a call to procedure `procedure` whose encoded arguments are `encoded`: the first
 * `split` bytes in `args`, the rest in a body of `size`-byte chunks (no body when `split` is
 * undefined). `totalBytes` defaults to `encoded.length`.
 */
function call(
  t: ProgramTable,
  procedure: number,
  encoded: Uint8Array,
  o: {
    split?: number;
    size?: number;
    totalBytes?: number;
    failAfter?: number;
    error?: unknown;
    signal?: AbortSignal;
  } = {},
): { outcome: DispatchOutcome | Promise<DispatchOutcome>; body?: { read: number } } {
  // The arguments sit after some header bytes, as in a transport's receive buffer.
  const buffer = new Uint8Array(12 + encoded.length);
  buffer.set(encoded, 12);
  const split = o.split ?? encoded.length;
  const body =
    o.split === undefined
      ? undefined
      : bodyOf(buffer.subarray(12 + split), o.size ?? 100, {
          totalBytes: o.totalBytes ?? encoded.length,
          ...(o.failAfter === undefined ? {} : { failAfter: o.failAfter, error: o.error }),
        });
  const outcome = t.dispatch(
    incoming(new XdrReader(buffer, 12, 12 + split), body, procedure, o.signal),
  );
  return body === undefined ? { outcome } : { outcome, body };
}

/** The result an outcome encodes, read with `codec`. */
function resultOf<T>(o: DispatchOutcome, codec: xdr.XdrCodec<T>): T {
  assert.equal(o.status, "success");
  const w = new XdrWriter();
  (o as { writeResult: (w: XdrWriter) => void }).writeResult(w);
  return xdr.decode(codec, w.finish());
}

const ordinary = {
  small: streamed((d) => d.length),
  tiny: streamed((d) => d.length),
  plain: (b: Uint8Array) => b.length,
  count: (n: number) => n,
  digest: () => 0,
  two: (_b: Uint8Array, n: number) => n,
  text: (s: string) => s.length,
};

/** A table with PUT streamed through `put` (and `options`), the rest ordinary. */
function tableWith(
  put: (data: OpaqueStream) => Uint8Array | Promise<Uint8Array>,
  options: { maxBytes?: number; interceptors?: ServerInterceptor[] } = {},
) {
  const { lines, logger } = collectingLogger();
  const t = new ProgramTable({ logger, interceptors: options.interceptors ?? [] });
  t.register(P, {
    ...ordinary,
    put: streamed(put, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  return { t, lines };
}

describe("streamed handlers", () => {
  test("chunks add up to the declared length, padding cut, the result encoded", async () => {
    for (const [n, split, size] of [
      [1001, 10, 100], // 3 padding bytes, the last chunk holds data and padding
      [1001, 10, 1], // padding arrives byte by byte
      [998, 1002, 7], // args holds all the data and some padding
      [4096, 4, 4096], // args holds the length word only; no padding
      [5000, 2, 333], // args lacks part of the length word
      [3, 0, 5], // args holds nothing
    ] as const) {
      const data = pattern(n);
      let seen: { chunks: number[]; bytes: Uint8Array } | undefined;
      const { t } = tableWith(async (d) => {
        assert.equal(d.length, n);
        seen = await drain(d);
        return createHash("sha256").update(seen.bytes).digest();
      });
      const encoded = varOpaque(data);
      const { outcome } = call(t, 1, encoded, { split, size });
      const digest = resultOf(await outcome, xdr.opaque());
      assert.deepEqual(Buffer.from(digest), createHash("sha256").update(data).digest());
      assert.ok(seen !== undefined);
      assert.equal(
        seen.chunks.reduce((a, b) => a + b, 0),
        n,
        `${n}/${split}/${size}`,
      );
      assert.ok(
        seen.chunks.every((c) => c > 0),
        "no empty chunks",
      );
      assert.deepEqual(seen.bytes, data);
    }
  });

  test("the first chunk is a view of the bytes args held", async () => {
    const data = pattern(500);
    let first: Uint8Array | undefined;
    const { t } = tableWith(async (d) => {
      for await (const c of d) {
        first ??= c;
      }
      return new Uint8Array(0);
    });
    const encoded = varOpaque(data);
    const buffer = new Uint8Array(encoded.length);
    buffer.set(encoded);
    const outcome = await t.dispatch(
      incoming(
        new XdrReader(buffer, 0, 104),
        bodyOf(buffer.subarray(104), 64, { totalBytes: encoded.length }),
      ),
    );
    assert.equal(outcome.status, "success");
    assert.ok(first !== undefined);
    assert.equal(first.buffer, buffer.buffer);
    assert.equal(first.byteOffset, 4);
    assert.equal(first.length, 100);
  });

  test("a length word inconsistent with totalBytes is GARBAGE_ARGS; the handler never runs", async () => {
    let ran = 0;
    const { t } = tableWith(() => {
      ran++;
      return new Uint8Array(0);
    });
    const encoded = varOpaque(pattern(1001));
    for (const totalBytes of [encoded.length - 1, encoded.length + 1, encoded.length + 4]) {
      const { outcome, body } = call(t, 1, encoded, { split: 50, totalBytes });
      assert.equal((await outcome).status, "garbage_args", `totalBytes ${totalBytes}`);
      assert.equal(body!.read, 0, "nothing of the body is read");
    }
    // args holding more than totalBytes
    const { outcome } = call(t, 1, encoded, { split: 50, totalBytes: 40 });
    assert.equal((await outcome).status, "garbage_args");
    assert.equal(ran, 0);
  });

  test("a body shorter than totalBytes: iteration throws garbage_args, the reply is GARBAGE_ARGS", async () => {
    let thrown: unknown;
    const { t } = tableWith(async (d) => {
      try {
        await drain(d);
      } catch (e) {
        thrown = e;
        throw e;
      }
      return new Uint8Array(0);
    });
    const data = pattern(1000);
    const encoded = varOpaque(data);
    // The body holds only 500 of the 1004 bytes its totalBytes announces.
    const cut = encoded.subarray(0, 500);
    const buffer = new Uint8Array(cut);
    const outcome = await t.dispatch(
      incoming(
        new XdrReader(buffer, 0, 20),
        bodyOf(buffer.subarray(20), 100, { totalBytes: encoded.length }),
      ),
    );
    assert.equal(outcome.status, "garbage_args");
    assert.ok(thrown instanceof RpcError && thrown.code === "garbage_args", String(thrown));
  });

  test("non-zero padding: iteration throws garbage_args", async () => {
    const { t } = tableWith(async (d) => {
      await drain(d);
      return new Uint8Array(0);
    });
    const encoded = varOpaque(pattern(1001));
    encoded[encoded.length - 2] = 9;
    const { outcome } = call(t, 1, encoded, { split: 30, size: 64 });
    assert.equal((await outcome).status, "garbage_args");
  });

  test("over maxBytes, or over the .x bound, is GARBAGE_ARGS, streamed or whole", async () => {
    let ran = 0;
    const { t } = tableWith(
      () => {
        ran++;
        return new Uint8Array(0);
      },
      { maxBytes: 1000 },
    );
    const over = varOpaque(pattern(1001));
    assert.equal((await call(t, 1, over, { split: 40 }).outcome).status, "garbage_args");
    assert.equal((await call(t, 1, over).outcome).status, "garbage_args");
    assert.equal(ran, 0);
    const atLimit = varOpaque(pattern(1000));
    assert.equal((await call(t, 1, atLimit, { split: 40 }).outcome).status, "success");
    assert.equal((await call(t, 1, atLimit).outcome).status, "success");
    assert.equal(ran, 2);
    // SMALL is opaque<100>: its bound holds without maxBytes
    const big = varOpaque(pattern(101));
    assert.equal((await call(t, 2, big, { split: 40 }).outcome).status, "garbage_args");
    assert.equal((await call(t, 2, big).outcome).status, "garbage_args");
    assert.equal(
      resultOf(await call(t, 2, varOpaque(pattern(100)), { split: 40 }).outcome, xdr.uint),
      100,
    );
    // TINY is opaque<3>, below the 5-byte probe: still recognised, still bounded
    assert.equal(resultOf(await call(t, 3, varOpaque(pattern(3))).outcome, xdr.uint), 3);
    assert.equal((await call(t, 3, varOpaque(pattern(4))).outcome).status, "garbage_args");
  });

  test("a body that throws: the handler's iteration rejects with its error; the reply follows it", async () => {
    const encoded = varOpaque(pattern(2000));
    const cases: [unknown, string, boolean][] = [
      [new Error("link down"), "system_err", true],
      [new RpcError("canceled", "the caller went away", { remote: false }), "system_err", false],
      [new RpcError("garbage_args", "bad bytes", { remote: false }), "garbage_args", false],
    ];
    for (const [error, status, logged] of cases) {
      let thrown: unknown;
      let got = 0;
      const { t, lines } = tableWith(async (d) => {
        try {
          for await (const c of d) got += c.length;
        } catch (e) {
          thrown = e;
          throw e;
        }
        return new Uint8Array(0);
      });
      const { outcome } = call(t, 1, encoded, { split: 100, size: 500, failAfter: 1000, error });
      assert.equal((await outcome).status, status);
      assert.equal(thrown, error);
      assert.equal(got, 96 + 1000);
      assert.equal(lines.length > 0, logged, lines.join("\n"));
    }
  });

  test("a body that throws before the length word is complete", async () => {
    const { t, lines } = tableWith(() => new Uint8Array(0));
    const canceled = new RpcError("canceled", "gone", { remote: false });
    const encoded = varOpaque(pattern(64));
    const { outcome } = call(t, 1, encoded, { split: 2, failAfter: 0, error: canceled });
    assert.equal((await outcome).status, "system_err");
    assert.deepEqual(lines, []);
    // and a body that ends before it
    const short = call(t, 1, encoded.subarray(0, 3), { split: 1, totalBytes: encoded.length });
    assert.equal((await short.outcome).status, "garbage_args");
  });

  test("a stream can be iterated once", async () => {
    for (const split of [undefined, 10]) {
      let second: unknown;
      const { t } = tableWith(async (d) => {
        await drain(d);
        try {
          d[Symbol.asyncIterator]();
        } catch (e) {
          second = e;
        }
        return new Uint8Array(0);
      });
      const { outcome } = call(t, 1, varOpaque(pattern(300)), split === undefined ? {} : { split });
      assert.equal((await outcome).status, "success");
      assert.ok(second instanceof TypeError, String(second));
      assert.match((second as Error).message, /only once/);
    }
  });

  test("a handler may stop reading early", async () => {
    const { t } = tableWith(async (d) => {
      for await (const c of d) return c.slice(0, 4);
      return new Uint8Array(0);
    });
    const data = pattern(5000);
    const r = call(t, 1, varOpaque(data), { split: 50, size: 500 });
    assert.deepEqual(resultOf(await r.outcome, xdr.opaque()), data.subarray(0, 4));
    assert.ok(r.body!.read < 5000);
  });

  test("a whole request: the codec decodes it, the stream yields it as one chunk", async () => {
    let seen: number[] = [];
    const { t } = tableWith(async (d) => {
      seen = (await drain(d)).chunks;
      return new Uint8Array([d.length & 0xff]);
    });
    const r = call(t, 1, varOpaque(pattern(777)));
    assert.deepEqual(resultOf(await r.outcome, xdr.opaque()), new Uint8Array([777 & 0xff]));
    assert.deepEqual(seen, [777]);
    assert.deepEqual(
      resultOf(await call(t, 1, varOpaque(new Uint8Array(0))).outcome, xdr.opaque()),
      new Uint8Array([0]),
    );
    assert.deepEqual(seen, []);
    // undecodable: GARBAGE_ARGS
    assert.equal(
      (await call(t, 1, new Uint8Array([0, 0, 0, 9, 1])).outcome).status,
      "garbage_args",
    );
  });

  test("interceptors see [stream]; errors map as for other handlers", async () => {
    let inInterceptor: readonly unknown[] | undefined;
    let inHandler: OpaqueStream | undefined;
    const spy: ServerInterceptor = (next) => (c) => {
      inInterceptor = c.args;
      return next(c);
    };
    const { t } = tableWith(
      async (d) => {
        inHandler = d;
        const { bytes } = await drain(d);
        if (bytes[0] === 0xff) throw new RpcError("proc_unavail", "not that one");
        return bytes.subarray(0, 2);
      },
      { interceptors: [spy] },
    );
    const data = pattern(900);
    const r = call(t, 1, varOpaque(data), { split: 64 });
    assert.deepEqual(resultOf(await r.outcome, xdr.opaque()), data.subarray(0, 2));
    assert.equal(inInterceptor?.length, 1);
    assert.equal(inInterceptor?.[0], inHandler);
    const bad = new Uint8Array(900).fill(0xff);
    assert.equal((await call(t, 1, varOpaque(bad), { split: 64 }).outcome).status, "proc_unavail");
    // an interceptor that reads args of a bad call gets garbage_args
    assert.equal(
      (await call(t, 1, varOpaque(pattern(10)), { split: 8, totalBytes: 99 }).outcome).status,
      "garbage_args",
    );
  });

  test("an interceptor that refuses from the context reads none of the argument", async () => {
    const refuse: ServerInterceptor = () => () => {
      throw new RpcError("auth_error", "no", { details: { authStat: 5 } });
    };
    const { t } = tableWith(() => new Uint8Array(0), { interceptors: [refuse] });
    const r = call(t, 1, varOpaque(pattern(900)), { split: 64, totalBytes: 1 });
    assert.deepEqual(await r.outcome, { status: "auth_error", authStat: 5 });
    assert.equal(r.body!.read, 0);
  });

  test("streamed() is refused for any argument but one variable-length opaque", () => {
    const t = new ProgramTable({ logger: collectingLogger().logger });
    const h = streamed(() => 0);
    for (const method of ["count", "digest", "two", "text"] as const) {
      assert.throws(
        () => t.register(P, { ...ordinary, put: streamed(() => new Uint8Array(0)), [method]: h }),
        (e: unknown) =>
          e instanceof TypeError &&
          e.message.includes("STREAM_PROG version 1") &&
          e.message.includes(method) &&
          /variable-length opaque/.test(e.message),
        method,
      );
    }
    assert.throws(() => streamed(() => 0, { maxBytes: -1 }), RangeError);
    // The types refuse it too, where they can tell: an int argument.
    const server = createRpcServer({ logger: collectingLogger().logger });
    assert.throws(
      // @ts-expect-error a streamed handler needs an opaque argument
      () => server.register(P, { ...ordinary, put: streamed(() => new Uint8Array(0)), count: h }),
      TypeError,
    );
  });

  test("streams() is true for streamed procedures only", () => {
    const { t } = tableWith(() => new Uint8Array(0));
    assert.equal(t.streams(P.program, 1, 1), true);
    assert.equal(t.streams(P.program, 1, 2), true);
    assert.equal(t.streams(P.program, 1, 4), false);
    assert.equal(t.streams(P.program, 1, 0), false);
    assert.equal(t.streams(P.program, 1, 99), false);
    assert.equal(t.streams(P.program, 2, 1), false);
    assert.equal(t.streams(P.program + 1, 1, 1), false);
  });

  test("workerHandlers refuses streamed handlers", () => {
    assert.throws(
      () => workerHandlers(P, { ...ordinary, put: streamed(() => new Uint8Array(0)) }),
      (e: unknown) => e instanceof TypeError && /worker pool/.test(e.message),
    );
  });
});

const servers: { close(graceMs?: number): Promise<void> }[] = [];
after(() => Promise.all(servers.map((s) => s.close(0))));

const Upload = defineProgram({
  name: "UPLOAD_PROG",
  program: 0x20007172,
  version: 1,
  procedures: {
    put: { procedure: 1, name: "PUT", args: [xdr.opaque()], result: xdr.fixedOpaque(32) },
  },
});

describe("streamed handlers over ONC RPC", () => {
  for (const [proto, size] of [
    ["tcp", 100_000],
    ["udp", 20_000],
  ] as const) {
    test(`${proto}: a ${size}-byte argument arrives as one chunk`, async () => {
      const server = createServer({ logger: collectingLogger().logger, closeGraceMs: 100 });
      servers.push(server);
      const chunks: number[] = [];
      server.register(Upload, {
        put: streamed(async (data, ctx) => {
          assert.equal(ctx.transport, proto);
          const hash = createHash("sha256");
          for await (const c of data) {
            chunks.push(c.length);
            hash.update(c);
          }
          return hash.digest();
        }),
      });
      const [address] = await server.listen(`${proto}://127.0.0.1:0`);
      const client = createClient(Upload, `${proto}://127.0.0.1:${address!.port}`);
      try {
        const sent = pattern(size);
        const digest = await client.put(sent, { timeoutMs: 5000 });
        assert.deepEqual(Buffer.from(digest), createHash("sha256").update(sent).digest());
        assert.deepEqual(chunks, [size]);
      } finally {
        await client.$close();
        await server.close(0);
      }
    });
  }
});
