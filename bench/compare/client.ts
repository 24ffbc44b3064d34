/**
 * Client process of the cross-system comparison: `node client.js CONFIG_JSON` (a
 * {@link ClientConfig}), one measured window per process (bench/compare/procs.ts has the
 * protocol). Connects, warms up (ping-pong, then the window's own load), prints `{"ready":true}`,
 * and on each `go` either keeps `inFlight` echo calls of `payloadBytes` outstanding for
 * `windowMs` (`calls`: one window per `go`, for as many rounds as the parent runs) or moves
 * `bulkBytes` to the server's sink in calls of `chunkBytes` with `inFlight` outstanding (`bulk`:
 * once), and prints `{"result": ...}` with this process's CPU time over the measured part.
 *
 * The ceilings use plain Node sockets with nothing an RPC system could not use too: the dgram
 * client a connected socket, sends without a callback, one datagram per call; the TCP client
 * `noDelay`, one write per call; both match replies in order (loopback does not reorder).
 */
import * as dgram from "node:dgram";
import * as net from "node:net";
import { goSignals } from "./procs.js";

/** Client kinds: the servers of `server.ts`. */
export type ClientKind =
  | "dgram"
  | "tcp"
  | "lupine"
  | "lupine-stream"
  | "lupine-secure"
  | "onc-udp"
  | "onc-tcp"
  | "grpc";

/** What one client process does. */
export interface ClientConfig {
  readonly kind: ClientKind;
  readonly host: string;
  readonly port: number;
  /** The TCP kind's sink port. */
  readonly sinkPort?: number;
  /** The secure server's public key (base64). */
  readonly serverKey?: string;
  readonly mode: "calls" | "bulk";
  readonly inFlight: number;
  /** Ping-pong calls first (connection set-up, JIT), then `warmMs` at the window's load. */
  readonly warmCalls: number;
  readonly warmMs: number;
  readonly windowMs: number;
  readonly payloadBytes: number;
  readonly bulkBytes: number;
  readonly chunkBytes: number;
}

/** What a `calls` window measured. */
export interface CallsResult {
  readonly calls: number;
  readonly seconds: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly cpuUs: number;
  /** Calls still unanswered 10 s after the window (abandoned, not counted). */
  readonly abandoned: number;
}

/** What a `bulk` transfer measured. */
export interface BulkResult {
  readonly bytes: number;
  readonly seconds: number;
  readonly cpuUs: number;
}

interface Caller {
  echo(): Promise<unknown>;
  /** One sink call of `chunk`; resolves with the byte count the server saw. */
  sink?(chunk: Uint8Array): Promise<number>;
  /** A whole transfer as a byte stream (the TCP ceiling), instead of sink calls. */
  stream?(bytes: number, chunk: Uint8Array): Promise<void>;
}

/** Replies matched in order of the requests. */
class Fifo {
  private waiting: (() => void)[] = [];
  private head = 0;
  push(w: () => void): void {
    this.waiting.push(w);
  }
  shift(): void {
    const w = this.waiting[this.head];
    if (w === undefined) return;
    this.waiting[this.head++] = undefined as unknown as () => void;
    if (this.head > 4096 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    w();
  }
}

async function rawDgram(c: ClientConfig): Promise<Caller> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(0, r));
  await new Promise<void>((r) => s.connect(c.port, c.host, r));
  const fifo = new Fifo();
  s.on("message", () => fifo.shift());
  const msg = Buffer.alloc(c.payloadBytes);
  return {
    echo: () =>
      new Promise<void>((resolve) => {
        fifo.push(resolve);
        s.send(msg);
      }),
  };
}

async function connectTcp(host: string, port: number): Promise<net.Socket> {
  const sock = net.connect({ host, port, noDelay: true });
  await new Promise<void>((r, j) => {
    sock.once("connect", () => r());
    sock.once("error", j);
  });
  return sock;
}

async function rawTcp(c: ClientConfig): Promise<Caller> {
  const sock = await connectTcp(c.host, c.port);
  const fifo = new Fifo();
  const size = c.payloadBytes;
  let pending = 0;
  sock.on("data", (d: Buffer) => {
    pending += d.length;
    while (pending >= size) {
      pending -= size;
      fifo.shift();
    }
  });
  const msg = Buffer.alloc(size);
  return {
    echo: () =>
      new Promise<void>((resolve) => {
        fifo.push(resolve);
        sock.write(msg);
      }),
    stream: async (bytes, chunk) => {
      const s = await connectTcp(c.host, c.sinkPort ?? 0);
      const answered = new Promise<void>((r) => s.once("data", () => r()));
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(bytes));
      s.write(head);
      // Up to 4 chunks queued (as the RPC systems keep 4 calls in flight), then wait for drain.
      for (let at = 0; at < bytes; at += chunk.length) {
        s.write(chunk.subarray(0, Math.min(chunk.length, bytes - at)));
        if (s.writableLength >= 4 * chunk.length)
          await new Promise<void>((r) => s.once("drain", () => r()));
      }
      await answered;
      s.destroy();
    },
  };
}

async function lupineRuntime(c: ClientConfig): Promise<Caller> {
  // Loaded only here: the ceilings' processes start without the runtime.
  const { createClient } = await import("../../src/index.js");
  const { BenchProgV1 } = await import("../gen/bench.js");
  const scheme = c.kind === "onc-udp" ? "udp" : c.kind === "onc-tcp" ? "tcp" : "lupine";
  const key = c.kind === "lupine-secure" ? `?key=${encodeURIComponent(c.serverKey ?? "")}` : "";
  const client = createClient(BenchProgV1, `${scheme}://${c.host}:${c.port}${key}`, {
    timeoutMs: c.mode === "bulk" ? 3_600_000 : 30_000,
    lupine: { maxCallsInFlight: 1024 },
  });
  const payload = new Uint8Array(c.payloadBytes);
  return { echo: () => client.echoBytes(payload), sink: (chunk) => client.sink(chunk) };
}

async function grpcClient(c: ClientConfig): Promise<Caller> {
  const grpc = await import("@grpc/grpc-js");
  const { grpcService } = await import("./grpc-service.js");
  const Ctor = grpc.makeGenericClientConstructor(grpcService, "Bench");
  const client = new Ctor(`${c.host}:${c.port}`, grpc.credentials.createInsecure()) as unknown as {
    echo(b: Buffer, cb: (e: Error | null, r?: Buffer) => void): void;
    sink(b: Buffer, cb: (e: Error | null, r?: Buffer) => void): void;
  };
  const call = (m: "echo" | "sink", b: Buffer) =>
    new Promise<Buffer>((res, rej) => client[m](b, (e, r) => (e ? rej(e) : res(r!))));
  const payload = Buffer.alloc(c.payloadBytes);
  return {
    echo: () => call("echo", payload),
    sink: async (chunk) =>
      (await call("sink", Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))).readUInt32BE(
        0,
      ),
  };
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Latencies of one window, µs (allocated once: its pages are touched before any window). */
const lat = new Float64Array(1 << 22).fill(0);

/** Keeps `inFlight` calls outstanding for `ms`: each lane starts its next call as one ends. */
async function drive(inFlight: number, ms: number, op: () => Promise<unknown>) {
  let n = 0;
  let started = 0;
  const cpu0 = cpuUs();
  const start = performance.now();
  const end = start + ms;
  const lane = async () => {
    for (let t0 = performance.now(); t0 < end; t0 = performance.now()) {
      started++;
      await op();
      if (n < lat.length) lat[n] = (performance.now() - t0) * 1000;
      n++;
    }
  };
  // A lane whose reply never comes (a lost datagram) must not hang the run: lanes still waiting
  // 10 s after the window are abandoned, and their calls not counted.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(Array.from({ length: inFlight }, lane)),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms + 10_000);
    }),
  ]);
  clearTimeout(timer);
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuUs() - cpu0;
  const sorted = lat.slice(0, Math.min(n, lat.length)).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  const result: CallsResult = {
    calls: n,
    seconds,
    p50us: at(0.5),
    p99us: at(0.99),
    cpuUs: cpu,
    abandoned: started - n,
  };
  return result;
}

async function bulk(caller: Caller, c: ClientConfig): Promise<BulkResult> {
  const chunk = new Uint8Array(c.chunkBytes);
  for (let i = 0; i < chunk.length; i += 4096) chunk[i] = i >>> 12;
  const cpu0 = cpuUs();
  const start = performance.now();
  if (caller.stream !== undefined) {
    await caller.stream(c.bulkBytes, chunk);
  } else {
    const sink = caller.sink!;
    let next = 0;
    const lane = async () => {
      while (next < c.bulkBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, c.bulkBytes - next));
        next += piece.length;
        const seen = await sink(piece);
        if (seen !== piece.length) throw new Error(`sink saw ${seen} bytes of ${piece.length}`);
      }
    };
    await Promise.all(Array.from({ length: c.inFlight }, lane));
  }
  return { bytes: c.bulkBytes, seconds: (performance.now() - start) / 1000, cpuUs: cpuUs() - cpu0 };
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2] ?? "{}") as ClientConfig;
  const caller =
    c.kind === "dgram"
      ? await rawDgram(c)
      : c.kind === "tcp"
        ? await rawTcp(c)
        : c.kind === "grpc"
          ? await grpcClient(c)
          : await lupineRuntime(c);
  for (let i = 0; i < c.warmCalls; i++) await caller.echo();
  const echo = () => caller.echo();
  if (c.mode === "calls") {
    await drive(c.inFlight, c.warmMs, echo);
    const go = goSignals();
    while (await go.next())
      process.stdout.write(
        `${JSON.stringify({ result: await drive(c.inFlight, c.windowMs, echo) })}\n`,
      );
  } else {
    if (caller.sink !== undefined)
      await caller.sink(new Uint8Array(Math.min(c.chunkBytes, 1 << 20)));
    if (await goSignals().next())
      process.stdout.write(`${JSON.stringify({ result: await bulk(caller, c) })}\n`);
  }
  process.exit(0);
}

if (process.argv[1]?.endsWith("client.js")) void main();
