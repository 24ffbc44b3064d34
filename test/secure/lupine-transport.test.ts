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
import { nodeClock } from "../../src/io/node/clock.js";
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { openUdp } from "../../src/io/node/udp.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import { encodeKey } from "../../src/secure/key-text.js";
import { suite25519ChaChaPolyBlake2s as suite, x25519 } from "../../src/secure/node-crypto.js";
import { totalDropped } from "../../src/secure/stats.js";
import {
  createSecureLupineClient,
  createSecureLupineServer,
} from "../../src/transport/lupine-secure.js";
import { seededRandom } from "../helpers/prng.js";
import { collectingLogger } from "../helpers/spoof.js";

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
});
