/**
 * Costs of the secure transport's primitives, side by side (`npm run bench -- secure`):
 *
 * - handshakes/s: a full IK handshake (client initiation, server response, client completion) in
 *   one process, and the server's share alone;
 * - per-packet seal+open for 100-byte and 1400-byte payloads, beside a plain copy of the same
 *   bytes (the cost the plain transport pays), and node's raw createCipheriv/createDecipheriv with
 *   a Buffer key and with a KeyObject (Node cannot re-IV a cipher object, so each packet needs
 *   new ones: the KeyObject row shows whether reusing the key object helps);
 * - ChaCha20-Poly1305 seal+open by plaintext size, the TypeScript implementation
 *   (`src/secure/chacha20-poly1305.ts`) beside OpenSSL through `createCipheriv`, alternating
 *   round by round: where the crossing lies that sets `SMALL_PACKET_BYTES`;
 * - loopback UDP echo, plain vs. encrypted (seal on send, open on receive, both sides), with one
 *   100-byte call per datagram and with 32 calls packed into one datagram: an early estimate of
 *   the encrypted transport's calls/s ratio before it exists.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from "node:crypto";
import * as dgram from "node:dgram";
import { createNodeRandom } from "../src/io/node/random.js";
import { openInto, sealInPlace } from "../src/secure/chacha20-poly1305.js";
import { SecureInitiator } from "../src/secure/initiator.js";
import {
  chaChaPolyOpenssl,
  SMALL_PACKET_BYTES,
  suite25519ChaChaPolyBlake2s as suite,
} from "../src/secure/node-crypto.js";
import { SecureResponder } from "../src/secure/responder.js";
import { type BenchOptions, type BenchRow, measureOps, summarize } from "./harness.js";

const random = createNodeRandom();

function handshakeRows(opts: { ms: number; rounds: number }): BenchRow[] {
  const serverKeys = suite.dh.generateKeyPair(random);
  const server = new SecureResponder({
    suite,
    staticKeyPair: serverKeys,
    random,
    nowMs: 0,
    admission: { unprovenHandshakesPerSecond: 1e9, maxHandshakesPerSecond: 1e9 },
  });
  const client = new SecureInitiator({
    suite,
    staticKeyPair: suite.dh.generateKeyPair(random),
    serverPublicKey: serverKeys.publicKey,
    random,
  });
  let t = 0;
  const full = () => {
    t += 1;
    const r = server.receive(client.initiate(t, 1.75e12 + t), "bench", t);
    if (r.kind !== "reply" || client.receive(r.datagram, t).kind !== "established")
      throw new Error("handshake failed");
  };
  const fullOps = measureOps(full, { ...opts, batch: 10 });
  const initiations: Uint8Array[] = [];
  for (let i = 0; i < 2000; i++) initiations.push(client.initiate(t, 1.75e12 + ++t));
  const freshServer = () =>
    new SecureResponder({
      suite,
      staticKeyPair: serverKeys,
      random,
      nowMs: t,
      admission: { unprovenHandshakesPerSecond: 1e9, maxHandshakesPerSecond: 1e9 },
    });
  let responder = freshServer();
  let next = 0;
  const serverOnly = measureOps(
    () => {
      // A new responder per pass over the initiations, so none counts as a replay.
      if (next % initiations.length === 0) responder = freshServer();
      const r = responder.receive(initiations[next++ % initiations.length]!, "bench", t);
      if (r.kind !== "reply") throw new Error(`handshake not answered: ${JSON.stringify(r)}`);
    },
    { ...opts, batch: 10 },
  );
  return [
    {
      group: "secure: IK handshake (25519, ChaChaPoly, BLAKE2s)",
      system: "full handshake, both sides",
      ...fullOps,
      unit: "handshakes/s",
      better: "higher",
      baseline: true,
    },
    {
      group: "secure: IK handshake (25519, ChaChaPoly, BLAKE2s)",
      system: "server side only",
      ...serverOnly,
      unit: "handshakes/s",
      better: "higher",
      note: "read initiation, 4 × X25519, write response",
    },
  ];
}

function sealOpenRows(size: number, opts: { ms: number; rounds: number }): BenchRow[] {
  const group = `secure: seal+open ${size}-byte packet`;
  const payload = randomBytes(size);
  const serverKeys = suite.dh.generateKeyPair(random);
  const server = new SecureResponder({ suite, staticKeyPair: serverKeys, random, nowMs: 0 });
  const client = new SecureInitiator({
    suite,
    staticKeyPair: suite.dh.generateKeyPair(random),
    serverPublicKey: serverKeys.publicKey,
    random,
  });
  const r = server.receive(client.initiate(0, 1.75e12), "bench", 0);
  if (r.kind !== "reply") throw new Error("no handshake");
  client.receive(r.datagram, 0);
  const plain = measureOps(() => {
    const copy = new Uint8Array(size + 32);
    copy.set(payload, 16);
    if (copy[16] !== payload[0]) throw new Error("copy");
  }, opts);
  const ours = measureOps(() => {
    const sealed = client.seal(payload, 1)!;
    if (server.receive(sealed, "bench", 1).kind !== "data") throw new Error("open failed");
  }, opts);
  const key = randomBytes(32);
  const keyObject = createSecretKey(key);
  const nonce = Buffer.alloc(12);
  const ad = Buffer.alloc(16);
  const raw = (k: Buffer | ReturnType<typeof createSecretKey>) => () => {
    const c = createCipheriv("chacha20-poly1305", k, nonce, { authTagLength: 16 });
    c.setAAD(ad, { plaintextLength: size });
    const body = c.update(payload);
    c.final();
    const tag = c.getAuthTag();
    const d = createDecipheriv("chacha20-poly1305", k, nonce, { authTagLength: 16 });
    d.setAAD(ad, { plaintextLength: size });
    d.setAuthTag(tag);
    d.update(body);
    d.final();
  };
  const rawBuffer = measureOps(raw(key), opts);
  const rawKeyObject = measureOps(raw(keyObject), opts);
  const perOp = (ops: number) => `${(1e6 / ops).toFixed(2)} µs per seal+open`;
  return [
    {
      group,
      system: "plain (copy into a datagram)",
      ...plain,
      unit: "packets/s",
      better: "higher",
      baseline: true,
      note: perOp(plain.value),
    },
    {
      group,
      system: "lupine seal + open",
      ...ours,
      unit: "packets/s",
      better: "higher",
      note: perOp(ours.value),
    },
    {
      group,
      system: "raw createCipheriv, Buffer key",
      ...rawBuffer,
      unit: "packets/s",
      better: "higher",
      note: perOp(rawBuffer.value),
    },
    {
      group,
      system: "raw createCipheriv, KeyObject",
      ...rawKeyObject,
      unit: "packets/s",
      better: "higher",
      note: perOp(rawKeyObject.value),
    },
  ];
}

/**
 * One seal and one open of `size` bytes (16 bytes of associated data, as a data packet's header)
 * by the TypeScript AEAD and by OpenSSL, rounds alternating between the two so that load from
 * other work falls on both alike.
 */
function aeadRows(size: number, opts: { ms: number; rounds: number }): BenchRow[] {
  const group = `secure: ChaCha20-Poly1305 seal+open, ${size}-byte plaintext`;
  const key = randomBytes(32);
  const ad = randomBytes(16);
  const plaintext = randomBytes(size);
  let n = 0;
  const openssl = () => {
    const sealed = chaChaPolyOpenssl.encrypt(key, n, ad, plaintext);
    if (chaChaPolyOpenssl.decrypt(key, n++, ad, sealed) === null) throw new Error("open failed");
  };
  const typescript = () => {
    const sealed = Buffer.allocUnsafe(size + 16);
    sealed.set(plaintext);
    sealInPlace(key, n, ad, sealed, 0, size);
    if (!openInto(key, n++, ad, sealed, Buffer.allocUnsafe(size))) throw new Error("open failed");
  };
  const a: number[] = [];
  const b: number[] = [];
  measureOps(openssl, { ms: opts.ms / 4, rounds: 1 });
  measureOps(typescript, { ms: opts.ms / 4, rounds: 1 });
  for (let i = 0; i < opts.rounds; i++) {
    a.push(measureOps(openssl, { ms: opts.ms, rounds: 1 }).value);
    b.push(measureOps(typescript, { ms: opts.ms, rounds: 1 }).value);
  }
  const perOp = (ops: number) => `${(1e6 / ops).toFixed(2)} µs per seal+open`;
  const used = size <= SMALL_PACKET_BYTES ? "TypeScript" : "OpenSSL";
  const openRow = summarize(a);
  const tsRow = summarize(b);
  return [
    {
      group,
      system: "OpenSSL (createCipheriv per packet)",
      ...openRow,
      unit: "packets/s",
      better: "higher",
      baseline: true,
      note: perOp(openRow.value),
    },
    {
      group,
      system: "TypeScript (chacha20-poly1305.ts)",
      ...tsRow,
      unit: "packets/s",
      better: "higher",
      note: `${perOp(tsRow.value)}; the transport uses ${used} at this size`,
    },
  ];
}

/** A secure (or plain) echo over loopback UDP: `callsPerDatagram` 100-byte calls per datagram. */
async function echo(secure: boolean, callsPerDatagram: number, ms: number): Promise<number> {
  const serverKeys = suite.dh.generateKeyPair(random);
  const server = new SecureResponder({ suite, staticKeyPair: serverKeys, random, nowMs: 0 });
  const client = new SecureInitiator({
    suite,
    staticKeyPair: suite.dh.generateKeyPair(random),
    serverPublicKey: serverKeys.publicKey,
    random,
  });
  const hs = server.receive(client.initiate(0, 1.75e12), "c", 0);
  if (hs.kind !== "reply") throw new Error("no handshake");
  client.receive(hs.datagram, 0);
  const first = server.receive(client.seal(new Uint8Array(1), 0)!, "c", 0);
  if (first.kind !== "data") throw new Error("no session");
  const peer = first.peer;
  const payload = randomBytes(100 * callsPerDatagram);
  const a = dgram.createSocket("udp4");
  const b = dgram.createSocket("udp4");
  await Promise.all([
    new Promise<void>((r) => a.bind(0, "127.0.0.1", r)),
    new Promise<void>((r) => b.bind(0, "127.0.0.1", r)),
  ]);
  const bPort = b.address().port;
  const aPort = a.address().port;
  b.on("message", (msg) => {
    let body: Uint8Array = msg;
    if (secure) {
      const r = server.receive(msg, "c", 1);
      if (r.kind !== "data") throw new Error("server open failed");
      body = server.seal(peer, r.payload, 1)!.datagram;
    }
    b.send(body, aPort, "127.0.0.1");
  });
  let calls = 0;
  const start = performance.now();
  await new Promise<void>((done) => {
    const send = () => {
      if (performance.now() - start >= ms) {
        done();
        return;
      }
      a.send(secure ? client.seal(payload, 1)! : payload, bPort, "127.0.0.1");
    };
    a.on("message", (msg) => {
      if (secure && client.receive(msg, 1).kind !== "data") throw new Error("client open failed");
      calls += callsPerDatagram;
      send();
    });
    send();
  });
  const elapsed = performance.now() - start;
  a.close();
  b.close();
  return (calls * 1000) / elapsed;
}

async function echoRows(
  callsPerDatagram: number,
  opts: { ms: number; rounds: number },
): Promise<BenchRow[]> {
  const group = `secure: UDP loopback echo, ${callsPerDatagram} × 100-byte call${callsPerDatagram > 1 ? "s" : ""} per datagram`;
  const plain: number[] = [];
  const secure: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    plain.push(await echo(false, callsPerDatagram, opts.ms));
    secure.push(await echo(true, callsPerDatagram, opts.ms));
  }
  return [
    {
      group,
      system: "plain dgram",
      ...summarize(plain),
      unit: "calls/s",
      better: "higher",
      baseline: true,
    },
    {
      group,
      system: "sealed + opened both ways",
      ...summarize(secure),
      unit: "calls/s",
      better: "higher",
    },
  ];
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const opts = options.quick ? { ms: 50, rounds: 1 } : { ms: 400, rounds: 5 };
  return [
    ...handshakeRows(opts),
    ...sealOpenRows(100, opts),
    ...sealOpenRows(1400, opts),
    ...[64, 256, 512, 1024, 1400].flatMap((size) => aeadRows(size, opts)),
    ...(await echoRows(1, { ...opts, ms: opts.ms * 2 })),
    ...(await echoRows(32, { ...opts, ms: opts.ms * 2 })),
  ];
}
