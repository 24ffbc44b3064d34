/**
 * Client process of the small-call benchmark (bench/lupine.bench.ts), one per measured window:
 * `node small-client.js KIND HOST PORT INFLIGHT MS`, KIND `dgram` (raw UDP echo), `lupine` or
 * `grpc`. Connects, warms up (ping-pong, then a burst at INFLIGHT), prints `{"ready":true}`, waits
 * for `go` on stdin, keeps INFLIGHT calls outstanding for MS ms and prints
 * `{"calls","seconds","p50us","p99us","cpuUs"}` (see bench/procs.ts).
 *
 * The raw echo client is the best plain `node:dgram` can do, with nothing Lupine could not use
 * too: a connected socket (no address per datagram), sends without a callback (Node's synchronous
 * send path), one datagram per call, replies matched in order (loopback does not reorder).
 */
import * as dgram from "node:dgram";
import * as grpc from "@grpc/grpc-js";
import type { CallRequest } from "../../src/runtime/transport.js";
import { connectLupine } from "../../src/transport/lupine-node.js";
import type { XdrReader, XdrWriter } from "../../src/xdr/index.js";
import { driveWindow, readyThenGo } from "../procs.js";
import { BENCH_ECHO, BENCH_PROGRAM, grpcService } from "./echo-servers.js";

type Call = () => Promise<unknown>;

async function rawDgram(host: string, port: number): Promise<Call> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(0, host, r));
  await new Promise<void>((r) => s.connect(port, host, r));
  // A queue of resolvers (head index, compacted now and then): replies come back in order.
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
  const msg = Buffer.alloc(32);
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      s.send(msg);
    });
}

function echoRequest(payload: Uint8Array): CallRequest<Uint8Array> {
  return {
    program: BENCH_PROGRAM,
    version: 1,
    procedure: BENCH_ECHO,
    procedureName: "ECHO",
    timeoutMs: 10_000,
    writeArgs: (w: XdrWriter) => w.writeVarOpaque(payload),
    readResult: (r: XdrReader) => r.readVarOpaque(),
  };
}

async function lupine(host: string, port: number): Promise<Call> {
  const t = await connectLupine({ host, port }, { maxCallsInFlight: 1024 });
  const req = echoRequest(new Uint8Array(16));
  return () => t.call(req);
}

async function grpcClient(host: string, port: number): Promise<Call> {
  const Ctor = grpc.makeGenericClientConstructor(grpcService, "Bench");
  const c = new Ctor(`${host}:${port}`, grpc.credentials.createInsecure()) as unknown as {
    echo(b: Buffer, cb: (e: Error | null) => void): void;
  };
  const msg = Buffer.alloc(16);
  return () => new Promise<void>((res, rej) => c.echo(msg, (e) => (e ? rej(e) : res())));
}

const [kind, host, port, inflight, ms] = process.argv.slice(2);
const make = kind === "dgram" ? rawDgram : kind === "lupine" ? lupine : grpcClient;
const call = await make(host!, Number(port));
const n = Number(inflight);
for (let i = 0; i < 1000; i++) await call();
await driveWindow(n, Number(process.env.BENCH_WARM_MS ?? 1000), call);
await readyThenGo();
const result = await driveWindow(n, Number(ms), call);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
