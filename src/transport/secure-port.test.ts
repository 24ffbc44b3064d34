import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Clock, TimerHandle } from "../io/clock.js";
import type { DatagramPort, Endpoint, SendFailure } from "../io/datagram.js";
import { nodeClock } from "../io/node/clock.js";
import { createNodeRandom } from "../io/node/random.js";
import { openUdp } from "../io/node/udp.js";
import type { Random } from "../io/random.js";
import { createAllowList } from "../secure/allow-list.js";
import { suite25519ChaChaPolyBlake2s as suite } from "../secure/node-crypto.js";
import { SecureClientPort, SecureServerPort, SecureTransportError } from "./secure-port.js";

/** A manual clock: time moves only when the test says so. */
class ManualClock implements Clock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ at: this.t + delayMs, fn, id });
    return id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((x) => x.id !== (handle as unknown as number));
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** Two in-memory ports; datagrams are delivered when `flush()` runs, or dropped by `drop`. */
function memoryNetwork() {
  const ports = new Map<string, { deliver: (d: Uint8Array, from: Endpoint) => void }>();
  const inFlight: { to: Endpoint; from: Endpoint; data: Uint8Array }[] = [];
  let drop = (_d: Uint8Array) => false;
  const key = (e: Endpoint) => `${e.address}:${e.port}`;
  function port(address: string, portNumber: number): DatagramPort {
    const local: Endpoint = { address, port: portNumber, family: "IPv4" };
    let handler = (_d: Uint8Array, _f: Endpoint) => {};
    ports.set(key(local), { deliver: (d, f) => handler(d, f) });
    return {
      local,
      maxDatagramSize: 1472,
      send(data, to) {
        const bytes =
          data instanceof Uint8Array ? data : Uint8Array.from(data.flatMap((b) => [...b]));
        inFlight.push({ to, from: local, data: Uint8Array.from(bytes) });
      },
      onMessage(h) {
        handler = h;
      },
      onError(_h: (f: SendFailure) => void) {},
      close() {},
    };
  }
  return {
    port,
    setDrop(f: (d: Uint8Array) => boolean) {
      drop = f;
    },
    flush() {
      while (inFlight.length > 0) {
        const d = inFlight.shift()!;
        if (!drop(d.data)) ports.get(key(d.to))?.deliver(d.data, d.from);
      }
    },
  };
}

function seeded(seed: number): Random {
  let a = seed;
  const nextU32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextU32,
    next: () => nextU32() / 2 ** 32,
    bytes: (n) => Uint8Array.from({ length: n }, () => nextU32() & 255),
  };
}

function setup(options: { allow?: boolean } = {}) {
  const clock = new ManualClock();
  const net = memoryNetwork();
  const random = seeded(3);
  const serverKeys = suite.dh.generateKeyPair(random);
  const clientKeys = suite.dh.generateKeyPair(random);
  const server = new SecureServerPort({
    port: net.port("10.0.0.1", 9000),
    clock,
    suite,
    staticKeyPair: serverKeys,
    random,
    ...(options.allow === false ? { authorize: createAllowList([]).has } : {}),
  });
  const client = new SecureClientPort({
    port: net.port("10.0.0.2", 40000),
    server: server.local,
    clock,
    random,
    wallClockMs: () => 1.75e12 + clock.now(),
    suite,
    staticKeyPair: clientKeys,
    serverPublicKey: serverKeys.publicKey,
  });
  return { clock, net, server, client, clientKeys };
}

describe("secure ports (DatagramPort decorators)", () => {
  test("queued sends go out after the handshake; echo; the server knows the caller", () => {
    const { net, server, client, clientKeys } = setup();
    const got: string[] = [];
    server.onMessage((data, from) => {
      assert.deepEqual(server.peerOf(from)?.publicKey, clientKeys.publicKey);
      server.send(data, from);
    });
    client.onMessage((data) => got.push(new TextDecoder().decode(data)));
    client.send(new TextEncoder().encode("one"), server.local);
    client.send(new TextEncoder().encode("two"), server.local);
    net.flush();
    assert.deepEqual(got, ["one", "two"]);
    assert.equal(client.maxDatagramSize, 1472 - 32);
  });

  test("lost handshakes are retried every rekeyTimeoutMs; after 90 s the client reports no proof", () => {
    const { clock, net, server, client } = setup();
    net.setDrop(() => true);
    const errors: SendFailure[] = [];
    client.onError((f) => errors.push(f));
    client.send(Uint8Array.of(1), server.local);
    net.flush();
    clock.advance(89_000);
    net.flush();
    assert.equal(errors.length, 0);
    assert.ok(client.initiator.stats.handshakes === 0);
    clock.advance(6_000);
    assert.equal(errors.length, 1);
    assert.ok(errors[0]!.error instanceof SecureTransportError);
    assert.match(
      errors[0]!.error.message,
      /did not prove it holds key .*; 1 datagram\(s\) not sent/,
    );
    // The network heals: the next send starts over and succeeds.
    net.setDrop(() => false);
    let echoed = 0;
    server.onMessage((d, from) => server.send(d, from));
    client.onMessage(() => echoed++);
    client.send(Uint8Array.of(2), server.local);
    net.flush();
    assert.equal(echoed, 1);
  });

  test("a client not on the allow-list gets a clear error, not a timeout", () => {
    const { net, server, client } = setup({ allow: false });
    const errors: Error[] = [];
    client.onError((f) => errors.push(f.error));
    client.send(Uint8Array.of(1), server.local);
    net.flush();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /refused this client's key \(not on its allow-list\)/);
  });

  test("over real loopback UDP", async () => {
    const random = createNodeRandom();
    const serverKeys = suite.dh.generateKeyPair(random);
    const server = new SecureServerPort({
      port: await openUdp({ host: "127.0.0.1" }),
      clock: nodeClock,
      suite,
      staticKeyPair: serverKeys,
      random,
    });
    const client = new SecureClientPort({
      port: await openUdp({ host: "127.0.0.1" }),
      server: server.local,
      clock: nodeClock,
      random,
      wallClockMs: Date.now,
      suite,
      staticKeyPair: suite.dh.generateKeyPair(random),
      serverPublicKey: serverKeys.publicKey,
    });
    try {
      server.onMessage((d, from) => server.send(d, from));
      const replies: number[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error("no echo within 5 s")), 5000);
        client.onMessage((d) => {
          replies.push(d[0]!);
          if (replies.length === 20) {
            clearTimeout(timeout);
            resolve();
          }
        });
      });
      for (let i = 0; i < 20; i++)
        client.send(Uint8Array.of(i, ...new Uint8Array(99)), server.local);
      await done;
      assert.deepEqual(
        [...replies].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i),
      );
    } finally {
      client.close();
      server.close();
    }
  });

  test("after close nothing throws: sends, late handshake retries, late datagrams", async () => {
    const random = createNodeRandom();
    const serverKeys = suite.dh.generateKeyPair(random);
    const serverUdp = await openUdp({ host: "127.0.0.1" });
    const server = new SecureServerPort({
      port: serverUdp,
      clock: nodeClock,
      suite,
      staticKeyPair: serverKeys,
      random,
      sweepIntervalMs: 5,
    });
    const clientUdp = await openUdp({ host: "127.0.0.1" });
    const client = new SecureClientPort({
      port: clientUdp,
      server: server.local,
      clock: nodeClock,
      random,
      wallClockMs: Date.now,
      suite,
      staticKeyPair: suite.dh.generateKeyPair(random),
      serverPublicKey: serverKeys.publicKey,
      limits: { rekeyTimeoutMs: 5 },
    });
    const errors: Error[] = [];
    client.onError((f) => errors.push(f.error));
    server.close(); // the client's initiation goes unanswered: its retry timer is armed
    client.send(Uint8Array.of(1), server.local);
    client.close();
    client.send(Uint8Array.of(2), server.local);
    server.send(Uint8Array.of(3), client.local);
    client.close();
    server.close();
    // Timers that were armed (retry, sweep) fire into closed ports: an uncaught
    // ERR_SOCKET_DGRAM_NOT_RUNNING here would fail this test.
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(errors, []);
  });
});
