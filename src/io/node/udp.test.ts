import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { rmemMax } from "../../../test/helpers/kernel-buffers.js";
import type { Endpoint } from "../datagram.js";
import { bufferShortfall, openUdp, resolve, type UdpSocket } from "./udp.js";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** Every socket a test opens, closed at the end even when the test fails. */
const opened: UdpSocket[] = [];
after(() => {
  for (const s of opened) s.close();
});

async function open(options: Parameters<typeof openUdp>[0] = {}): Promise<UdpSocket> {
  const s = await openUdp({ host: "127.0.0.1", ...options });
  opened.push(s);
  return s;
}

/** Polls `predicate` every 5 ms; fails after `timeoutMs`. */
async function until(predicate: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with the next datagram from an iterator, or fails after `timeoutMs`. */
async function nextWithin(
  it: AsyncIterator<{ data: Uint8Array; from: Endpoint }>,
  timeoutMs = 2000,
) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no datagram in time")), timeoutMs);
  });
  try {
    return await Promise.race([it.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this machine can bind ::1. */
async function ipv6Loopback(): Promise<boolean> {
  try {
    (await openUdp({ host: "::1" })).close();
    return true;
  } catch {
    return false;
  }
}

describe("openUdp", () => {
  test("binds an ephemeral port on the requested address", async () => {
    const s = await open();
    assert.equal(s.local.address, "127.0.0.1");
    assert.equal(s.local.family, "IPv4");
    assert.ok(s.local.port > 0);
    assert.equal(s.maxDatagramSize, 65507);
  });

  test("rejects an address it cannot bind", async () => {
    const a = await open();
    await assert.rejects(openUdp({ host: "127.0.0.1", port: a.local.port }), /EADDRINUSE/);
    await assert.rejects(openUdp({ host: "192.0.2.1" }), /EADDRNOTAVAIL/);
  });
});

describe("send and receive", () => {
  test("onMessage receives what send sent, with the sender's endpoint; gathers buffers", async () => {
    const a = await open();
    const b = await open();
    const got: [string, Endpoint][] = [];
    b.onMessage((data, from) => got.push([text(data), from]));
    a.send(bytes("hello"), b.local);
    a.send([bytes("hel"), bytes("lo "), bytes("again")], b.local);
    await until(() => got.length === 2, "two datagrams");
    assert.deepEqual(got.map(([t]) => t).sort(), ["hello", "hello again"]);
    assert.deepEqual(got[0]![1], a.local);
    assert.equal(a.stats.sent, 2);
    assert.equal(b.stats.received, 2);
  });

  test("each datagram handed on is memory of its own, as receivedDatagramsOwned says", async () => {
    const a = await open();
    const b = await open();
    assert.equal(b.receivedDatagramsOwned, true);
    const got: Uint8Array[] = [];
    b.onMessage((data) => got.push(data));
    for (const n of [10, 1000, 65_000, 3]) a.send(new Uint8Array(n).fill(n & 0xff), b.local);
    await until(() => got.length === 4, "four datagrams");
    for (const d of got) {
      assert.equal(d.byteOffset, 0);
      assert.equal(d.buffer.byteLength, d.length, "a datagram shares its buffer");
    }
    assert.equal(new Set(got.map((d) => d.buffer)).size, 4);
    // Later datagrams leave the kept ones untouched.
    const kept = got.map((d) => [d.length, d[0]]);
    for (let i = 0; i < 20; i++) a.send(new Uint8Array(1000).fill(0xee), b.local);
    await until(() => got.length === 24, "twenty more");
    assert.deepEqual(
      got.slice(0, 4).map((d) => [d.length, d[0]]),
      kept,
    );
  });

  test("sendAsync resolves once sent, and rejects on a closed socket", async () => {
    const a = await open();
    const b = await open();
    const it = b[Symbol.asyncIterator]();
    await a.sendAsync(bytes("x"), b.local);
    assert.equal(text((await nextWithin(it)).value!.data), "x");
    a.close();
    await assert.rejects(a.sendAsync(bytes("y"), b.local), /closed/);
  });

  test("after close, nothing throws (dgram would: ERR_SOCKET_DGRAM_NOT_RUNNING)", async () => {
    const a = await open();
    const b = await open();
    let failures = 0;
    a.onError(() => failures++);
    a.close();
    a.send(bytes("late"), b.local);
    a.send([bytes("late"), bytes("r")], b.local);
    a.setKeepAlive(true);
    a.close();
    await assert.rejects(a.connect(b.local), /socket is closed/);
    await assert.rejects(a.sendAsync(bytes("late"), b.local), /socket is closed/);
    assert.equal(failures, 0, "a send after close is dropped silently, like a lost datagram");
  });

  test("a datagram over maxDatagramSize is refused on send and dropped on receive", async () => {
    const small = await open({ maxDatagramSize: 8 });
    const big = await open();
    const failures: Error[] = [];
    small.onError((f) => failures.push(f.error));
    small.send(new Uint8Array(9), big.local);
    assert.equal(small.stats.sendErrors, 1);
    assert.equal(small.stats.sent, 0);
    assert.match(failures[0]?.message ?? "", /9 bytes is too big/);
    const got: number[] = [];
    small.onMessage((d) => got.push(d.length));
    big.send(new Uint8Array(9), small.local);
    big.send(new Uint8Array(8), small.local);
    await until(() => got.length === 1 && small.stats.droppedTooBig === 1, "the small datagram");
    assert.deepEqual(got, [8]);
  });

  test("IPv6 loopback (::1), where available", async (t) => {
    if (!(await ipv6Loopback())) {
      t.skip("::1 cannot be bound on this machine");
      return;
    }
    const a = await open({ host: "::1" });
    const b = await open({ host: "::1" });
    assert.equal(a.local.family, "IPv6");
    const it = b[Symbol.asyncIterator]();
    a.send(bytes("v6"), b.local);
    const { value } = await nextWithin(it);
    assert.equal(text(value!.data), "v6");
    assert.deepEqual(value!.from, { address: "::1", port: a.local.port, family: "IPv6" });
  });
});

describe("async iteration", () => {
  test("yields datagrams in arrival order with their senders", async () => {
    const a = await open();
    const b = await open();
    for (let i = 0; i < 5; i++) a.send(bytes(`m${i}`), b.local);
    const seen: string[] = [];
    for await (const { data, from } of b) {
      assert.equal(from.port, a.local.port);
      seen.push(text(data));
      if (seen.length === 5) break;
    }
    assert.deepEqual(seen, ["m0", "m1", "m2", "m3", "m4"]);
  });

  test("the queue is bounded: overflow is dropped and counted, the rest still delivered", async () => {
    const a = await open();
    const b = await open({ queueLimit: 4 });
    for (let i = 0; i < 10; i++) a.send(bytes(`d${i}`), b.local);
    await until(() => b.stats.received === 10, "ten datagrams");
    assert.equal(b.stats.droppedQueueFull, 6);
    const it = b[Symbol.asyncIterator]();
    const kept: string[] = [];
    for (let i = 0; i < 4; i++) kept.push(text((await nextWithin(it)).value!.data));
    assert.deepEqual(kept, ["d0", "d1", "d2", "d3"]);
    // Room again: the next datagram is queued, not dropped.
    a.send(bytes("later"), b.local);
    assert.equal(text((await nextWithin(it)).value!.data), "later");
    assert.equal(b.stats.droppedQueueFull, 6);
  });

  test("close() ends a pending iteration; queued datagrams are still delivered first", async () => {
    const a = await open();
    const b = await open();
    const pending = b[Symbol.asyncIterator]().next();
    b.close();
    assert.deepEqual(await pending, { value: undefined, done: true });

    const c = await open();
    a.send(bytes("queued"), c.local);
    await until(() => c.stats.received === 1, "one datagram");
    c.close();
    const it = c[Symbol.asyncIterator]();
    assert.equal(text((await it.next()).value!.data), "queued");
    assert.equal((await it.next()).done, true);
    c.send(bytes("after close"), a.local); // a no-op, not an exception
    assert.equal(c.stats.sent, 0);
  });

  test("leaving a for-await loop closes the socket", async () => {
    const a = await open();
    const b = await open();
    a.send(bytes("one"), b.local);
    for await (const _ of b) break;
    await assert.rejects(b.sendAsync(bytes("x"), a.local), /closed/);
  });

  test("with onMessage set, datagrams go to the handler, not the queue", async () => {
    const a = await open();
    const b = await open({ queueLimit: 1 });
    let handled = 0;
    b.onMessage(() => handled++);
    for (let i = 0; i < 3; i++) a.send(bytes("h"), b.local);
    await until(() => handled === 3, "three datagrams");
    assert.equal(b.stats.droppedQueueFull, 0);
  });
});

describe("resolve", () => {
  test("address literals, without a lookup", async () => {
    assert.deepEqual(await resolve("127.0.0.1", 7), [
      { address: "127.0.0.1", port: 7, family: "IPv4" },
    ]);
    assert.deepEqual(await resolve("::1", 7), [{ address: "::1", port: 7, family: "IPv6" }]);
  });

  test("a name: localhost resolves to loopback addresses", async () => {
    const found = await resolve("localhost", 9);
    assert.ok(found.length >= 1);
    for (const e of found) {
      assert.equal(e.port, 9);
      assert.ok(
        (e.family === "IPv4" && e.address.startsWith("127.")) ||
          (e.family === "IPv6" && e.address === "::1"),
        JSON.stringify(e),
      );
    }
    const v4 = await resolve("localhost", 9, 4);
    assert.ok(v4.length >= 1 && v4.every((e) => e.family === "IPv4"));
  });

  test("a name that does not exist is an error", async () => {
    await assert.rejects(
      resolve("no-such-host.invalid", 1),
      /ENOTFOUND|EAI_AGAIN|EAI_FAIL|ESERVFAIL/,
    );
  });
});

describe("kernel buffers", () => {
  const cap = rmemMax();
  test("a receive buffer asked beyond net.core.rmem_max is reported short", {
    skip: typeof cap === "string" ? cap : false,
  }, async () => {
    const max = cap as number;
    const big = await open({ recvBufferSize: 4 * max });
    assert.ok(big.bufferBytes().receive < 4 * max, `${big.bufferBytes().receive} bytes`);
    assert.deepEqual(
      bufferShortfall(big, { receive: 4 * max }).map((s) => s.side),
      ["receive"],
    );
    // Within the cap the kernel grants it (Linux reports twice the grant).
    const fits = await open({ recvBufferSize: Math.floor(max / 2) });
    assert.ok(fits.bufferBytes().receive >= Math.floor(max / 2));
    assert.deepEqual(bufferShortfall(fits, { receive: Math.floor(max / 2) }), []);
    // Between the cap and twice it: granted the cap, reported twice the cap, still short.
    const between = await open({ recvBufferSize: Math.floor(1.5 * max) });
    assert.deepEqual(bufferShortfall(between, { receive: Math.floor(1.5 * max) }), [
      { side: "receive", asked: Math.floor(1.5 * max), granted: max },
    ]);
  });
});
