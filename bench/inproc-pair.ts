// Temporary profiling harness (not committed): Lupine client and server in one process over an
// in-memory datagram port, to measure the transport's own JS cost per call without sockets.
import type { DatagramPort, Endpoint, SendFailure } from "../src/io/datagram.js";
import { nodeClock } from "../src/io/node/clock.js";
import { nodeCrc32 } from "../src/io/node/crc32.js";
import { nodeDefer } from "../src/io/node/defer.js";
import { nodeRandom } from "../src/io/node/random.js";
import { createLupineClient } from "../src/transport/lupine-client.js";
import { createLupineServer } from "../src/transport/lupine-server.js";
import type { XdrReader, XdrWriter } from "../src/xdr/index.js";
import { driveWindow } from "./procs.js";
import { BENCH_ECHO, BENCH_PROGRAM } from "./servers/echo-servers.js";

class MemPort implements DatagramPort {
  peer: MemPort | null = null;
  handler: ((d: Uint8Array, from: Endpoint) => void) | null = null;
  constructor(
    readonly local: Endpoint,
    readonly maxDatagramSize = 65507,
  ) {}
  send(data: Uint8Array | readonly Uint8Array[], _to: Endpoint): void {
    const d = data instanceof Uint8Array ? data.slice() : Buffer.concat(data as Uint8Array[]);
    const p = this.peer!;
    setImmediate(() => p.handler?.(new Uint8Array(d.buffer, d.byteOffset, d.length), this.local));
  }
  onMessage(h: (d: Uint8Array, from: Endpoint) => void) {
    this.handler = h;
  }
  onError(_h: (f: SendFailure) => void) {}
  close() {}
}
const a: Endpoint = { address: "10.0.0.1", port: 1, family: "IPv4" };
const b: Endpoint = { address: "10.0.0.2", port: 2, family: "IPv4" };
const cp = new MemPort(a);
const sp = new MemPort(b);
cp.peer = sp;
sp.peer = cp;
const server = createLupineServer({
  port: sp,
  clock: nodeClock,
  random: nodeRandom,
  crc: nodeCrc32,
  defer: nodeDefer,
  maxCallsPerSession: 4096,
});
await server.listen({
  dispatch(call) {
    const v = call.args.readVarOpaque();
    return { status: "success", writeResult: (w: XdrWriter) => w.writeVarOpaque(v) };
  },
});
const client = createLupineClient({
  port: cp,
  server: b,
  clock: nodeClock,
  random: nodeRandom,
  crc: nodeCrc32,
  defer: nodeDefer,
  maxCallsInFlight: 1024,
});
const payload = new Uint8Array(16);
const req = {
  program: BENCH_PROGRAM,
  version: 1,
  procedure: BENCH_ECHO,
  procedureName: "ECHO",
  timeoutMs: 10000,
  writeArgs: (w: XdrWriter) => w.writeVarOpaque(payload),
  readResult: (r: XdrReader) => r.readVarOpaque(),
};
const call = () => client.call(req);
const depth = Number(process.argv[2] ?? 128);
const ms = Number(process.argv[3] ?? 3000);
await driveWindow(depth, 1000, call);
const r = await driveWindow(depth, ms, call);
console.log(JSON.stringify({ ...r, usPerCall: r.cpuUs / r.calls, rate: r.calls / r.seconds }));
console.log(
  JSON.stringify({
    server: server.stats().datagramsReceived,
    client: client.stats().datagramsSent,
  }),
);
process.exit(0);
