/**
 * The running servers of one comparison setting (loopback, or a netlab link) and the measured
 * windows against them: each window is a fresh client process, told `go` once it has warmed up;
 * the server's CPU time is read just before `go` and just after the result.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeRandom } from "../../src/io/node/random.js";
import { encodeKey } from "../../src/secure/key-text.js";
import { x25519 } from "../../src/secure/node-crypto.js";
import type { CPeers } from "./c-peers.js";
import type { BulkResult, CallsResult, ClientConfig, ClientKind } from "./client.js";
import { LineProc, type Placement, procCpuUs } from "./procs.js";
import { PAYLOAD_BYTES, type ServerKind, type SystemSpec } from "./systems.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the servers and clients of a setting run. */
export interface FleetOptions {
  /** The address clients connect to. */
  readonly host: string;
  /** The address servers bind. */
  readonly bindHost: string;
  readonly server: Placement;
  readonly client: Placement;
  /** The built C peers, or why there are none. */
  readonly c: CPeers | string;
  /** Whether the servers' CPU time can be read from here (not inside netlab hosts). */
  readonly serverCpu: boolean;
  /** Ping-pong calls each Node client makes before warming up at its load. */
  readonly warmCalls: number;
}

interface Running {
  readonly proc: LineProc;
  readonly ports: { port: number; sinkPort?: number; udp?: number; tcp?: number };
}

/** A measured window's client result and the server's CPU time over it (NaN if unknown). */
export type Measured<R> = { result: R; serverCpuUs: number };

/** The servers of one setting. */
export class Fleet {
  private readonly servers = new Map<ServerKind, Running>();
  private readonly keys = x25519.generateKeyPair(nodeRandom);
  constructor(private readonly options: FleetOptions) {}

  /** Why `s` cannot run in this setting, if it cannot. */
  missing(s: SystemSpec): string | undefined {
    const usesC = s.server === "c" || s.client === "c-udp" || s.client === "c-tcp";
    return usesC && typeof this.options.c === "string" ? this.options.c : undefined;
  }

  /** Starts the server of every system given (each kind once). */
  async start(systems: readonly SystemSpec[]): Promise<void> {
    const kinds = new Set(
      systems.filter((s) => this.missing(s) === undefined).map((s) => s.server),
    );
    await Promise.all(
      [...kinds]
        .filter((k) => !this.servers.has(k))
        .map(async (k) => this.servers.set(k, await this.startServer(k))),
    );
  }

  /** Stops every server. */
  stop(): void {
    for (const s of this.servers.values()) {
      s.proc.stop();
      if (s.ports.udp !== undefined) s.proc.child.kill("SIGTERM"); // the C server ignores stdin
    }
    this.servers.clear();
  }

  /** One window of echo calls with `inFlight` outstanding. */
  calls(
    s: SystemSpec,
    w: { inFlight: number; warmMs: number; windowMs: number },
  ): Promise<Measured<CallsResult>> {
    const c = this.options.c;
    if (s.client === "c-udp" || s.client === "c-tcp") {
      const [proto, port] = this.cPort(s);
      const args = [proto, String(port), "echo", String(PAYLOAD_BYTES), String(w.warmMs)];
      return this.window(
        s,
        (c as CPeers).client,
        [this.options.host, ...args, String(w.windowMs)],
        w.windowMs,
      );
    }
    return this.node(s, { mode: "calls", ...w, bulkBytes: 0, chunkBytes: 0 }, w.windowMs);
  }

  /** One bulk transfer of `bytes` in calls of `chunkBytes` (all: one call) with `inFlight`. */
  bulk(
    s: SystemSpec,
    t: { bytes: number; chunkBytes: number | "all"; inFlight: number },
  ): Promise<Measured<BulkResult>> {
    const chunk = t.chunkBytes === "all" ? t.bytes : t.chunkBytes;
    const budgetMs = 30 * 60_000;
    if (s.client === "c-udp" || s.client === "c-tcp") {
      const [proto, port] = this.cPort(s);
      const args = [proto, String(port), "sink", String(t.bytes), String(chunk)];
      return this.window(
        s,
        (this.options.c as CPeers).client,
        [this.options.host, ...args],
        budgetMs,
      );
    }
    const config = { mode: "bulk", inFlight: t.inFlight, warmMs: 0, windowMs: 0 } as const;
    return this.node(s, { ...config, bulkBytes: t.bytes, chunkBytes: chunk }, budgetMs);
  }

  /**
   * The protocol and port `s`'s client talks to: the rpcgen C server has one port per protocol,
   * picked by the client (a C client, or a Lupine ONC client); the others have one.
   */
  private cPort(s: SystemSpec): [string, number] {
    const ports = this.servers.get(s.server)!.ports;
    const udp = s.client === "c-udp" || s.client === "onc-udp" || s.server === "onc-udp";
    return [udp ? "udp" : "tcp", (udp ? ports.udp : ports.tcp) ?? ports.port];
  }

  private node<R>(
    s: SystemSpec,
    w: Pick<ClientConfig, "mode" | "inFlight" | "warmMs" | "windowMs" | "bulkBytes" | "chunkBytes">,
    budgetMs: number,
  ): Promise<Measured<R>> {
    const ports = this.servers.get(s.server)!.ports;
    const config: ClientConfig = {
      kind: s.client as ClientKind,
      host: this.options.host,
      port: this.cPort(s)[1],
      ...(ports.sinkPort === undefined ? {} : { sinkPort: ports.sinkPort }),
      ...(s.client === "lupine-secure" ? { serverKey: encodeKey(this.keys.publicKey) } : {}),
      payloadBytes: PAYLOAD_BYTES,
      warmCalls: this.options.warmCalls,
      ...w,
    };
    const script = join(here, "client.js");
    return this.window(s, process.execPath, [script, JSON.stringify(config)], budgetMs);
  }

  private async window<R>(
    s: SystemSpec,
    cmd: string,
    args: string[],
    budgetMs: number,
  ): Promise<Measured<R>> {
    const server = this.servers.get(s.server)!;
    const client = new LineProc(`${s.name} client`, cmd, args, this.options.client);
    try {
      await client.json("ready", 120_000);
      const s0 = this.options.serverCpu ? procCpuUs(server.proc.pid) : Number.NaN;
      client.send("go");
      const { result } = await client.json<{ result: R }>("result", budgetMs + 60_000);
      const s1 = this.options.serverCpu ? procCpuUs(server.proc.pid) : Number.NaN;
      return { result, serverCpuUs: s1 - s0 };
    } finally {
      client.stop();
      await client.done();
    }
  }

  private async startServer(kind: ServerKind): Promise<Running> {
    const o = this.options;
    if (kind === "c") {
      const proc = new LineProc("rpcgen C server", (o.c as CPeers).server, [], o.server);
      const m = await proc.next((l) => /ready udp (\d+) tcp (\d+)/.exec(l) ?? undefined, 30_000);
      return { proc, ports: { port: 0, udp: Number(m[1]), tcp: Number(m[2]) } };
    }
    const env =
      kind === "lupine-secure" ? { LUPINE_BENCH_KEY: encodeKey(this.keys.privateKey) } : {};
    const proc = new LineProc(
      `${kind} server`,
      process.execPath,
      [join(here, "server.js"), kind, o.bindHost],
      {
        ...o.server,
        env: { ...o.server.env, ...env },
      },
    );
    const ports = await proc.json<{ port: number; sinkPort?: number }>("port", 30_000);
    return { proc, ports };
  }
}
