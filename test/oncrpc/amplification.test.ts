/**
 * The UDP reply-amplification limit (`src/transport/reply-limit.ts`), the portmapper DDoS
 * lesson: a flood of small calls with spoofed sources — the victims' addresses — never gets the
 * server to send any address more than 4 times the bytes "it" sent; every reply over the limit is
 * replaced by SYSTEM_ERR and counted. Loopback, which cannot be spoofed from another host, is
 * exempt by default. Spoofing is played with a fake port (the server sees exactly what a spoofed
 * datagram shows it: a source address); the real-socket tests run the same limit on loopback.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createClient, createServer, defineProgram, isRpcError, xdr } from "../../src/index.js";
import { authSys } from "../../src/oncrpc/auth.js";
import { AcceptStat } from "../../src/oncrpc/rpc-msg.js";
import { RpcbindClient } from "../../src/rpcbind/client.js";
import { startRpcbind } from "../../src/rpcbind/daemon.js";
import { PmapProgV2, RpcbprogV3, RpcbprogV4, xdr_rpcb } from "../../src/rpcbind/gen/rpcbind.js";
import { createRpcbindService } from "../../src/rpcbind/server.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import { ReplyLimit } from "../../src/transport/reply-limit.js";
import { oncTransport } from "../helpers/onc.js";
import { seededRandom } from "../helpers/prng.js";
import {
  callBytes,
  collectingLogger,
  from,
  parseReply,
  spoofableServer,
} from "../helpers/spoof.js";

const PROG = 0x20009999;

/** A binder holding `n` registrations, on a spoofable UDP server. */
async function binderWith(n: number, options: Parameters<typeof spoofableServer>[1] = {}) {
  const service = createRpcbindService({ wallClockSeconds: () => 0 });
  for (let i = 0; i < n; i++) {
    for (const netid of ["udp", "tcp", "udp6", "tcp6"]) {
      service.registry.set({
        program: PROG + i,
        version: 1,
        netid,
        uaddr: netid.endsWith("6") ? "::.3.231" : "0.0.0.0.3.231",
        owner: "superuser",
      });
    }
  }
  const table = new ProgramTable({ logger: collectingLogger().logger });
  table.register(PmapProgV2, service.v2);
  table.register(RpcbprogV3, service.v3);
  table.register(RpcbprogV4, service.v4);
  return spoofableServer(table, { drc: false, ...options });
}

const dump = (xid: number, version: number, machinename = "") =>
  callBytes({
    xid,
    program: 100000,
    version,
    procedure: 4, // PMAPPROC_DUMP, RPCBPROC_DUMP
    ...(machinename === ""
      ? {}
      : { credential: authSys({ stamp: 0, machinename, uid: 0, gid: 0, gids: [] }) }),
  });

const getAddrList = (xid: number) =>
  callBytes({
    xid,
    program: 100000,
    version: 4,
    procedure: 11, // RPCBPROC_GETADDRLIST
    args: (w) =>
      xdr_rpcb.encode(w, { r_prog: PROG, r_vers: 1, r_netid: "udp", r_addr: "", r_owner: "" }),
  });

describe("UDP reply amplification limit", () => {
  test("a spoofed flood: no source ever receives more than 4x what was sent in its name", async () => {
    const { ask, server, port } = await binderWith(12, { logger: collectingLogger().logger });
    const random = seededRandom(0x5eed);
    const int = (n: number) => random.nextU32() % n;
    const received = new Map<string, number>();
    let over = 0;
    for (let i = 0; i < 2000; i++) {
      const source = from(`198.51.${int(256)}.${int(256)}`, 1024 + int(60000));
      // DUMP of every version (the classic amplifier), GETADDRLIST, and NULL; credentials of
      // random sizes shift the request size the limit is computed from.
      const kind = int(5);
      const name = "m".repeat(int(200));
      const bytes =
        kind < 3
          ? dump(i, 2 + kind, name)
          : kind === 3
            ? getAddrList(i)
            : callBytes({ xid: i, program: 100000, version: 2, procedure: 0 });
      const key = `${source.address}:${source.port}`;
      received.set(key, (received.get(key) ?? 0) + bytes.length);
      const [reply] = await ask(bytes, source);
      assert.ok(reply !== undefined, "every call is answered");
      const h = parseReply(reply).header;
      if (h.kind === "accepted" && h.stat === AcceptStat.SYSTEM_ERR) over++;
    }
    const sent = new Map<string, number>();
    for (const s of port.sent) {
      const key = `${s.to.address}:${s.to.port}`;
      sent.set(key, (sent.get(key) ?? 0) + s.data.length);
    }
    for (const [key, bytes] of sent) {
      assert.ok(bytes <= 4 * received.get(key)!, `${key}: sent ${bytes} for ${received.get(key)}`);
    }
    assert.ok(over > 500, `DUMPs of 48 registrations are refused (${over})`);
    assert.equal(server.stats.repliesOverLimit, over);
    await server.close(0);
  });

  test("the limit holds on the duplicate-request cache's replay path", async () => {
    const { ask, server } = await binderWith(3, { logger: collectingLogger().logger, drc: {} });
    // A call padded by a long credential earns a DUMP reply; its copy, with the same xid and
    // arguments but a short credential, gets SYSTEM_ERR rather than the cached reply.
    const source = from("203.0.113.9", 999);
    const long = dump(77, 4, "x".repeat(255));
    const [first] = await ask(long, source);
    assert.equal(parseReply(first!).header.stat, AcceptStat.SUCCESS);
    const [copy] = await ask(dump(77, 4), source);
    assert.equal(parseReply(copy!).header.stat, AcceptStat.SYSTEM_ERR);
    assert.ok(copy!.length <= dump(77, 4).length);
    assert.equal(server.stats.replayed, 1);
    await server.close(0);
  });

  test("loopback is exempt by default; exemptions, ratio and `false` are configurable", async () => {
    const big = await binderWith(12);
    const [full] = await big.ask(dump(1, 4), from("127.0.0.1"));
    assert.equal(parseReply(full!).header.stat, AcceptStat.SUCCESS);
    assert.ok(full!.length > 20 * dump(1, 4).length);
    const [v6] = await big.ask(dump(2, 4), from("::1"));
    assert.equal(parseReply(v6!).header.stat, AcceptStat.SUCCESS);
    await big.server.close(0);

    const trusted = await binderWith(12, { amplification: { exempt: ["10.0.0.0/8"] } });
    assert.equal(parseReply((await trusted.ask(dump(3, 4), from("10.1.1.1")))[0]!).header.stat, 0);
    assert.equal(
      parseReply((await trusted.ask(dump(4, 4), from("127.0.0.1")))[0]!).header.stat,
      AcceptStat.SYSTEM_ERR,
    );
    await trusted.server.close(0);

    const off = await binderWith(12, { amplification: false });
    assert.equal(parseReply((await off.ask(dump(5, 4), from("192.0.2.1")))[0]!).header.stat, 0);
    await off.server.close(0);

    // the binder's own lookups fit: GETADDRLIST for a program on four transports
    const one = await binderWith(1);
    const q = getAddrList(6);
    const [list] = await one.ask(q, from("192.0.2.1"));
    assert.equal(parseReply(list!).header.stat, AcceptStat.SUCCESS);
    assert.ok(list!.length / q.length < 4, `${list!.length}/${q.length}`);
    await one.server.close(0);
    assert.throws(() => new ReplyLimit({ maxReplyRatio: 0.5 }), TypeError);
    assert.throws(() => new ReplyLimit({ exempt: ["10.0.0.0/64"] }), TypeError);
  });

  const closers: (() => Promise<void>)[] = [];
  after(() => Promise.all(closers.map((c) => c())));

  test("real sockets: a reply over the limit reaches the client as SYSTEM_ERR, at once", async () => {
    const Blob = defineProgram({
      name: "AMP_PROG",
      program: 0x20005353,
      version: 1,
      procedures: { get: { procedure: 1, name: "GET", args: [xdr.uint], result: xdr.opaque() } },
    });
    const { lines, logger } = collectingLogger();
    const server = createServer({ logger, udp: { amplification: { exempt: [] } } });
    closers.push(() => server.close(0));
    server.register(Blob, { get: (n) => new Uint8Array(n) });
    const [a] = await server.listen("udp://127.0.0.1:0");
    const c = createClient(Blob, `udp://127.0.0.1:${a!.port}`);
    // the call is 44 bytes: a reply of 4 + 4 + n bytes after the 24-byte header fits while ≤ 176
    assert.equal((await c.get(100)).length, 100);
    const t0 = performance.now();
    await assert.rejects(
      c.get(1000, { timeoutMs: 5000 }),
      (e) => isRpcError(e) && e.code === "system_err",
    );
    assert.ok(performance.now() - t0 < 1000, "answered, not timed out");
    assert.match(
      lines.join("\n"),
      /amplification limit: 1 reply replaced by SYSTEM_ERR .*1028 bytes for a 44-byte call from 127\.0\.0\.1, limit 4x/,
    );
    const udp = server.listening[0]!.transport as unknown as {
      stats: { repliesOverLimit: number };
    };
    assert.equal(udp.stats.repliesOverLimit, 1);
    await c.$close();
  });

  test("real sockets: rpcbind lookups fall back to GETPORT when the list is refused", async () => {
    const d = await startRpcbind({
      hosts: ["127.0.0.1"],
      port: 0,
      wallClockSeconds: () => 0,
      logger: collectingLogger().logger,
      udp: { amplification: { exempt: [], maxReplyRatio: 2 } },
    });
    closers.push(() => d.close());
    const rpcb = new RpcbindClient(oncTransport("udp", d.addresses[0]!.port));
    for (const protocol of ["udp", "tcp"] as const) {
      await rpcb.set({ program: PROG, version: 1, protocol, port: 4000 + protocol.length });
      await rpcb.rpcbSet({
        r_prog: PROG,
        r_vers: 1,
        r_netid: `${protocol}6`,
        r_addr: "::.15.161",
        r_owner: "x",
      });
    }
    await assert.rejects(
      rpcb.getAddrList({ r_prog: PROG, r_vers: 1, r_netid: "", r_addr: "", r_owner: "" }),
      {
        code: "system_err",
      },
    );
    const found = await rpcb.lookup(PROG, 1, "tcp", {
      address: "127.0.0.1",
      port: 111,
      family: "IPv4",
    });
    assert.deepEqual(found, { address: "127.0.0.1", port: 4003, family: "IPv4" });
    await rpcb.close();
  });
});
