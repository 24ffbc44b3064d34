/**
 * A short Lupine exchange for the dissector test (`dissector.test.ts` runs it inside a netlab host
 * while tshark captures its loopback): over the plain transport, a portmapper GETPORT call (so
 * Wireshark's own RPC and PORTMAP dissectors can decode what the Lua dissector hands them), five
 * calls made in one turn (packed into one datagram), a call of an unknown procedure (PROC_UNAVAIL)
 * and a 6,000-byte echo (fragmented both ways); then two calls over the secure transport. Prints
 * one JSON line with the ports and what the calls returned.
 */
import { createClient, createServer, defineProgram, silentLogger, xdr } from "../../src/index.js";
import { nodeRandom } from "../../src/io/node/random.js";
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
  },
});

/** Arguments the test looks for in the capture. */
export const NFS_QUERY = { prog: 100003, vers: 3, prot: 17, port: 0 };
export const NFS_PORT = 2049;
export const BIG_BYTES = 6000;

async function main(): Promise<void> {
  const keys = x25519.generateKeyPair(nodeRandom);
  const plain = createServer({ logger: silentLogger });
  const secure = createServer({ logger: silentLogger, lupine: { keyPair: keys } });
  for (const s of [plain, secure]) {
    s.register(Pmap, { getport: (m) => (m.prog === NFS_QUERY.prog ? NFS_PORT : 0) });
    s.register(Echo, { echo: (b) => b });
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
  const echo = createClient(Echo, target, { timeoutMs: 5000 });
  const big = new Uint8Array(BIG_BYTES).map((_, i) => i & 0xff);
  const back = await echo.echo(big);
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
    securePortAnswer: securePort,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith("exchange.js")) await main();
