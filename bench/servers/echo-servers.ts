/**
 * Servers for bench/lupine.bench.ts, one per process: `node echo-servers.js KIND`, where KIND is
 * `dgram` (raw UDP echo), `lupine` (Lupine transport: echo and sink procedures), `grpc` (grpc-js
 * unary echo and sink, raw bytes, no protobuf) or `tcp` (Node TCP sink: counts bytes, answers
 * when a whole message arrived). Prints `{"port": N}` on stdout when ready, answers `cpu` on
 * stdin with its CPU time, and exits when stdin ends (bench/procs.ts).
 */
import * as dgram from "node:dgram";
import type { LookupOneOptions } from "node:dns";
import * as net from "node:net";
import * as grpc from "@grpc/grpc-js";
import type { Dispatcher } from "../../src/runtime/transport.js";
import { listenLupine } from "../../src/transport/lupine-node.js";
import { serveControl } from "../procs.js";

export const BENCH_PROGRAM = 0x2000_4c42;
export const BENCH_ECHO = 1;
export const BENCH_SINK = 2;

/** gRPC service: raw bytes in and out. */
export const grpcService: grpc.ServiceDefinition = {
  echo: {
    path: "/lupine.Bench/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};

const benchDispatcher: Dispatcher = {
  dispatch(call) {
    if (call.program !== BENCH_PROGRAM) return { status: "prog_unavail" };
    if (call.procedure === BENCH_ECHO) {
      const b = call.args.readVarOpaque();
      return { status: "success", writeResult: (w) => w.writeVarOpaque(b) };
    }
    if (call.procedure === BENCH_SINK) {
      const b = call.args.readVarOpaque();
      let sum = 0;
      for (let i = 0; i < b.length; i += 65536) sum = (sum + b[i]!) >>> 0;
      const n = b.length;
      return {
        status: "success",
        writeResult: (w) => {
          w.writeUint(n >>> 0);
          w.writeUint(sum);
        },
      };
    }
    return { status: "proc_unavail" };
  },
};

async function main(): Promise<void> {
  const kind = process.argv[2];
  const host = process.argv[3] ?? "127.0.0.1";
  // A datagram size, or "default" (the transport's choice per destination).
  const mtuArg = process.argv[4] ?? "default";
  const sizeOption = mtuArg === "default" ? {} : { maxDatagramBytes: Number(mtuArg) };
  let port = 0;
  let stop: () => void = () => {};
  if (kind === "dgram") {
    // Node looks up every destination, even an address literal (a process.nextTick each); the
    // Lupine server answers literals synchronously, and so does this echo server.
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
    port = s.address().port;
    stop = () => s.close();
  } else if (kind === "lupine") {
    const { transport, address } = await listenLupine(benchDispatcher, {
      host,
      ...sizeOption,
      maxCallsPerSession: 4096,
    });
    port = address.port;
    stop = () => void transport.close(0);
  } else if (kind === "grpc") {
    const server = new grpc.Server();
    server.addService(grpcService, {
      echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
        cb(null, call.request),
    });
    port = await new Promise<number>((res, rej) =>
      server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? rej(e) : res(p),
      ),
    );
    stop = () => server.forceShutdown();
  } else if (kind === "tcp" || kind === "tcp-assemble") {
    // `tcp-assemble` copies the message into one buffer of its size, as an RPC server must hand
    // a whole argument to its handler (and as Lupine's reassembly does); `tcp` discards it.
    const assemble = kind === "tcp-assemble";
    const server = net.createServer((sock) => {
      // Protocol: 8-byte big-endian length, then that many bytes; answer 8 bytes (the count).
      let want = -1;
      let got = 0;
      let head = Buffer.alloc(0);
      let message: Uint8Array | null = null;
      sock.on("data", (d: Buffer) => {
        let chunk = d;
        if (want < 0) {
          head = Buffer.concat([head, chunk]);
          if (head.length < 8) return;
          want = Number(head.readBigUInt64BE(0));
          chunk = head.subarray(8);
          if (assemble) message = new Uint8Array(want);
        }
        message?.set(chunk.subarray(0, Math.max(0, want - got)), got);
        got += chunk.length;
        if (got >= want) {
          const out = Buffer.alloc(8);
          out.writeBigUInt64BE(BigInt(got));
          sock.write(out);
          want = -1;
          got = 0;
          head = Buffer.alloc(0);
          message = null;
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, host, r));
    port = (server.address() as net.AddressInfo).port;
    stop = () => server.close();
  } else {
    console.error(`unknown server kind ${kind}`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  serveControl(() => {
    stop();
    process.exit(0);
  });
}

if (process.argv[1]?.endsWith("echo-servers.js")) void main();
