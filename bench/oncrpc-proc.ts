/**
 * The processes of the ONC RPC benchmark (bench/oncrpc.bench.ts runs each pinned to a core):
 *
 *   serve-lupine                          Lupine server, BENCH_PROG over UDP and TCP
 *   serve-dgram                           raw node:dgram echo server
 *   client-lupine udp|tcp PORT N MS       N calls in flight for MS ms (N = 1: ping-pong)
 *   client-dgram PORT N MS                the same with raw datagrams
 *
 * Servers print "ready udp N [tcp M]", answer `cpu` on stdin and exit when stdin ends; clients
 * warm up, print `{"ready":true}`, wait for `go`, and print one JSON line {calls, seconds, p50us,
 * p99us, cpuUs} (bench/procs.ts).
 */
import * as dgram from "node:dgram";
import type { LookupOneOptions } from "node:dns";
import { createClient, createServer, defineProgram, silentLogger, xdr } from "../src/index.js";
import { driveWindow, readyThenGo, serveControl, type WindowResult } from "./procs.js";

export const BenchV1 = defineProgram({
  name: "BENCH_PROG",
  program: 0x20006666,
  version: 1,
  procedures: { echo: { procedure: 1, name: "ECHO", args: [xdr.int], result: xdr.int } },
});

async function serveLupine(): Promise<void> {
  const server = createServer({ logger: silentLogger, udp: { drc: {} } });
  server.register(BenchV1, { echo: (x) => x });
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  console.log(`ready udp ${u!.port} tcp ${t!.port}`);
  // Exit normally on SIGINT too, so that --cpu-prof writes its profile.
  process.once("SIGINT", () => process.exit(0));
  serveControl(() => process.exit(0));
}

async function serveDgram(): Promise<void> {
  // Address literals answered synchronously, as the Lupine server's socket does (Node would
  // otherwise defer every send by a process.nextTick to "look up" the address).
  const lookup = (a: string, _o: LookupOneOptions, cb: (e: null, a: string, f: number) => void) =>
    cb(null, a, 4);
  const s = dgram.createSocket({
    type: "udp4",
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
    lookup: lookup as unknown as dgram.SocketOptions["lookup"],
  });
  s.on("message", (m, r) => s.send(m, r.port, r.address));
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  console.log(`ready udp ${s.address().port}`);
  process.once("SIGINT", () => process.exit(0));
  serveControl(() => process.exit(0));
}

async function clientLupine(
  proto: string,
  port: number,
  inflight: number,
  ms: number,
): Promise<WindowResult> {
  const c = createClient(BenchV1, `${proto}://127.0.0.1:${port}`, { timeoutMs: 5000 });
  await c.echo(0); // connect, warm up
  for (let i = 0; i < 2000; i++) await c.echo(i);
  await driveWindow(inflight, 300, (i) => c.echo(i | 0));
  await readyThenGo();
  const r = await driveWindow(inflight, ms, (i) => c.echo(i | 0));
  await c.$close();
  return r;
}

/**
 * Raw datagrams: the best plain node:dgram does with nothing the RPC clients could not use: a
 * connected socket, sends without a callback, the same 44-byte datagram a small ONC call is, one
 * per call; replies matched in order (loopback does not reorder).
 */
async function clientDgram(port: number, inflight: number, ms: number): Promise<WindowResult> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  s.connect(port, "127.0.0.1");
  await new Promise<void>((r) => s.once("connect", r));
  let waiting: (() => void)[] = [];
  let head = 0;
  s.on("message", () => {
    const w = waiting[head];
    if (w === undefined) return;
    waiting[head++] = undefined as unknown as () => void;
    if (head > 4096 && head * 2 > waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    w();
  });
  const b = Buffer.alloc(44);
  const echo = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      s.send(b);
    });
  for (let i = 0; i < 2000; i++) await echo();
  await driveWindow(inflight, 300, echo);
  await readyThenGo();
  const r = await driveWindow(inflight, ms, echo);
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
    process.exit(0);
    break;
  case "client-dgram":
    console.log(
      JSON.stringify(await clientDgram(Number(args[0]), Number(args[1]), Number(args[2]))),
    );
    process.exit(0);
    break;
  default:
    if (mode !== undefined) {
      console.error(
        "usage: oncrpc-proc.js serve-lupine | serve-dgram | client-lupine udp|tcp PORT N MS | client-dgram PORT N MS",
      );
      process.exitCode = 2;
    }
}
