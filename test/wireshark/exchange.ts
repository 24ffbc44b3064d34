/**
 * A short Lupine exchange for the dissector test (`dissector.test.ts` runs it inside a netlab host
 * while tshark captures its loopback): over the plain transport, a portmapper GETPORT call (so
 * Wireshark's own RPC and PORTMAP dissectors can decode what the Lua dissector hands them), five
 * calls made in one turn (packed into one datagram), a call of an unknown procedure (PROC_UNAVAIL),
 * a 6,000-byte echo (fragmented both ways), a slow call (Working), a refused one (Busy), and two
 * hand-made datagrams that draw a Reset (wrong epoch) and a NoSuchCall (a Probe for a call the
 * server never had); then two calls over the secure transport. Prints one JSON line with the
 * ports and what the calls returned.
 */
import * as dgram from "node:dgram";
import {
  createClient,
  createServer,
  defineProgram,
  RpcError,
  silentLogger,
  xdr,
} from "../../src/index.js";
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { FrameType, HEADER_BYTES, sealChecksum, writeHeader } from "../../src/reliable/packet.js";
import { encodeKey } from "../../src/secure/key-text.js";
import { x25519 } from "../../src/secure/node-crypto.js";

/** RFC 1833 §3.1 `mapping`, and PMAPPROC_GETPORT of PMAP_PROG version 2. */
const mapping = xdr.struct("mapping", {
  prog: xdr.uint,
  vers: xdr.uint,
  prot: xdr.uint,
  port: xdr.uint,
});
export const Pmap = defineProgram({
  name: "PMAP_PROG",
  program: 100000,
  version: 2,
  procedures: {
    getport: { procedure: 3, name: "PMAPPROC_GETPORT", args: [mapping], result: xdr.uint },
  },
});
/** The same program as the server does not serve it: procedure 9 is unknown there. */
const PmapUnknown = defineProgram({
  name: "PMAP_PROG",
  program: 100000,
  version: 2,
  procedures: { nine: { procedure: 9, name: "NINE", args: [], result: xdr.uint } },
});
export const Echo = defineProgram({
  name: "ECHO_PROG",
  program: 0x20006666,
  version: 1,
  procedures: {
    echo: { procedure: 2, name: "ECHO_BYTES", args: [xdr.opaque()], result: xdr.opaque() },
    slow: { procedure: 4, name: "SLOW", args: [], result: xdr.uint },
    refused: { procedure: 5, name: "REFUSED", args: [], result: xdr.uint },
  },
});

/** Arguments the test looks for in the capture. */
export const NFS_QUERY = { prog: 100003, vers: 3, prot: 17, port: 0 };
export const NFS_PORT = 2049;
export const BIG_BYTES = 6000;
/** The seq of the hand-made Probe (no such call at the server). */
export const PROBED_SEQ = 7;

/** A datagram of one frame, from a client, with a valid checksum. */
function datagram(session: number, epoch: number, type: number, body: number[]): Uint8Array {
  const d = new Uint8Array(HEADER_BYTES + 4 + body.length);
  writeHeader(new DataView(d.buffer), 0, {
    flags: 0,
    sessionHi: 0x4c75,
    sessionLo: session,
    epoch,
  });
  d.set([type, 0, 0, body.length], HEADER_BYTES);
  d.set(body, HEADER_BYTES + 4);
  sealChecksum(d, nodeCrc32);
  return d;
}

/**
 * From a raw socket: a Call with an epoch the server never had (answered Reset, wrong epoch),
 * then a Hello, and once welcomed a Probe for a call that was never sent (answered NoSuchCall).
 */
async function rawFrames(port: number): Promise<void> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const answer = () =>
    new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no answer")), 2000);
      s.once("message", (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  const send = (d: Uint8Array) => s.send(d, port, "127.0.0.1");
  let reply = answer();
  send(datagram(1, 0x0bad_e90c, FrameType.Call, [0, 0, 0, 1, 0, 0, 0, 0]));
  await reply;
  reply = answer();
  send(datagram(2, 0, FrameType.Hello, []));
  const welcome = await reply;
  const epoch = welcome.readUInt32BE(16);
  reply = answer();
  send(datagram(2, epoch, FrameType.Probe, [0, 0, 0, PROBED_SEQ]));
  await reply;
  s.close();
}

async function main(): Promise<void> {
  const keys = x25519.generateKeyPair(nodeRandom);
  // Ethernet-sized datagrams (loopback would allow 65,507 bytes), so that the echo is fragmented.
  const plain = createServer({ logger: silentLogger, lupine: { maxDatagramBytes: 1472 } });
  const secure = createServer({ logger: silentLogger, lupine: { keyPair: keys } });
  for (const s of [plain, secure]) {
    s.register(Pmap, { getport: (m) => (m.prog === NFS_QUERY.prog ? NFS_PORT : 0) });
    s.register(Echo, {
      echo: (b) => b,
      slow: () => new Promise((r) => setTimeout(() => r(1), 40)),
      refused: () => {
        throw new RpcError("busy", "refused for the capture", { details: { retryAfterMs: 20 } });
      },
    });
  }
  const [p] = await plain.listen("lupine://127.0.0.1:0");
  const [s] = await secure.listen("lupine://127.0.0.1:0");
  const target = `lupine://127.0.0.1:${p!.port}`;
  const pmap = createClient(Pmap, target, { timeoutMs: 5000 });
  const port = await pmap.getport(NFS_QUERY);
  const packed = await Promise.all(
    [1, 2, 3, 4, 5].map((i) => pmap.getport({ ...NFS_QUERY, vers: i })),
  );
  const unknown = createClient(PmapUnknown, target, { timeoutMs: 5000 });
  const unknownError = await unknown.nine().then(
    () => "none",
    (e: { code?: string }) => e.code ?? "?",
  );
  const echo = createClient(Echo, target, { timeoutMs: 5000, lupine: { maxDatagramBytes: 1472 } });
  const big = new Uint8Array(BIG_BYTES).map((_, i) => i & 0xff);
  const back = await echo.echo(big);
  const slow = await echo.slow();
  const refusedError = await echo.refused({ timeoutMs: 150 }).then(
    () => "none",
    (e: { code?: string }) => e.code ?? "?",
  );
  await rawFrames(p!.port);
  const key = encodeURIComponent(encodeKey(keys.publicKey));
  const sealed = createClient(Pmap, `lupine://127.0.0.1:${s!.port}?key=${key}`, {
    timeoutMs: 5000,
  });
  const securePort = await sealed.getport(NFS_QUERY);
  await sealed.getport(NFS_QUERY);
  // Let the last acknowledgements go out before closing.
  await new Promise((r) => setTimeout(r, 50));
  for (const c of [pmap, unknown, echo, sealed]) await c.$close();
  await plain.close(0);
  await secure.close(0);
  const result = {
    plainPort: p!.port,
    securePort: s!.port,
    port,
    packed,
    unknownError,
    echoed: back.length,
    slow,
    refusedError,
    securePortAnswer: securePort,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith("exchange.js")) await main();
