/**
 * Lupine's client and server in one process over an in-memory datagram port: the transport's own
 * CPU time per call (encoding, sessions, frames, checksums, timers, promises — client and server
 * together), without the kernel, sockets or Node's dgram layer. A datagram is delivered with
 * `setImmediate`, as a socket's would be on a later turn. Run by bench/lupine.bench.ts (part
 * `cpu`) in a child process pinned to one core: `node inproc-pair.js DEPTH MS` prints one JSON
 * line. It hardly depends on other load on the machine: a figure to compare runs with.
 */
import type { DatagramPort, Endpoint, SendFailure } from "../src/io/datagram.js";
import { nodeClock } from "../src/io/node/clock.js";
import { nodeCrc32 } from "../src/io/node/crc32.js";
import { nodeDefer } from "../src/io/node/defer.js";
import { nodeRandom } from "../src/io/node/random.js";
import { createLupineClient } from "../src/transport/lupine-client.js";
import { createLupineServer } from "../src/transport/lupine-server.js";
import type { XdrReader, XdrWriter } from "../src/xdr/index.js";
import { BENCH_PROGRAM } from "./servers/echo-servers.js";

/** One end of an in-memory link: what one end sends, the other receives on a later turn. */
class MemoryPort implements DatagramPort {
  peer: MemoryPort | null = null;
  private handler: ((d: Uint8Array, from: Endpoint) => void) | null = null;
  readonly maxDatagramSize = 65_507;

  constructor(readonly local: Endpoint) {}

  send(data: Uint8Array | readonly Uint8Array[], _to: Endpoint): void {
    // A copy, as the kernel makes one.
    const d = data instanceof Uint8Array ? data.slice() : Buffer.concat(data as Uint8Array[]);
    const peer = this.peer!;
    setImmediate(() =>
      peer.handler?.(new Uint8Array(d.buffer, d.byteOffset, d.length), this.local),
    );
  }

  onMessage(handler: (d: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(_handler: (f: SendFailure) => void): void {}

  close(): void {}
}

/** What one window measured. */
export interface PairResult {
  readonly calls: number;
  readonly seconds: number;
  /** This process's CPU time over the window (client and server together). */
  readonly cpuUs: number;
  readonly callsPerDatagram: number;
}

/** Keeps `inFlight` calls going for `ms`; calls made and CPU time used. */
async function driveWindow(
  inFlight: number,
  ms: number,
  op: () => Promise<unknown>,
): Promise<{ calls: number; seconds: number; cpuUs: number }> {
  let calls = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  const lane = async () => {
    while (performance.now() < end) {
      await op();
      calls++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const cpu = process.cpuUsage(cpu0);
  return { calls, seconds: (performance.now() - start) / 1000, cpuUs: cpu.user + cpu.system };
}

async function main(): Promise<void> {
  // Nothing else holds the event loop open here (no socket): the transport's timers are unref'd,
  // and a call waiting on one (a retransmission after the process was descheduled) must not end
  // the process.
  setInterval(() => {}, 1 << 30);
  const depth = Number(process.argv[2] ?? 128);
  const ms = Number(process.argv[3] ?? 2000);
  const a: Endpoint = { address: "10.0.0.1", port: 1, family: "IPv4" };
  const b: Endpoint = { address: "10.0.0.2", port: 2, family: "IPv4" };
  const clientPort = new MemoryPort(a);
  const serverPort = new MemoryPort(b);
  clientPort.peer = serverPort;
  serverPort.peer = clientPort;
  const node = { clock: nodeClock, random: nodeRandom, crc: nodeCrc32, defer: nodeDefer };
  const server = createLupineServer({ ...node, port: serverPort, maxCallsPerSession: 4096 });
  await server.listen({
    dispatch(call) {
      const v = call.args.readVarOpaque();
      return { status: "success", writeResult: (w: XdrWriter) => w.writeVarOpaque(v) };
    },
  });
  const client = createLupineClient({
    ...node,
    port: clientPort,
    server: b,
    maxCallsInFlight: 1024,
  });
  const payload = new Uint8Array(16);
  const request = {
    program: BENCH_PROGRAM,
    version: 1,
    procedure: 1,
    procedureName: "ECHO",
    timeoutMs: 10_000,
    writeArgs: (w: XdrWriter) => w.writeVarOpaque(payload),
    readResult: (r: XdrReader) => r.readVarOpaque(),
  };
  const call = () => client.call(request);
  await driveWindow(depth, 1000, call);
  const sent0 = client.stats().datagramsSent;
  const r = await driveWindow(depth, ms, call);
  const datagrams = client.stats().datagramsSent - sent0;
  const result: PairResult = { ...r, callsPerDatagram: r.calls / datagrams };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (process.argv[1]?.endsWith("inproc-pair.js")) await main();
