/**
 * The running servers of one comparison setting (loopback, or a netlab link) and the measured
 * windows against them. Small calls: one client process per system and depth, opened (and warmed
 * up) before the first round and told `go` once per round; a bulk transfer: a fresh client
 * process. The server's CPU time is read just before `go` and just after the result.
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

/** What a small-call client keeps up for every round. */
export interface Load {
  readonly inFlight: number;
  readonly warmMs: number;
  readonly windowMs: number;
}

/** The servers of one setting. */
export class Fleet {
  private readonly servers = new Map<ServerKind, Running>();
  private readonly clients = new Map<string, LineProc>();
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

  /** Stops every client and server. */
  stop(): void {
    for (const c of this.clients.values()) c.stop();
    this.clients.clear();
    for (const s of this.servers.values()) {
      s.proc.stop();
      if (s.ports.udp !== undefined) s.proc.child.kill("SIGTERM"); // the C server ignores stdin
    }
    this.servers.clear();
  }

  /**
   * Starts `s`'s client for `w` (it connects and warms up) unless it runs already; it then stays
   * up for every window of {@link calls}.
   */
  async open(s: SystemSpec, w: Load): Promise<LineProc> {
    const key = `${s.name}|${w.inFlight}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client =
        s.client === "c-udp" || s.client === "c-tcp"
          ? this.cClient(s, ["echo", String(PAYLOAD_BYTES), String(w.warmMs), String(w.windowMs)])
          : this.node(s, { mode: "calls", ...w, bulkBytes: 0, chunkBytes: 0 });
      this.clients.set(key, client);
      try {
        await client.json("ready", 120_000);
      } catch (e) {
        this.clients.delete(key);
        client.stop();
        throw e;
      }
    }
    return client;
  }

  /** One window of echo calls with `w.inFlight` outstanding (opening the client if need be). */
  async calls(s: SystemSpec, w: Load): Promise<Measured<CallsResult>> {
    const client = await this.open(s, w);
    try {
      return await this.window<CallsResult>(s, client, w.windowMs);
    } catch (e) {
      this.clients.delete(`${s.name}|${w.inFlight}`);
      client.stop();
      throw e;
    }
  }

  /** One bulk transfer of `bytes` in calls of `chunkBytes` (all: one call) with `inFlight`. */
  async bulk(
    s: SystemSpec,
    t: { bytes: number; chunkBytes: number | "all"; inFlight: number },
  ): Promise<Measured<BulkResult>> {
    const chunk = t.chunkBytes === "all" ? t.bytes : t.chunkBytes;
    const config = { mode: "bulk", inFlight: t.inFlight, warmMs: 0, windowMs: 0 } as const;
    const client =
      s.client === "c-udp" || s.client === "c-tcp"
        ? this.cClient(s, ["sink", String(t.bytes), String(chunk)])
        : this.node(s, { ...config, bulkBytes: t.bytes, chunkBytes: chunk });
    try {
      await client.json("ready", 120_000);
      return await this.window<BulkResult>(s, client, 30 * 60_000);
    } finally {
      client.stop();
      await client.done();
    }
  }

  /** The rpcgen C client of `s`: `bench-client HOST udp|tcp PORT MODE ARGS...`. */
  private cClient(s: SystemSpec, args: string[]): LineProc {
    const [proto, port] = this.target(s);
    const argv = [this.options.host, proto, String(port), ...args];
    return new LineProc(
      `${s.name} client`,
      (this.options.c as CPeers).client,
      argv,
      this.options.client,
    );
  }

  /**
   * The protocol and port `s`'s client talks to: the rpcgen C server has one port per protocol,
   * picked by the client (a C client, or a Lupine ONC client); the others have one.
   */
  private target(s: SystemSpec): [string, number] {
    const ports = this.servers.get(s.server)!.ports;
    const udp = s.client === "c-udp" || s.client === "onc-udp" || s.server === "onc-udp";
    return [udp ? "udp" : "tcp", (udp ? ports.udp : ports.tcp) ?? ports.port];
  }

  /** The Node client of `s` (bench/compare/client.ts). */
  private node(
    s: SystemSpec,
    w: Pick<ClientConfig, "mode" | "inFlight" | "warmMs" | "windowMs" | "bulkBytes" | "chunkBytes">,
  ): LineProc {
    const ports = this.servers.get(s.server)!.ports;
    const config: ClientConfig = {
      kind: s.client as ClientKind,
      host: this.options.host,
      port: this.target(s)[1],
      ...(ports.sinkPort === undefined ? {} : { sinkPort: ports.sinkPort }),
      ...(s.client === "lupine-secure" ? { serverKey: encodeKey(this.keys.publicKey) } : {}),
      payloadBytes: PAYLOAD_BYTES,
      warmCalls: this.options.warmCalls,
      ...w,
    };
    const args = [join(here, "client.js"), JSON.stringify(config)];
    return new LineProc(`${s.name} client`, process.execPath, args, this.options.client);
  }

  /** One `go` to a ready client, its result, and the server's CPU time meanwhile. */
  private async window<R>(s: SystemSpec, client: LineProc, budgetMs: number): Promise<Measured<R>> {
    const server = this.servers.get(s.server)!;
    const s0 = this.options.serverCpu ? procCpuUs(server.proc.pid) : Number.NaN;
    client.send("go");
    const { result } = await client.json<{ result: R }>("result", budgetMs + 60_000);
    const s1 = this.options.serverCpu ? procCpuUs(server.proc.pid) : Number.NaN;
    return { result, serverCpuUs: s1 - s0 };
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
