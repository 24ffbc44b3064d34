/**
 * Streaming requests (docs/protocol.md §5.1) on the simulated network: a procedure the dispatcher
 * `streams` is handed its call once the request's first bytes are in, and reads the rest as it
 * arrives; the endpoint holds at most its stream window beyond what the handler has read. Every
 * test checks the handler saw the bytes sent (SHA-256), ran once, and the caller's result.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { STREAM_CHUNK_BYTES } from "../../src/reliable/reassembler.js";
import type { Dispatcher, IncomingCall } from "../../src/runtime/transport.js";
import type { LinkConfig } from "../../src/testing/sim-network.js";
import { createSimPair, type SimPair } from "../../src/testing/sim-pair.js";
import type { LupineServerOptions } from "../../src/transport/lupine-server.js";

const PROG = 0x2000_5354;
const VERS = 1;
const PUT = 1;

/** What one run of the handler saw. */
interface Run {
  streamed: boolean;
  bytes: number;
  digest: string;
  /** The server's reassembly bytes, at most, while the handler read. */
  maxHeldBytes: number;
  error: string | undefined;
}

interface Behaviour {
  /** Wait this long (simulated) after each chunk read. */
  readonly readDelayMs?: number;
  /** Read this many bytes, then return without reading the rest. */
  readonly stopAfterBytes?: number;
}

function bytesOf(seed: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A pair whose server streams procedure PUT into a handler that hashes what it reads. */
function streamingPair(
  seed: number,
  link: Partial<LinkConfig>,
  behaviour: Behaviour = {},
  server: Partial<Omit<LupineServerOptions, "port" | "clock" | "random" | "crc">> = {},
): { pair: SimPair; runs: Run[] } {
  const runs: Run[] = [];
  let pair: SimPair | undefined;
  const sleep = (ms: number) => new Promise<void>((r) => pair!.net.clock.setTimeout(r, ms));
  const handle = async (call: IncomingCall, run: Run): Promise<void> => {
    const h = createHash("sha256");
    const length = call.args.readUint();
    const first = call.args.bytes.subarray(call.args.pos, call.args.end);
    let chunks: AsyncIterable<Uint8Array> = (async function* () {
      yield first;
    })();
    if (call.body !== undefined) {
      const body = call.body;
      assert.equal(body.totalBytes, 4 + length + ((4 - (length & 3)) & 3));
      chunks = (async function* () {
        yield first;
        yield* body;
      })();
    }
    let seen = 0;
    for await (const c of chunks) {
      const take = c.subarray(0, Math.max(0, Math.min(c.length, length - seen)));
      h.update(take);
      seen += c.length;
      run.bytes = Math.min(seen, length);
      run.maxHeldBytes = Math.max(run.maxHeldBytes, pair!.server.stats().reassemblyBytes);
      if (behaviour.stopAfterBytes !== undefined && seen >= behaviour.stopAfterBytes) break;
      if (behaviour.readDelayMs !== undefined) await sleep(behaviour.readDelayMs);
    }
    run.digest = h.digest("hex");
  };
  const dispatcher: Dispatcher = {
    streams: (p, v, proc) => p === PROG && v === VERS && proc === PUT,
    async dispatch(call) {
      const run: Run = {
        streamed: call.body !== undefined,
        bytes: 0,
        digest: "",
        maxHeldBytes: 0,
        error: undefined,
      };
      runs.push(run);
      try {
        await handle(call, run);
      } catch (e) {
        run.error = (e as { code?: string }).code ?? String(e);
        throw e;
      }
      return {
        status: "success",
        writeResult: (w) => {
          w.writeUint(run.bytes);
          w.writeString(run.digest);
        },
      };
    },
  };
  pair = createSimPair({ seed, link, server, dispatcher: () => dispatcher });
  return { pair, runs };
}

/** Calls PUT with `data`; settles with the result or the error's code. */
async function put(
  pair: SimPair,
  data: Uint8Array,
  timeoutMs: number,
): Promise<{ bytes: number; digest: string } | string> {
  let outcome: { bytes: number; digest: string } | string | undefined;
  pair.client
    .call({
      program: PROG,
      version: VERS,
      procedure: PUT,
      procedureName: "PUT",
      writeArgs: (w) => w.writeVarOpaque(data),
      readResult: (r) => ({ bytes: r.readUint(), digest: r.readString() }),
      timeoutMs,
    })
    .then(
      (v) => {
        outcome = v;
      },
      (e: { code?: string }) => {
        outcome = e.code ?? String(e);
      },
    );
  await pair.net.clock.run({ done: () => outcome !== undefined, untilMs: timeoutMs * 2 });
  assert.notEqual(outcome, undefined, "the call never settled");
  return outcome!;
}

test("a 4 MiB argument streams to its handler on a clean link: the bytes sent, one run", async () => {
  const { pair, runs } = streamingPair(1, { latencyMs: 1 });
  const data = bytesOf(1, 4 * 1024 * 1024 + 3);
  const r = await put(pair, data, 60_000);
  assert.deepEqual(r, { bytes: data.length, digest: sha256(data) });
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.streamed, true);
  assert.equal(pair.server.stats().reassemblyBytes, 0);
});

test("lost, duplicated and reordered fragments: the handler still reads the bytes in order, once", async () => {
  for (const seed of [2, 3, 4]) {
    const { pair, runs } = streamingPair(seed, {
      latencyMs: 5,
      jitterMs: 3,
      loss: 0.05,
      duplicate: 0.05,
      reorder: 0.1,
    });
    const data = bytesOf(seed, 2 * 1024 * 1024 + 1);
    const r = await put(pair, data, 120_000);
    assert.deepEqual(r, { bytes: data.length, digest: sha256(data) }, `seed ${seed}`);
    assert.equal(runs.length, 1, `seed ${seed}: ${runs.length} runs`);
    assert.equal(runs[0]!.streamed, true);
  }
});

test("a slow reader: the server holds at most its stream window beyond what was read", async () => {
  const windowBytes = 256 * 1024;
  const { pair, runs } = streamingPair(
    5,
    { latencyMs: 2, bandwidthBytesPerMs: 50_000 },
    { readDelayMs: 2 },
    { streamWindowBytes: windowBytes },
  );
  const data = bytesOf(5, 3 * 1024 * 1024);
  const r = await put(pair, data, 300_000);
  assert.deepEqual(r, { bytes: data.length, digest: sha256(data) });
  assert.equal(runs.length, 1);
  // The window, the chunk being filled, the fragments held apart and the ranges (a few KiB).
  assert.ok(
    runs[0]!.maxHeldBytes <= windowBytes + STREAM_CHUNK_BYTES + 64 * 1024,
    `held up to ${runs[0]!.maxHeldBytes} bytes with a window of ${windowBytes}`,
  );
  assert.ok(runs[0]!.maxHeldBytes > 0, "the reader never saw bytes held");
});

test("a handler that returns early: the reply waits for the whole request, the rest is dropped", async () => {
  const { pair, runs } = streamingPair(6, { latencyMs: 1 }, { stopAfterBytes: 100_000 });
  const data = bytesOf(6, 2 * 1024 * 1024);
  const r = await put(pair, data, 60_000);
  assert.equal(typeof r, "object", `outcome ${String(r)}`);
  const { bytes, digest } = r as { bytes: number; digest: string };
  assert.ok(bytes >= 100_000 && bytes < data.length, `read ${bytes}`);
  assert.equal(digest, sha256(data.subarray(0, bytes)));
  assert.equal(runs.length, 1);
  assert.equal(pair.server.stats().reassemblyBytes, 0);
  assert.equal(pair.server.stats().callsExecuting, 0);
});

/**
 * An 8 MiB argument over a 20 MB/s link (~420 ms) with a 150 ms deadline: the caller gives up
 * mid-stream. Returns the handler's runs once the abandonment has reached the server.
 */
async function abandonedMidStream(seed: number, behaviour: Behaviour) {
  const { pair, runs } = streamingPair(
    seed,
    { latencyMs: 2, bandwidthBytesPerMs: 20_000 },
    behaviour,
  );
  const data = bytesOf(seed, 8 * 1024 * 1024);
  assert.equal(await put(pair, data, 150), "timeout");
  await pair.net.clock.run({ untilMs: pair.net.clock.now() + 2_000 });
  assert.equal(runs.length, 1);
  // Nothing stays counted as executing or held.
  assert.equal(pair.server.stats().callsExecuting, 0);
  assert.equal(pair.server.stats().reassemblyBytes, 0);
  return { run: runs[0]!, sent: data.length };
}

test("the caller gives up mid-stream: the handler's read fails with canceled", async () => {
  const { run, sent } = await abandonedMidStream(7, { readDelayMs: 1 });
  assert.equal(run.error, "canceled");
  assert.ok(run.bytes > 0 && run.bytes < sent, `read ${run.bytes}`);
});

test("a handler that returned early, then the caller gives up: nothing stays counted as executing", async () => {
  const { run } = await abandonedMidStream(9, { stopAfterBytes: 10_000 });
  assert.equal(run.error, undefined);
});

test("the server restarts mid-stream: the caller gets outcome_unknown, never a second run, and a new call works", async () => {
  const { pair, runs } = streamingPair(10, { latencyMs: 2, bandwidthBytesPerMs: 20_000 });
  const data = bytesOf(10, 4 * 1024 * 1024); // ~210 ms at 20 MB/s
  pair.net.clock.setTimeout(() => pair.crashServer(), 50);
  pair.net.clock.setTimeout(() => pair.restartServer(), 60);
  const r = await put(pair, data, 30_000);
  assert.equal(r, "outcome_unknown");
  assert.equal(runs.length, 1, "the call ran again after the restart");
  assert.ok(runs[0]!.bytes > 0 && runs[0]!.bytes < data.length, `read ${runs[0]!.bytes}`);
  const again = await put(pair, data, 30_000);
  assert.deepEqual(again, { bytes: data.length, digest: sha256(data) });
  assert.equal(runs.length, 2);
});

test("a streaming request that stops arriving: the sweep abandons it after sessionIdleMs, then the session expires", async () => {
  const idleMs = 2_000;
  const { pair, runs } = streamingPair(
    11,
    { latencyMs: 2, bandwidthBytesPerMs: 20_000 },
    {},
    { sessionIdleMs: idleMs },
  );
  const data = bytesOf(11, 8 * 1024 * 1024); // ~420 ms at 20 MB/s
  const clock = pair.net.clock;
  void pair.client
    .call({
      program: PROG,
      version: VERS,
      procedure: PUT,
      procedureName: "PUT",
      writeArgs: (w) => w.writeVarOpaque(data),
      readResult: (r) => r.readUint(),
      timeoutMs: 600_000,
    })
    .catch(() => {});
  // Cut the client off mid-stream: the server hears nothing more from it.
  const cutAt = 100;
  clock.setTimeout(() => pair.net.partition("10.0.1.1", "10.0.0.1"), cutAt);
  await clock.run({ untilMs: cutAt + idleMs / 2 });
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.error, undefined, "abandoned before sessionIdleMs of silence");
  assert.equal(pair.server.stats().callsExecuting, 1);
  // The sweep runs every idleMs / 4: within 1.25 × idleMs of the last datagram the call is
  // abandoned, and at the sweep after its handler finished the session is gone.
  await clock.run({ untilMs: cutAt + 1.25 * idleMs + 100 });
  assert.equal(runs[0]!.error, "canceled");
  assert.ok(runs[0]!.bytes > 0 && runs[0]!.bytes < data.length, `read ${runs[0]!.bytes}`);
  await clock.run({ untilMs: cutAt + 1.5 * idleMs + 100 });
  const s = pair.server.stats();
  assert.equal(s.callsExecuting, 0);
  assert.equal(s.reassemblyBytes, 0);
  assert.equal(s.sessions, 0);
  assert.equal(s.sessionsExpired, 1);
});
