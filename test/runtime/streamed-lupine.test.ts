/**
 * `streamed()` handlers over the Lupine transport on real loopback sockets, plain and secure,
 * through the public API: a big argument reaches the handler in many chunks (it streamed: the
 * argument came as its fragments did, not whole), every byte once and in order; a small one comes
 * whole; an ordinary handler of the same program is not affected. docs/protocol.md §5.1.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, test } from "node:test";
import {
  createClient,
  createServer,
  defineProgram,
  type OpaqueStream,
  silentLogger,
  streamed,
  xdr,
} from "../../src/index.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { STREAM_CHUNK_BYTES } from "../../src/reliable/reassembler.js";
import { encodeKey } from "../../src/secure/key-text.js";
import { x25519 } from "../../src/secure/node-crypto.js";

const P = defineProgram({
  name: "UPLOAD_PROG",
  program: 0x2000_5355,
  version: 1,
  procedures: {
    put: { procedure: 1, name: "PUT", args: [xdr.opaque()], result: xdr.string() },
    echo: { procedure: 2, name: "ECHO", args: [xdr.opaque()], result: xdr.opaque() },
  },
});

/** How many chunks the last PUT read (one: the argument came whole), and the largest. */
let chunks = 0;
let largest = 0;
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

const handlers = {
  put: streamed(async (data: OpaqueStream) => {
    const h = createHash("sha256");
    chunks = 0;
    largest = 0;
    for await (const c of data) {
      chunks++;
      largest = Math.max(largest, c.length);
      h.update(c);
    }
    return `${data.length} ${h.digest("hex")}`;
  }),
  echo: (b: Uint8Array) => b,
};

function bytesOf(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed) & 0xff);
}

const expected = (b: Uint8Array) => `${b.length} ${createHash("sha256").update(b).digest("hex")}`;

async function check(target: string, lupine: Record<string, unknown>, serverLupine = {}) {
  const server = createServer({ logger: silentLogger, closeGraceMs: 0, lupine: serverLupine });
  closers.push(() => server.close(0));
  server.register(P, handlers);
  const [a] = await server.listen("lupine://127.0.0.1:0");
  const client = createClient(P, target.replace("PORT", String(a!.port)), { lupine });
  closers.push(() => client.$close());

  const big = bytesOf(20 * 1024 * 1024 + 5, 1);
  assert.equal(await client.put(big), expected(big));
  // It came as it arrived: in chunks of at most STREAM_CHUNK_BYTES (or one datagram's payload,
  // kept as a view), not as one.
  assert.ok(largest <= STREAM_CHUNK_BYTES, `a chunk of ${largest} bytes`);
  assert.ok(chunks >= big.length / STREAM_CHUNK_BYTES, `${chunks} chunks for 20 MiB`);

  const small = bytesOf(1000, 2);
  assert.equal(await client.put(small), expected(small));
  assert.equal(chunks, 1);

  // Several at once, with an ordinary procedure between them.
  const many = [bytesOf(3_000_000, 3), bytesOf(5_000_001, 4), bytesOf(70_000, 5)];
  const echoed = bytesOf(300_000, 6);
  const [r0, r1, r2, e] = await Promise.all([
    client.put(many[0]!),
    client.put(many[1]!),
    client.put(many[2]!),
    client.echo(echoed),
  ]);
  assert.deepEqual([r0, r1, r2], many.map(expected));
  assert.equal(Buffer.compare(e, echoed), 0);
}

test("plain Lupine: a 20 MiB argument streams to the handler, a small one comes whole", async () => {
  await check("lupine://127.0.0.1:PORT", {});
});

test("secure Lupine: the same through the Noise layer", async () => {
  const serverKeys = x25519.generateKeyPair(nodeRandom);
  const key = encodeURIComponent(encodeKey(serverKeys.publicKey));
  await check(
    `lupine://127.0.0.1:PORT?key=${key}`,
    { keyPair: x25519.generateKeyPair(nodeRandom) },
    { keyPair: serverKeys },
  );
});
