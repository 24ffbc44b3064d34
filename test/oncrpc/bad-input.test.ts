/**
 * Bad input at the ONC RPC servers: hand-made malformed calls get exactly the reply RFC 5531
 * prescribes (or none), random and truncated datagrams and TCP records and oversized record
 * marks never take the server down, and the heap stays flat over many rounds.
 */
import assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as net from "node:net";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createClient, createServer } from "../../src/connect.js";
import { AUTH_NONE } from "../../src/oncrpc/auth.js";
import { readReplyAfterXid, writeCallHeader } from "../../src/oncrpc/rpc-msg.js";
import type { Logger } from "../../src/runtime/logger.js";
import { defineProgram } from "../../src/runtime/program.js";
import * as xdr from "../../src/xdr/index.js";
import { seededRandom } from "../helpers/prng.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const P = defineProgram({
  name: "FUZZ",
  program: 0x20007777,
  version: 1,
  procedures: {
    put: { procedure: 1, name: "PUT", args: [xdr.string(16), xdr.int], result: xdr.int },
  },
});

function call(
  xid: number,
  opts: {
    rpcvers?: number;
    cred?: { flavor: number; body: Uint8Array };
    args?: (w: xdr.XdrWriter) => void;
  } = {},
): Uint8Array {
  const w = new xdr.XdrWriter();
  writeCallHeader(w, {
    xid,
    program: P.program,
    version: 1,
    procedure: 1,
    credential: opts.cred ?? AUTH_NONE,
    verifier: AUTH_NONE,
  });
  const b = w.finish();
  if (opts.rpcvers !== undefined) new DataView(b.buffer).setUint32(8, opts.rpcvers);
  const a = new xdr.XdrWriter();
  (
    opts.args ??
    ((x) => {
      x.writeString("hello");
      x.writeInt(7);
    })
  )(a);
  return Buffer.concat([b, a.finish()]);
}

const warnings: string[] = [];
const logger: Logger = { error: (m) => warnings.push(m), warn: (m) => warnings.push(m) };

async function startServer() {
  const server = createServer({
    logger,
    udp: { drc: { maxEntries: 256 } },
    tcp: { maxRecordSize: 4096 },
  });
  server.register(P, { put: (s, n) => s.length + n });
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  return { server, udpPort: u!.port, tcpPort: t!.port };
}

/** Sends datagrams and collects replies by xid for a while. */
async function exchange(port: number, datagrams: Uint8Array[], waitMs = 150) {
  const sock = dgram.createSocket("udp4");
  const replies = new Map<number, Uint8Array>();
  sock.on("message", (m) => replies.set(m.readUInt32BE(0), m));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  for (const d of datagrams) sock.send(d, port, "127.0.0.1");
  await new Promise((r) => setTimeout(r, waitMs));
  sock.close();
  return replies;
}

function replyOf(m: Uint8Array | undefined) {
  assert.ok(m !== undefined, "expected a reply");
  const r = new xdr.XdrReader(m);
  r.readUint();
  return readReplyAfterXid(r);
}

describe("bad input at the ONC RPC servers", () => {
  test("malformed calls get the RFC 5531 answer, or none", async () => {
    const s = await startServer();
    const sysBody = (machineLength: number) => {
      const w = new xdr.XdrWriter();
      w.writeUint(1);
      w.writeUint(machineLength);
      w.writeRaw(new Uint8Array((machineLength + 3) & ~3));
      w.writeUint(0);
      w.writeUint(0);
      w.writeUint(0);
      return w.finish();
    };
    const replies = await exchange(s.udpPort, [
      call(1, { rpcvers: 3 }),
      call(2, { cred: { flavor: 9, body: new Uint8Array(4) } }),
      call(3, { cred: { flavor: 1, body: sysBody(300).subarray(0, 400) } }),
      call(4, { args: (w) => w.writeString("x".repeat(17)) }),
      call(5).subarray(0, call(5).length - 2),
      call(6, {
        args: (w) => {
          w.writeString("ok");
          w.writeInt(1);
        },
      }),
      Buffer.concat([call(7).subarray(0, 4), Buffer.from([0, 0, 0, 1]), call(7).subarray(8)]),
      call(8).subarray(0, 30),
      (() => {
        const b = Buffer.from(call(9));
        b.writeUInt32BE(401, 28); // credential length past 400
        return b;
      })(),
    ]);
    assert.deepEqual(replyOf(replies.get(1)), {
      kind: "rejected",
      stat: 0,
      low: 2,
      high: 2,
      authStat: 0,
    });
    assert.deepEqual(replyOf(replies.get(2)), {
      kind: "rejected",
      stat: 1,
      low: 0,
      high: 0,
      authStat: 2,
    });
    assert.deepEqual(replyOf(replies.get(3)), {
      kind: "rejected",
      stat: 1,
      low: 0,
      high: 0,
      authStat: 1,
    });
    assert.equal(replyOf(replies.get(4)).stat, 4, "GARBAGE_ARGS");
    assert.equal(replyOf(replies.get(5)).stat, 4, "GARBAGE_ARGS");
    assert.equal(replyOf(replies.get(6)).stat, 0, "SUCCESS");
    assert.equal(replies.has(7), false, "a REPLY is dropped");
    assert.equal(replies.has(8), false, "a truncated header is dropped");
    assert.deepEqual(replyOf(replies.get(9)), {
      kind: "rejected",
      stat: 1,
      low: 0,
      high: 0,
      authStat: 1,
    });
    await s.server.close();
  });

  test("random and mutated datagrams: only well-formed replies, server up, heap flat", {
    timeout: 60_000,
  }, async () => {
    const s = await startServer();
    const rnd = seededRandom(42);
    const round = async (base: number) => {
      const batch: Uint8Array[] = [];
      for (let i = 0; i < 2000; i++) {
        const xid = base + i;
        const kind = rnd.nextU32() % 3;
        if (kind === 0) batch.push(rnd.bytes(rnd.nextU32() % 200));
        else {
          const b = Buffer.from(
            call(xid, {
              args: (w) => {
                w.writeString("abc");
                w.writeInt(i);
              },
            }),
          );
          if (kind === 1)
            for (let f = 0; f < 3; f++)
              b[8 + (rnd.nextU32() % (b.length - 8))] = rnd.nextU32() & 0xff;
          batch.push(kind === 1 ? b : b.subarray(0, rnd.nextU32() % b.length));
        }
      }
      const replies = await exchange(s.udpPort, batch, 100);
      for (const [xid, m] of replies) {
        const r = new xdr.XdrReader(m);
        assert.equal(r.readUint(), xid);
        readReplyAfterXid(r); // throws if not a well-formed reply
      }
    };
    for (let i = 0; i < 3; i++) await round(i * 10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 3; i < 13; i++) await round(i * 10_000);
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    assert.ok(growth < 4 * 1024 * 1024, `heap grew by ${growth} bytes over 20,000 bad datagrams`);
    const c = createClient(P, `udp://127.0.0.1:${s.udpPort}`);
    assert.equal(await c.put("abc", 1), 4);
    await c.$close();
    await s.server.close();
  });

  test("TCP: oversized record marks and garbage records close only that connection; heap flat", {
    timeout: 60_000,
  }, async () => {
    const s = await startServer();
    const rnd = seededRandom(9);
    warnings.length = 0;
    const connectAndSend = (chunks: Uint8Array[]) =>
      new Promise<Buffer>((resolve) => {
        const sock = net.connect(s.tcpPort, "127.0.0.1");
        const got: Buffer[] = [];
        sock.on("data", (d) => got.push(d));
        sock.on("error", () => {});
        sock.on("close", () => resolve(Buffer.concat(got)));
        sock.on("connect", () => {
          for (const c of chunks) sock.write(c);
          setTimeout(() => sock.end(), 30);
        });
      });
    const mark = (n: number, last = true) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(((last ? 0x80000000 : 0) | n) >>> 0);
      return b;
    };
    // A mark announcing 2 GiB: the connection is closed at once, nothing buffered.
    assert.equal((await connectAndSend([mark(0x7fffffff), Buffer.alloc(100)])).length, 0);
    // Fragments adding up past 4096.
    await connectAndSend([mark(3000, false), Buffer.alloc(3000), mark(3000), Buffer.alloc(3000)]);
    assert.equal(warnings.filter((w) => /exceeds the limit of 4096/.test(w)).length, 2);
    const round = async () => {
      const work: Promise<Buffer>[] = [];
      for (let i = 0; i < 50; i++) {
        const good = Buffer.from(call(i));
        const body =
          rnd.nextU32() % 2 === 0
            ? rnd.bytes(rnd.nextU32() % 300)
            : good.subarray(0, rnd.nextU32() % good.length);
        work.push(connectAndSend([mark(body.length), body, mark(good.length), good]));
      }
      for (const replies of await Promise.all(work)) {
        // The good call after the garbage is answered (unless its connection was closed).
        assert.ok(replies.length === 0 || replies.length >= 28);
      }
    };
    await round();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 6; i++) await round();
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    assert.ok(growth < 4 * 1024 * 1024, `heap grew by ${growth} bytes over 300 bad connections`);
    const c = createClient(P, `tcp://127.0.0.1:${s.tcpPort}`);
    assert.equal(await c.put("abcd", 1), 5);
    await c.$close();
    await s.server.close();
  });
});
