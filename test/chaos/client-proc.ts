/**
 * A lab client process: opens `sessions` client transports (each one Lupine session, or one ONC
 * UDP client) and keeps `concurrency` calls going on each, checking every result, until its call
 * budget or its time is used up; then reports what became of every call.
 *
 * Usage: `node client-proc.js '<ClientConfig as JSON>'`. Events: `ready` (sessions made; with
 * `waitForGo` it then waits for `{"cmd":"go"}`), `done` (the summary). Commands: `stats` (the
 * sessions' summed transport statistics and memory), `stop` (issue no new calls, finish).
 * Per-call records go to `recordFile` as JSON lines `[callId, session, startedAt, settledAt,
 * outcome, serverPid]` (times: ms since the Unix epoch, comparable across processes).
 */
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { LupineClientSchemeOptions } from "../../src/connect/lupine-scheme.js";
import {
  type BalancePolicy,
  type ClientTransport,
  createClient,
  createTransport,
  isRpcError,
} from "../../src/index.js";
import { nodeClock } from "../../src/io/node/clock.js";
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { nodeDefer } from "../../src/io/node/defer.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { openUdp } from "../../src/io/node/udp.js";
import { createLupineClient } from "../../src/transport/lupine-client.js";
import { emit, onCommands } from "./lines.js";
import { PortMux } from "./port-mux.js";
import { ChaosV1, fnv1a, payloadFor, sameBytes } from "./program.js";

/** What a lab client does. */
export interface ClientConfig {
  /** A runtime target (or list): each session is its own `createTransport`. */
  readonly target?: string | readonly string[];
  /** Instead: sessions multiplexed over one socket to this Lupine server (see port-mux.ts). */
  readonly mux?: { readonly host: string; readonly port: number };
  /** Unique per client process incarnation, below 2^21 (the execution log's key). */
  readonly clientId: number;
  readonly sessions: number;
  /** Calls kept going per session. */
  readonly concurrency: number;
  /** Calls per session at most (default: no limit; then `durationMs` must be set). */
  readonly callsPerSession?: number;
  /** Issue no new calls this long after `go`. */
  readonly durationMs?: number;
  readonly timeoutMs: number;
  /** The handler waits `delaysMs[callId % length]` ms (long calls); default none. */
  readonly delaysMs?: readonly number[];
  /**
   * Open loop: start calls at this rate per session regardless of how many are pending (instead
   * of `concurrency` workers each waiting for its call): what piles up when the server is cut off.
   */
  readonly openLoopPerSec?: number;
  readonly payloadBytes?: number;
  /** Payload sizes, `payloadSizes[callId % length]` (instead of `payloadBytes`). */
  readonly payloadSizes?: readonly number[];
  /** Every `echoEvery`-th call is ECHO (the payload comes back, checked byte for byte). */
  readonly echoEvery?: number;
  /** Pause between one worker's calls (ms). */
  readonly paceMs?: number;
  /** Session `i` starts `i / sessions × startSpreadMs` after go (arrivals spread out). */
  readonly startSpreadMs?: number;
  readonly waitForGo?: boolean;
  /** Count successes settled from this long after `go` to `durationMs` (`okInWindow`). */
  readonly windowFromMs?: number;
  readonly recordFile?: string;
  readonly lupine?: LupineClientSchemeOptions;
  readonly balance?: BalancePolicy;
}

/** The `done` event's body. */
export interface ClientSummary {
  readonly clientId: number;
  readonly started: number;
  readonly settled: number;
  /** `ok`, `wrong` (a result that is not this call's), an RpcError code, or `thrown`. */
  readonly outcomes: Record<string, number>;
  /** One message per outcome kind other than ok. */
  readonly examples: Record<string, string>;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Calls that succeeded per second between go and the last settlement. */
  readonly goodputPerSec: number;
  /** Successes settled between `windowFromMs` and `durationMs` after go. */
  readonly okInWindow: number;
  readonly stats: Record<string, number>;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The transport's statistics, through the lazy and balanced wrappers where they can be seen. */
function statsOf(t: unknown): Record<string, unknown> | undefined {
  const x = t as {
    stats?: (() => Record<string, unknown>) | Record<string, unknown>;
    transport?: unknown;
  };
  if (typeof x.stats === "function") return x.stats();
  if (typeof x.stats === "object") return x.stats; // the ONC UDP client's counters
  if (x.transport !== undefined) return statsOf(x.transport);
  return undefined;
}

function sumStats(transports: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of transports) {
    const s = statsOf(t);
    if (s === undefined) continue;
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === "number" && Number.isFinite(v)) out[k] = (out[k] ?? 0) + v;
    }
  }
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main(c: ClientConfig): Promise<void> {
  const transports: ClientTransport[] = [];
  let mux: PortMux | undefined;
  if (c.mux !== undefined) {
    mux = new PortMux(await openUdp({ recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 }));
    mux.socket.onError(() => {});
    const server = { address: c.mux.host, port: c.mux.port, family: "IPv4" as const };
    for (let i = 0; i < c.sessions; i++) {
      transports.push(
        createLupineClient({
          ...c.lupine,
          port: mux.open(),
          server,
          clock: nodeClock,
          random: nodeRandom,
          crc: nodeCrc32,
          defer: nodeDefer,
        }),
      );
    }
  } else {
    const options = {
      timeoutMs: c.timeoutMs,
      ...(c.lupine === undefined ? {} : { lupine: c.lupine }),
      ...(c.balance === undefined ? {} : { balance: c.balance }),
    };
    for (let i = 0; i < c.sessions; i++) {
      transports.push(createTransport(ChaosV1, c.target as string | string[], options));
    }
  }
  const clients = transports.map((t) => createClient(ChaosV1, t));
  const records: (number | string)[][] = [];
  const outcomes: Record<string, number> = {};
  const examples: Record<string, string> = {};
  const latencies: number[] = [];
  let started = 0;
  let settled = 0;
  let nextCallId = 1;
  let stopping = false;
  let goAt = 0;
  let lastSettledAt = 0;
  let okInWindow = 0;
  const windowFromMs = c.windowFromMs ?? 0;
  const payloadBytes = c.payloadBytes ?? 16;
  const delays = c.delaysMs ?? [0];
  const maxCalls = c.callsPerSession ?? Number.POSITIVE_INFINITY;
  const timeIsUp = () => c.durationMs !== undefined && now() - goAt >= c.durationMs;

  /** Makes one call and records it; resolves with its outcome. */
  const oneCall = async (session: number): Promise<string> => {
    const client = clients[session]!;
    const callId = nextCallId++;
    const sizes = c.payloadSizes;
    const bytes = sizes === undefined ? payloadBytes : sizes[callId % sizes.length]!;
    const payload = payloadFor(c.clientId, callId, bytes);
    const echo = c.echoEvery !== undefined && callId % c.echoEvery === 0;
    const t0 = now();
    started++;
    let outcome: string;
    let serverPid = 0;
    const delayMs = delays[callId % delays.length]!;
    try {
      let right: boolean;
      if (echo) {
        const r = await client.echo(c.clientId, callId, delayMs, payload, {
          timeoutMs: c.timeoutMs,
        });
        right = r.clientId === c.clientId && r.callId === callId && sameBytes(r.payload, payload);
        if (!right) examples.wrong ??= `echo of call ${callId}: ${r.payload.length} bytes back`;
      } else {
        const r = await client.exec(c.clientId, callId, delayMs, payload, {
          timeoutMs: c.timeoutMs,
        });
        serverPid = r.serverPid;
        right =
          r.clientId === c.clientId && r.callId === callId && r.payloadDigest === fnv1a(payload);
        if (!right) examples.wrong ??= JSON.stringify(r);
      }
      outcome = right ? "ok" : "wrong";
    } catch (e) {
      outcome = isRpcError(e) ? e.code : "thrown";
      examples[outcome] ??= String(e instanceof Error ? e.message : e);
    }
    const t1 = now();
    settled++;
    lastSettledAt = t1;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome === "ok") {
      latencies.push(t1 - t0);
      const sinceGo = t1 - goAt;
      if (sinceGo >= windowFromMs && sinceGo <= (c.durationMs ?? Number.POSITIVE_INFINITY)) {
        okInWindow++;
      }
    }
    if (c.recordFile !== undefined) records.push([callId, session, t0, t1, outcome, serverPid]);
    return outcome;
  };

  const worker = async (session: number) => {
    const spread = c.startSpreadMs ?? 0;
    if (spread > 0) await sleep((session / clients.length) * spread);
    for (let made = 0; !stopping && made < maxCalls && !timeIsUp(); made++) {
      const outcome = await oneCall(session);
      // After a failure, pause as an application would, rather than spin on a dead server.
      const pause = outcome === "ok" ? (c.paceMs ?? 0) : Math.max(10, c.paceMs ?? 0);
      if (pause > 0) await sleep(pause);
    }
  };

  /** Starts calls on a 10 ms tick at `openLoopPerSec` per session; resolves when all settled. */
  const openLoop = async (session: number, perSec: number) => {
    const pending = new Set<Promise<void>>();
    let made = 0;
    const t0 = now();
    while (!stopping && made < maxCalls && !timeIsUp()) {
      const due = Math.min(maxCalls, Math.floor(((now() - t0) / 1000) * perSec));
      for (; made < due; made++) {
        const p = oneCall(session).then(() => {
          pending.delete(p);
        });
        pending.add(p);
      }
      await sleep(10);
    }
    await Promise.all(pending);
  };

  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let go: () => void = () => {};
  const goSignal = new Promise<void>((r) => {
    go = r;
  });
  onCommands(
    (command) => {
      if (command.cmd === "go") go();
      else if (command.cmd === "stop") stopping = true;
      else if (command.cmd === "stats") {
        if (command.gc === true) (globalThis as { gc?: () => void }).gc?.();
        emit("stats", {
          id: command.id,
          stats: sumStats(transports),
          started,
          settled,
          outcomes,
          memory: process.memoryUsage(),
          loopDelayMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6 },
          ...(mux === undefined ? {} : { muxSessions: mux.sessions, unrouted: mux.unrouted }),
        });
      }
    },
    () => {
      stopping = true;
    },
  );
  emit("ready", { pid: process.pid, sessions: transports.length });
  if (c.waitForGo === true) await goSignal;
  goAt = now();
  const workers: Promise<void>[] = [];
  for (let s = 0; s < clients.length; s++) {
    if (c.openLoopPerSec !== undefined) workers.push(openLoop(s, c.openLoopPerSec));
    else for (let k = 0; k < c.concurrency; k++) workers.push(worker(s));
  }
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const summary: ClientSummary = {
    clientId: c.clientId,
    started,
    settled,
    outcomes,
    examples,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? 0,
    },
    goodputPerSec: (outcomes.ok ?? 0) / (Math.max(1, lastSettledAt - goAt) / 1000),
    okInWindow,
    stats: sumStats(transports),
  };
  if (c.recordFile !== undefined) {
    writeFileSync(c.recordFile, records.map((r) => JSON.stringify(r)).join("\n"));
  }
  emit("done", { summary });
  await Promise.all(transports.map((t) => t.close()));
  mux?.close();
  process.exit(0);
}

main(JSON.parse(process.argv[2]!) as ClientConfig).catch((e: unknown) => {
  process.stderr.write(`client-proc: ${String(e)}\n`);
  process.exit(2);
});
