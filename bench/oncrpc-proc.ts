/**
 * The processes of the ONC RPC benchmark (bench/oncrpc.bench.ts runs each pinned to a core):
 *
 *   serve-lupine                          Lupine server, BENCH_PROG over UDP and TCP
 *   serve-dgram                           raw node:dgram echo server
 *   client-lupine udp|tcp PORT N MS       N calls in flight for MS ms (N = 1: ping-pong)
 *   client-dgram PORT N MS                the same with raw datagrams
 *
 * Servers print "ready udp N [tcp M]"; clients print one JSON line {calls, seconds, p50us, p99us}.
 */
import * as dgram from "node:dgram";
import { createClient, createServer, defineProgram, silentLogger, xdr } from "../src/index.js";

export const BenchV1 = defineProgram({
  name: "BENCH_PROG",
  program: 0x20006666,
  version: 1,
  procedures: { echo: { procedure: 1, name: "ECHO", args: [xdr.int], result: xdr.int } },
});

interface Result {
  calls: number;
  seconds: number;
  p50us: number;
  p99us: number;
}

function percentiles(lat: Float64Array, n: number): { p50us: number; p99us: number } {
  const s = lat.subarray(0, n).sort();
  return { p50us: s[Math.floor(n / 2)] ?? 0, p99us: s[Math.floor((n * 99) / 100)] ?? 0 };
}

/** Keeps `inflight` operations going for `ms`; `op` resolves when one completes. */
async function drive(
  inflight: number,
  ms: number,
  op: (i: number) => Promise<unknown>,
): Promise<Result> {
  const lat = new Float64Array(1 << 23);
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  const lane = async (lane: number) => {
    let i = lane;
    while (performance.now() < end) {
      const t0 = performance.now();
      await op(i);
      if (n < lat.length) lat[n++] = (performance.now() - t0) * 1000;
      i += inflight;
    }
  };
  await Promise.all(Array.from({ length: inflight }, (_, i) => lane(i)));
  const seconds = (performance.now() - start) / 1000;
  return { calls: n, seconds, ...percentiles(lat, n) };
}

async function serveLupine(): Promise<void> {
  const server = createServer({ logger: silentLogger, udp: { drc: {} } });
  server.register(BenchV1, { echo: (x) => x });
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  console.log(`ready udp ${u!.port} tcp ${t!.port}`);
  // Exit normally on SIGINT, so that --cpu-prof writes its profile.
  process.once("SIGINT", () => process.exit(0));
}

async function serveDgram(): Promise<void> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  s.on("message", (m, r) => s.send(m, r.port, r.address));
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  console.log(`ready udp ${s.address().port}`);
}

async function clientLupine(
  proto: string,
  port: number,
  inflight: number,
  ms: number,
): Promise<Result> {
  const c = createClient(BenchV1, `${proto}://127.0.0.1:${port}`, { timeoutMs: 5000 });
  await c.echo(0); // connect, warm up
  for (let i = 0; i < 2000; i++) await c.echo(i);
  const r = await drive(inflight, ms, (i) => c.echo(i | 0));
  await c.$close();
  return r;
}

async function clientDgram(port: number, inflight: number, ms: number): Promise<Result> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  s.connect(port, "127.0.0.1");
  await new Promise<void>((r) => s.once("connect", r));
  const waiting = new Map<number, () => void>();
  s.on("message", (m) => {
    const id = m.readUInt32BE(0);
    const w = waiting.get(id);
    waiting.delete(id);
    w?.();
  });
  // The same 44-byte datagram a small ONC call is (header + one int).
  const echo = (i: number) =>
    new Promise<void>((resolve) => {
      const b = Buffer.alloc(44);
      b.writeUInt32BE(i >>> 0, 0);
      waiting.set(i >>> 0, resolve);
      s.send(b);
    });
  for (let i = 0; i < 2000; i++) await echo(i + 1e9);
  const r = await drive(inflight, ms, echo);
  s.close();
  return r;
}

const [mode, ...args] = process.argv.slice(2);
switch (mode) {
  case "serve-lupine":
    await serveLupine();
    break;
  case "serve-dgram":
    await serveDgram();
    break;
  case "client-lupine":
    console.log(
      JSON.stringify(
        await clientLupine(args[0]!, Number(args[1]), Number(args[2]), Number(args[3])),
      ),
    );
    break;
  case "client-dgram":
    console.log(
      JSON.stringify(await clientDgram(Number(args[0]), Number(args[1]), Number(args[2]))),
    );
    break;
  default:
    if (mode !== undefined) {
      console.error(
        "usage: oncrpc-proc.js serve-lupine | serve-dgram | client-lupine udp|tcp PORT N MS | client-dgram PORT N MS",
      );
      process.exitCode = 2;
    }
}
