/**
 * Bulk sender for the lossy-link benchmark, run inside a netlab host:
 * `node bulk-client.js tcp|lupine HOST PORT BYTES [MTU]` moves BYTES to the sink server of that
 * kind (bench/servers/echo-servers.ts) and prints `{"mbs": N, "seconds": N, ...}`.
 */
import * as net from "node:net";
import { connectLupine } from "../../src/transport/lupine-node.js";
import { BENCH_PROGRAM, BENCH_SINK } from "./echo-servers.js";

async function tcp(host: string, port: number, data: Uint8Array): Promise<Record<string, number>> {
  const sock = net.connect(port, host);
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const t0 = performance.now();
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(data.length));
  sock.write(head);
  for (let at = 0; at < data.length; at += 1 << 20) {
    if (!sock.write(data.subarray(at, Math.min(data.length, at + (1 << 20))))) {
      await new Promise<void>((r) => sock.once("drain", () => r()));
    }
  }
  await new Promise<void>((r) => sock.once("data", () => r()));
  const seconds = (performance.now() - t0) / 1000;
  sock.destroy();
  return { mbs: data.length / 1e6 / seconds, seconds };
}

async function lupine(
  host: string,
  port: number,
  data: Uint8Array,
  mtu: number,
): Promise<Record<string, unknown>> {
  const t = await connectLupine({ host, port }, { maxDatagramBytes: mtu });
  const t0 = performance.now();
  await t.call({
    program: BENCH_PROGRAM,
    version: 1,
    procedure: BENCH_SINK,
    procedureName: "SINK",
    timeoutMs: 3_600_000,
    writeArgs: (w) => w.writeVarOpaque(data),
    readResult: (r) => [r.readUint(), r.readUint()],
  });
  const seconds = (performance.now() - t0) / 1000;
  const s = t.stats();
  await t.close();
  return {
    mbs: data.length / 1e6 / seconds,
    seconds,
    retransmissions: s.retransmissions,
    cwndBytes: Math.round(s.cwndBytes),
    srttMs: s.srttMs,
    minRttMs: s.minRttMs,
    congestionEvents: s.congestionEvents,
    toleratedLosses: s.toleratedLosses,
    reductions: s.reductions,
    datagramsSent: s.datagramsSent,
    datagramsReceived: s.datagramsReceived,
  };
}

const [kind, host, port, bytes, mtu] = process.argv.slice(2);
const data = new Uint8Array(Number(bytes));
for (let i = 0; i < data.length; i += 1000) data[i] = i & 0xff;
const result =
  kind === "tcp"
    ? await tcp(host!, Number(port), data)
    : await lupine(host!, Number(port), data, Number(mtu ?? "1472"));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
