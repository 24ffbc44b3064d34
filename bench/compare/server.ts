/**
 * Server process of the cross-system comparison: `node server.js KIND HOST`, one system per
 * process (bench/compare/procs.ts has the protocol). Prints `{"port": N}` when listening (the TCP
 * kind also `"sinkPort"`) and exits when stdin ends.
 *
 * Every server does what the benchmark's program asks and nothing more: echo the 32-byte payload,
 * or count the bytes of a sink call. KIND:
 *
 * - `dgram`: raw node:dgram echo, the UDP ceiling. Sends to the address literal it got, with a
 *   synchronous lookup (Node would otherwise look the literal up on every send).
 * - `tcp`: raw node:net echo (the TCP ceiling) on `port`, and a sink on `sinkPort` (8-byte length,
 *   then the bytes; answers the 8-byte count when they have all arrived).
 * - `lupine`, `lupine-secure`, `onc-udp`, `onc-tcp`: Lupine's runtime serving BENCH_PROG
 *   (bench/c/bench.x) over that transport, all defaults; the secure server's private key comes in
 *   base64 in the environment variable LUPINE_BENCH_KEY.
 * - `lupine-stream`: the same over Lupine, its sink a `streamed()` handler that counts the bytes as
 *   they arrive and keeps none (docs/protocol.md §5.1), as the TCP sink does.
 * - `grpc`: @grpc/grpc-js unary Echo and Sink of raw bytes (`grpc-service.ts`).
 */
import * as dgram from "node:dgram";
import type { LookupOneOptions } from "node:dns";
import * as net from "node:net";
import type * as grpc from "@grpc/grpc-js";
import { createServer, type OpaqueStream, silentLogger, streamed } from "../../src/index.js";
import { decodeKey } from "../../src/secure/key-text.js";
import { x25519 } from "../../src/secure/node-crypto.js";
import { BenchProgV1 } from "../gen/bench.js";
import { exitWithStdin } from "./procs.js";

type Served = { port: number; sinkPort?: number; stop(): void };

async function serveDgram(host: string): Promise<Served> {
  const lookup = (
    address: string,
    _o: LookupOneOptions,
    cb: (e: Error | null, a: string, f: number) => void,
  ) => cb(null, address, 4);
  const s = dgram.createSocket({
    type: "udp4",
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
    lookup: lookup as unknown as dgram.SocketOptions["lookup"],
  });
  s.on("message", (m, r) => s.send(m, r.port, r.address));
  await new Promise<void>((r) => s.bind(0, host, r));
  return { port: s.address().port, stop: () => s.close() };
}

function sinkConnection(sock: net.Socket): void {
  let want = -1;
  let got = 0;
  let head = Buffer.alloc(0);
  sock.on("data", (d: Buffer) => {
    let chunk = d;
    if (want < 0) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 8) return;
      want = Number(head.readBigUInt64BE(0));
      chunk = head.subarray(8);
    }
    got += chunk.length;
    if (got >= want) {
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(BigInt(got));
      sock.write(out);
      want = -1;
      got = 0;
      head = Buffer.alloc(0);
    }
  });
}

async function listenTcp(host: string, onConnection: (s: net.Socket) => void) {
  const server = net.createServer({ noDelay: true }, onConnection);
  await new Promise<void>((r) => server.listen(0, host, r));
  return server;
}

async function serveTcp(host: string): Promise<Served> {
  const echo = await listenTcp(host, (sock) => sock.on("data", (d) => sock.write(d)));
  const sink = await listenTcp(host, sinkConnection);
  return {
    port: (echo.address() as net.AddressInfo).port,
    sinkPort: (sink.address() as net.AddressInfo).port,
    stop: () => {
      echo.close();
      sink.close();
    },
  };
}

async function serveLupineRuntime(kind: string, host: string): Promise<Served> {
  const key = process.env.LUPINE_BENCH_KEY;
  const server = createServer({
    logger: silentLogger,
    ...(kind === "lupine-secure" && key !== undefined
      ? { lupine: { keyPair: x25519.keyPairFromPrivate(decodeKey(key)) } }
      : {}),
  });
  const sink =
    kind === "lupine-stream"
      ? streamed(async (data: OpaqueStream) => {
          let n = 0;
          for await (const chunk of data) n += chunk.length;
          return n;
        })
      : (b: Uint8Array) => b.length;
  server.register(BenchProgV1, { echo: (x) => x, echoBytes: (b) => b, sink });
  const scheme = kind === "onc-udp" ? "udp" : kind === "onc-tcp" ? "tcp" : "lupine";
  const [address] = await server.listen(`${scheme}://${host}:0`);
  return { port: address!.port, stop: () => void server.close(0) };
}

async function serveGrpc(host: string): Promise<Served> {
  const grpc = await import("@grpc/grpc-js");
  const { grpcService } = await import("./grpc-service.js");
  const server = new grpc.Server();
  server.addService(grpcService, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb(null, call.request),
    sink: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(call.request.length);
      cb(null, out);
    },
  });
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? rej(e) : res(p),
    ),
  );
  return { port, stop: () => server.forceShutdown() };
}

async function main(): Promise<void> {
  const [kind = "", host = "127.0.0.1"] = process.argv.slice(2);
  let served: Served;
  if (kind === "dgram") served = await serveDgram(host);
  else if (kind === "tcp") served = await serveTcp(host);
  else if (kind === "grpc") served = await serveGrpc(host);
  else if (["lupine", "lupine-stream", "lupine-secure", "onc-udp", "onc-tcp"].includes(kind))
    served = await serveLupineRuntime(kind, host);
  else {
    console.error(`server.js: unknown kind ${kind}`);
    process.exit(2);
  }
  const { stop, ...ports } = served;
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  exitWithStdin(() => {
    stop();
    process.exit(0);
  });
}

if (process.argv[1]?.endsWith("server.js")) void main();
