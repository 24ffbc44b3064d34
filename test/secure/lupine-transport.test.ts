/**
 * The secure Lupine transport over real loopback sockets (docs/security.md §4): the reliable
 * transport sealed by the Noise layer. Calls work and handlers learn the caller's key; a wrong
 * pinned key, or a client key the server does not admit, fail clearly and run nothing; and a
 * proxy that tampers with, truncates, replays, reorders and forges datagrams in both directions
 * gets every bogus datagram rejected and counted while every call completes exactly once.
 */
import assert from "node:assert/strict";
import * as dgram from "node:dgram";
import { after, describe, test } from "node:test";
import {
  type CallContext,
  createClient,
  createServer,
  defineProgram,
  isRpcError,
  xdr,
} from "../../src/index.js";
import type { DatagramPort, Endpoint } from "../../src/io/index.js";
import { nodeClock } from "../../src/io/node/clock.js";
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { openUdp } from "../../src/io/node/udp.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import { SecureInitiator } from "../../src/secure/initiator.js";
import { encodeKey } from "../../src/secure/key-text.js";
import { suite25519ChaChaPolyBlake2s as suite, x25519 } from "../../src/secure/node-crypto.js";
import { totalDropped } from "../../src/secure/stats.js";
import {
  createSecureLupineClient,
  createSecureLupineServer,
  innerDatagramBytes,
} from "../../src/transport/lupine-secure.js";
import { FakePort } from "../helpers/fake-port.js";
import { seededRandom } from "../helpers/prng.js";
import { collectingLogger } from "../helpers/spoof.js";
import { udpKernelDrops } from "../helpers/udp-drops.js";

const P = defineProgram({
  name: "SECURE_PROG",
  program: 0x20008181,
  version: 1,
  procedures: {
    echo: { procedure: 1, name: "ECHO", args: [xdr.opaque()], result: xdr.opaque() },
    whoami: { procedure: 2, name: "WHOAMI", args: [], result: xdr.string() },
  },
});

let executed = 0;
const seen: CallContext[] = [];
const handlers = {
  echo: (b: Uint8Array) => {
    executed++;
    return b;
  },
  whoami: (ctx: CallContext) => {
    executed++;
    seen.push(ctx);
    return `${ctx.secure} ${ctx.peer?.scheme} ${ctx.peer?.id}`;
  },
};

const serverKeys = x25519.generateKeyPair(nodeRandom);
const clientKeys = x25519.generateKeyPair(nodeRandom);
const strangerKeys = x25519.generateKeyPair(nodeRandom);
/** What every server in this file shares; each test adds its port and options. */
const serverBasics = {
  clock: nodeClock,
  random: nodeRandom,
  crc: nodeCrc32,
  suite,
  staticKeyPair: serverKeys,
} as const;

const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function serve(lupine: Record<string, unknown>) {
  const server = createServer({ logger: collectingLogger().logger, closeGraceMs: 0, lupine });
  closers.push(() => server.close(0));
  server.register(P, handlers);
  const [a] = await server.listen("lupine://127.0.0.1:0");
  return { port: a!.port, server };
}

describe("secure Lupine transport over loopback", () => {
  test("calls work; handlers get secure and the caller's key; the target can carry the key", async () => {
    const s = await serve({ keyPair: serverKeys });
    const key = encodeURIComponent(encodeKey(serverKeys.publicKey));
    const c = createClient(P, `lupine://127.0.0.1:${s.port}?key=${key}`, {
      lupine: { keyPair: clientKeys },
    });
    closers.push(() => c.$close());
    assert.equal(await c.whoami(), `true noise ${encodeKey(clientKeys.publicKey)}`);
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xff);
    const out = await Promise.all([
      c.echo(big),
      ...Array.from({ length: 100 }, (_, i) => c.echo(Uint8Array.of(i))),
    ]);
    assert.equal(Buffer.compare(out[0]!, big), 0);
    // options instead of the query parameter
    const d = createClient(P, `lupine://127.0.0.1:${s.port}`, {
      lupine: { serverKey: encodeKey(serverKeys.publicKey) },
    });
    closers.push(() => d.$close());
    assert.match(await d.whoami(), /^true noise /);
  });

  test("a wrong pinned key: unauthenticated, naming the key; nothing runs", async () => {
    const s = await serve({ keyPair: serverKeys });
    const before = executed;
    const c = createClient(P, `lupine://127.0.0.1:${s.port}`, {
      lupine: { serverKey: encodeKey(strangerKeys.publicKey) },
    });
    closers.push(() => c.$close());
    await assert.rejects(c.whoami({ timeoutMs: 800 }), (e) => {
      assert.ok(isRpcError(e) && e.code === "unauthenticated", String(e));
      assert.match(
        e.message,
        new RegExp(
          `did not prove it holds key ${encodeKey(strangerKeys.publicKey).replace(/[+/]/g, "\\$&")}`,
        ),
      );
      return true;
    });
    assert.equal(executed, before);
  });

  test("a client not on the allow-list is refused at once; one on it is served", async () => {
    const s = await serve({ keyPair: serverKeys, allowList: [encodeKey(clientKeys.publicKey)] });
    const before = executed;
    const stranger = createClient(P, `lupine://127.0.0.1:${s.port}`, {
      lupine: { serverKey: encodeKey(serverKeys.publicKey), keyPair: strangerKeys },
    });
    closers.push(() => stranger.$close());
    const t0 = performance.now();
    await assert.rejects(stranger.whoami({ timeoutMs: 5000 }), (e) => {
      assert.ok(isRpcError(e) && e.code === "unauthenticated", String(e));
      assert.match(e.message, /refused this client's key \(not on its allow-list\)/);
      return true;
    });
    assert.ok(performance.now() - t0 < 2000, "refused, not timed out");
    assert.equal(executed, before);
    const friend = createClient(P, `lupine://127.0.0.1:${s.port}`, {
      lupine: { serverKey: encodeKey(serverKeys.publicKey), keyPair: clientKeys },
    });
    closers.push(() => friend.$close());
    assert.match(await friend.whoami(), /^true noise /);
  });

  test("plain and secure do not mix: each side refuses the other", async () => {
    const secure = await serve({ keyPair: serverKeys });
    const before = executed;
    const plainClient = createClient(P, `lupine://127.0.0.1:${secure.port}`);
    closers.push(() => plainClient.$close());
    await assert.rejects(
      plainClient.whoami({ timeoutMs: 500 }),
      (e) => isRpcError(e) && e.code !== "unauthenticated",
    );
    const plain = await serve({});
    const secureClient = createClient(P, `lupine://127.0.0.1:${plain.port}`, {
      lupine: { serverKey: encodeKey(serverKeys.publicKey) },
    });
    closers.push(() => secureClient.$close());
    await assert.rejects(secureClient.whoami({ timeoutMs: 500 }), { code: "unauthenticated" });
    assert.equal(executed, before);
  });

  test("datagram sizes: the plain transport's per-address defaults, less the 32-byte seal", () => {
    const port = (maxDatagramSize: number) => ({ maxDatagramSize }) as DatagramPort;
    const to = (address: string, family: "IPv4" | "IPv6" = "IPv4"): Endpoint => ({
      address,
      port: 9,
      family,
    });
    assert.equal(innerDatagramBytes(port(65_507), undefined, to("127.0.0.1")), 65_475);
    assert.equal(innerDatagramBytes(port(65_507), undefined, to("::1", "IPv6")), 65_456);
    assert.equal(innerDatagramBytes(port(65_507), undefined, to("192.0.2.1")), 1440);
    assert.equal(innerDatagramBytes(port(65_507), undefined, to("2001:db8::1", "IPv6")), 1420);
    assert.equal(innerDatagramBytes(port(65_507), 1472, to("127.0.0.1")), 1440);
    assert.equal(innerDatagramBytes(port(1472), undefined, to("127.0.0.1")), 1440);
  });

  test("over loopback both sides seal datagrams as large as the plain transport's, within UDP's limit", async () => {
    const table = new ProgramTable({ logger: collectingLogger().logger });
    table.register(P, handlers);
    const sizes = { client: 0, server: 0 };
    const record = (udp: DatagramPort, side: "client" | "server") => {
      const send = udp.send.bind(udp);
      udp.send = (data, to) => {
        const n = data instanceof Uint8Array ? data.length : data.reduce((a, b) => a + b.length, 0);
        sizes[side] = Math.max(sizes[side], n);
        send(data, to);
      };
    };
    const serverUdp = await openUdp({ host: "127.0.0.1", port: 0 });
    record(serverUdp, "server");
    const server = createSecureLupineServer({
      ...serverBasics,
      port: serverUdp,
    });
    const at = await server.listen(table);
    closers.push(() => server.close(0));
    const clientUdp = await openUdp({ family: 4 });
    record(clientUdp, "client");
    const transport = createSecureLupineClient({
      port: clientUdp,
      server: { address: "127.0.0.1", port: at.port, family: "IPv4" },
      clock: nodeClock,
      random: nodeRandom,
      crc: nodeCrc32,
      suite,
      staticKeyPair: clientKeys,
      serverPublicKey: serverKeys.publicKey,
      wallClockMs: () => Date.now(),
    });
    const c = createClient(P, transport, { ownsTransport: true });
    closers.push(() => c.$close());
    const arg = Uint8Array.from({ length: 30_000 }, (_, k) => k & 0xff);
    assert.deepEqual(await c.echo(arg), arg);
    assert.ok(sizes.client > 1472 && sizes.client <= 65_507, JSON.stringify(sizes));
    assert.ok(sizes.server > 1472 && sizes.server <= 65_507, JSON.stringify(sizes));
  });

  test("a proxy that tampers, truncates, replays, reorders and forges: every bogus datagram rejected and counted, both ways; every call runs once", async () => {
    const table = new ProgramTable({ logger: collectingLogger().logger });
    table.register(P, handlers);
    const serverUdp = await openUdp({ host: "127.0.0.1", port: 0 });
    // Ethernet-sized datagrams (loopback's default would pack the 400 calls into a few dozen
    // datagrams, too few to mangle a representative sample of).
    const server = createSecureLupineServer({
      ...serverBasics,
      port: serverUdp,
      maxDatagramBytes: 1472,
    });
    const at = await server.listen(table);
    closers.push(() => server.close(0));

    // The proxy: client <-> [proxy | upstream] <-> server; it mangles data packets (type 4).
    const random = seededRandom(0xbad5eed);
    const int = (n: number) => random.nextU32() % n;
    const injected = { toServer: 0, toClient: 0 };
    let hints = 0;
    const proxy = dgram.createSocket("udp4");
    const upstream = dgram.createSocket("udp4");
    // The proxy holds datagrams on 2 ms timers; once closed, a late timer must not send (a send
    // on a closed dgram socket throws ERR_SOCKET_DGRAM_NOT_RUNNING from the timer).
    let proxyClosed = false;
    /** Once the calls are done the proxy only forwards, so the injected counts stay put. */
    let quiet = false;
    const held: { d: Buffer; send: (d: Buffer) => void }[] = [];
    const closeProxy = () => {
      if (proxyClosed) return;
      proxyClosed = true;
      held.length = 0;
      proxy.close();
      upstream.close();
    };
    closers.push(async () => closeProxy());
    await new Promise<void>((r) => proxy.bind(0, "127.0.0.1", r));
    await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", r));
    let client: { port: number; address: string } | undefined;
    const release = () => {
      for (const h of held.splice(0)) if (!proxyClosed) h.send(h.d);
    };
    const mangle = (d: Buffer, send: (d: Buffer) => void, dir: "toServer" | "toClient") => {
      if (proxyClosed) return;
      if (d[0] === 5) hints++;
      if (quiet || d[0] !== 4) return send(d);
      const r = int(100);
      if (r < 8) {
        const copy = Buffer.from(d);
        const bit = int(copy.length * 8);
        copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7));
        send(copy);
        injected[dir]++;
      } else if (r < 16) {
        send(d.subarray(0, int(d.length)));
        injected[dir]++;
      } else if (r < 24) {
        send(d);
        held.push({ d: Buffer.from(d), send }); // a replay, sent after the next datagram
        injected[dir]++;
        setTimeout(release, 2);
        return;
      } else if (r < 32) {
        held.push({ d, send }); // reordered: sent after the next datagram (legitimate)
        setTimeout(release, 2);
        return;
      } else if (r < 36) {
        const forged = Buffer.from(nodeRandom.bytes(32 + int(200)));
        forged.writeUInt32BE(0x04000000, 0);
        send(forged);
        injected[dir]++;
      }
      send(d);
      release();
    };
    proxy.on("message", (d, rinfo) => {
      client = { port: rinfo.port, address: rinfo.address };
      mangle(d, (x) => upstream.send(x, at.port, "127.0.0.1"), "toServer");
    });
    upstream.on("message", (d) => {
      if (client !== undefined)
        mangle(d, (x) => proxy.send(x, client!.port, client!.address), "toClient");
    });

    const clientUdp = await openUdp({ family: 4 });
    const transport = createSecureLupineClient({
      port: clientUdp,
      server: {
        address: "127.0.0.1",
        port: (proxy.address() as { port: number }).port,
        family: "IPv4",
      },
      clock: nodeClock,
      random: nodeRandom,
      crc: nodeCrc32,
      suite,
      staticKeyPair: clientKeys,
      serverPublicKey: serverKeys.publicKey,
      wallClockMs: () => Date.now(),
      maxDatagramBytes: 1472,
    });
    const c = createClient(P, transport, { ownsTransport: true });
    closers.push(() => c.$close());
    const before = executed;
    const calls = 400;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < calls) {
          const i = next++;
          const arg = Uint8Array.from({ length: 1 + (i % 64) * 40 }, (_, k) => (i + k) & 0xff);
          const out = await c.echo(arg, { timeoutMs: 20_000 });
          assert.equal(Buffer.compare(out, arg), 0, `call ${i}`);
        }
      }),
    );
    assert.equal(executed - before, calls, "each call ran exactly once");
    const serverStats = server.securePort.responder.stats;
    const clientStats = (
      transport as unknown as { port: { initiator: { stats: typeof serverStats } } }
    ).port.initiator.stats;
    // The last call's reply can overtake bogus datagrams still held by the proxy (replays and
    // reorderings wait for the next datagram or 2 ms) or still in a socket buffer: release them,
    // then wait (bounded) until each side has seen as many drops as the proxy injected.
    quiet = true;
    release();
    const deadline = performance.now() + 3000;
    while (
      performance.now() < deadline &&
      (totalDropped(serverStats) < injected.toServer ||
        totalDropped(clientStats) < injected.toClient + hints)
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // A datagram the kernel dropped for a full receive buffer (a receiver descheduled on a
    // loaded machine) never reached the transport: with none, the counts must match exactly.
    const kernelDrops = {
      server: udpKernelDrops(at.port),
      client: udpKernelDrops(clientUdp.local.port),
    };
    closeProxy();
    assert.ok(injected.toServer > 50 && injected.toClient > 50, JSON.stringify(injected));
    const detail = (stats: typeof serverStats) =>
      JSON.stringify({ dropped: stats.dropped, injected, hints, kernelDrops });
    assert.ok(
      totalDropped(serverStats) <= injected.toServer &&
        totalDropped(serverStats) >= injected.toServer - kernelDrops.server,
      detail(serverStats),
    );
    // A tampered receiver index may draw a "session unknown" hint naming an index the client
    // never had: the client drops that too.
    const toClient = injected.toClient + hints;
    assert.ok(
      totalDropped(clientStats) <= toClient &&
        totalDropped(clientStats) >= toClient - kernelDrops.client,
      detail(clientStats),
    );
  });

  test("spoofed sources: the secure Lupine server sends no address more than 3x what it received from it, and runs nothing", async () => {
    const table = new ProgramTable({ logger: collectingLogger().logger });
    table.register(P, handlers);
    const port = new FakePort({ address: "192.0.2.1", port: 7000, family: "IPv4" }, 1472);
    const server = createSecureLupineServer({
      ...serverBasics,
      port,
      admission: { unprovenHandshakesPerSecond: 20 },
    });
    await server.listen(table);
    const random = seededRandom(77);
    const before = executed;
    const received = new Map<string, number>();
    // Genuine initiations (valid mac1: the server does its DH work), data packets for unknown
    // sessions, and noise, "from" 64 victims.
    const initiators = Array.from(
      { length: 8 },
      () =>
        new SecureInitiator({
          suite,
          staticKeyPair: x25519.generateKeyPair(nodeRandom),
          serverPublicKey: serverKeys.publicKey,
          random: nodeRandom,
        }),
    );
    for (let i = 0; i < 2000; i++) {
      const pick = random.nextU32() % 3;
      const d =
        pick === 0
          ? initiators[i % 8]!.initiate(0, 1_700_000_000_000 + i)
          : pick === 1
            ? Uint8Array.from([4, 0, 0, 0, ...random.bytes(60)])
            : random.bytes(random.nextU32() % 300);
      const from: Endpoint = {
        address: `198.51.100.${random.nextU32() % 64}`,
        port: 4000,
        family: "IPv4",
      };
      received.set(from.address, (received.get(from.address) ?? 0) + d.length);
      port.deliver(d, from);
    }
    await new Promise((r) => setTimeout(r, 20));
    const sent = new Map<string, number>();
    for (const x of port.sent)
      sent.set(x.to.address, (sent.get(x.to.address) ?? 0) + x.data.length);
    assert.ok(port.sent.length > 0, "some handshakes were answered");
    for (const [address, bytes] of sent) {
      assert.ok(
        bytes <= 3 * received.get(address)!,
        `${address}: ${bytes} for ${received.get(address)}`,
      );
    }
    assert.equal(executed, before);
    // nothing reached the reliable layer: no session, no datagram, no call
    assert.equal(server.stats().datagramsReceived, 0);
    assert.equal(server.stats().callsStarted, 0);
    await server.close(0);
  });
});
