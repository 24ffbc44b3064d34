/**
 * Servers for bench/lupine.bench.ts, one per process: `node echo-servers.js KIND [HOST [MTU]]`,
 * where KIND is `lupine` (the Lupine transport serving a sink procedure), `tcp` (Node TCP sink:
 * counts bytes, answers when a whole message arrived) or `tcp-assemble` (the same, copying the
 * message into one buffer). Prints `{"port": N}` on stdout when ready; exits on stdin end. (The
 * servers of the cross-system comparison are bench/compare/server.ts.)
 */
import * as net from "node:net";
import type { Dispatcher } from "../../src/runtime/transport.js";
import { listenLupine } from "../../src/transport/lupine-node.js";

export const BENCH_PROGRAM = 0x2000_4c42;
export const BENCH_SINK = 2;

const benchDispatcher: Dispatcher = {
  dispatch(call) {
    if (call.program !== BENCH_PROGRAM) return { status: "prog_unavail" };
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

/**
 * The same sink, its argument read as it arrives (`Dispatcher.streams`): the bytes are summed as
 * the other samples them and dropped, never held whole — the analogue of the TCP sink.
 */
const streamingDispatcher: Dispatcher = {
  streams: (program, _version, procedure) => program === BENCH_PROGRAM && procedure === BENCH_SINK,
  async dispatch(call) {
    if (call.body === undefined) return benchDispatcher.dispatch(call);
    const n = call.args.readUint();
    let sum = 0;
    let at = 0;
    const add = (c: Uint8Array) => {
      // Bytes at offsets that are multiples of 65,536, as the whole sink samples them.
      for (let i = (65536 - (at % 65536)) % 65536; i < c.length && at + i < n; i += 65536)
        sum = (sum + c[i]!) >>> 0;
      at += c.length;
    };
    add(call.args.bytes.subarray(call.args.pos, call.args.end));
    for await (const c of call.body) add(c);
    return {
      status: "success",
      writeResult: (w) => {
        w.writeUint(n >>> 0);
        w.writeUint(sum);
      },
    };
  },
};

async function main(): Promise<void> {
  const kind = process.argv[2];
  const host = process.argv[3] ?? "127.0.0.1";
  const mtu = Number(process.argv[4] ?? "1472");
  let port = 0;
  let stop: () => void = () => {};
  if (kind === "lupine" || kind === "lupine-stream") {
    const dispatcher = kind === "lupine" ? benchDispatcher : streamingDispatcher;
    const { transport, address } = await listenLupine(dispatcher, {
      host,
      maxDatagramBytes: mtu,
      maxCallsPerSession: 4096,
    });
    port = address.port;
    stop = () => void transport.close(0);
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
  process.stdin.resume();
  process.stdin.on("end", () => {
    stop();
    process.exit(0);
  });
}

if (process.argv[1]?.endsWith("echo-servers.js")) void main();
