/**
 * One simulated run: Lupine clients and a Lupine server on a {@link SimNetwork} with a fault mix,
 * a workload of ledger calls (small, fragmented, long), optional server crashes and restarts and
 * partitions, and the {@link CallLedger}'s invariants checked at the end. Everything derives from
 * the seed: `runScenario({ seed, mix })` twice gives the same result.
 */
import { crc32 } from "../reliable/checksum.js";
import { RpcError } from "../runtime/errors.js";
import { createLupineClient, type LupineClientTransport } from "../transport/lupine-client.js";
import { createLupineServer, type LupineServerTransport } from "../transport/lupine-server.js";
import { CallLedger } from "./invariants.js";
import { digest, ledgerDispatcher, ledgerRequest, resultKey } from "./ledger-program.js";
import type { NetworkCounters } from "./sim-network.js";
import { type LinkConfig, SimNetwork } from "./sim-network.js";

/** A named set of faults. */
export interface FaultMix {
  readonly name: string;
  readonly link: Partial<LinkConfig>;
  /** Server crashes (each followed by a restart) during the run. */
  readonly restarts?: number;
  /** Partitions between the clients and the server during the run. */
  readonly partitions?: number;
  /** Share of calls with multi-fragment arguments or replies (default 0.05). */
  readonly bigShare?: number;
  /** Share of long calls (the handler runs 20–400 ms; default 0.03). */
  readonly longShare?: number;
}

/** The fault mixes `npm test` runs (loss up to 30%, duplication 10%, reordering, corruption 1%). */
export const FAULT_MIXES: readonly FaultMix[] = [
  { name: "clean", link: {} },
  { name: "loss-5", link: { loss: 0.05, jitterMs: 0.5 } },
  { name: "loss-30", link: { loss: 0.3, jitterMs: 1 }, bigShare: 0.02 },
  { name: "dup-10", link: { duplicate: 0.1, jitterMs: 1 } },
  { name: "reorder", link: { reorder: 0.25, jitterMs: 2 } },
  { name: "corrupt-1", link: { corrupt: 0.01 } },
  {
    name: "mixed",
    link: { loss: 0.1, duplicate: 0.05, reorder: 0.1, corrupt: 0.01, jitterMs: 1 },
  },
  { name: "restarts", link: { loss: 0.02, jitterMs: 0.5 }, restarts: 3 },
  { name: "partitions", link: { loss: 0.02 }, partitions: 2 },
  {
    name: "narrow",
    link: { bandwidthBytesPerMs: 1000, latencyMs: 5, queueMs: 50, loss: 0.01 },
    bigShare: 0.1,
  },
];

export interface ScenarioOptions {
  readonly seed: number;
  readonly mix: FaultMix;
  /** Calls in total (default 2500). */
  readonly calls?: number;
  /** Client transports (default 2). */
  readonly clients?: number;
  /** Calls in flight per client (default 16). */
  readonly concurrency?: number;
  /** Per-call deadline, virtual ms (default 3000). */
  readonly timeoutMs?: number;
}

export interface ScenarioResult {
  readonly seed: number;
  readonly mix: string;
  readonly calls: number;
  readonly outcomes: Record<string, number>;
  readonly violations: string[];
  readonly virtualMs: number;
  readonly network: NetworkCounters;
  /** Datagrams the clients sent and received per call. */
  readonly datagramsPerCall: number;
  readonly retransmissions: number;
  readonly corruptDropped: number;
}

const SERVER = "10.0.0.1";
const PORT = 7000;
const MTU = 1500;
const LIMITS = { maxCallsInFlight: 64, maxCachedReplyBytes: 8 * 1024 * 1024 };

/** Runs one scenario and checks the invariants. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { seed, mix } = options;
  const total = options.calls ?? 2500;
  const clientCount = options.clients ?? 2;
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 3000;
  const net = new SimNetwork({ seed, link: { mtu: MTU, ...mix.link } });
  const r = net.random;
  const clock = net.clock;
  const ledger = new CallLedger();
  const serverNode = net.node(SERVER);

  let server: LupineServerTransport | null = null;
  const startServer = () => {
    server = createLupineServer({
      port: serverNode.open(PORT),
      clock,
      random: r,
      crc: crc32,
      defer: clock.defer,
      maxDatagramBytes: MTU - 28,
      maxCachedReplyBytes: LIMITS.maxCachedReplyBytes,
      log: () => {},
    });
    void server.listen(ledgerDispatcher(ledger, clock));
  };
  startServer();

  const clients: LupineClientTransport[] = [];
  for (let i = 0; i < clientCount; i++) {
    const node = net.node(`10.0.1.${i + 1}`);
    clients.push(
      createLupineClient({
        port: node.open(),
        server: { address: SERVER, port: PORT, family: "IPv4" },
        clock,
        random: r,
        crc: crc32,
        defer: clock.defer,
        maxDatagramBytes: MTU - 28,
        maxCallsInFlight: LIMITS.maxCallsInFlight,
      }),
    );
  }

  // Faults in time: crashes with restarts, partitions.
  const horizonMs = Math.max(500, (total / (clientCount * concurrency)) * 8);
  for (let k = 0; k < (mix.restarts ?? 0); k++) {
    clock.setTimeout(() => {
      if (!serverNode.up) return;
      serverNode.crash();
      server = null;
      clock.setTimeout(() => {
        serverNode.restart();
        startServer();
      }, r.next() * 200);
    }, r.next() * horizonMs);
  }
  for (let k = 0; k < (mix.partitions ?? 0); k++) {
    const victim = `10.0.1.${1 + r.int(clientCount)}`;
    clock.setTimeout(() => {
      net.partition(victim, SERVER);
      clock.setTimeout(() => net.heal(victim, SERVER), r.next() * 2 * timeoutMs);
    }, r.next() * horizonMs);
  }

  // Limits, sampled every 50 virtual ms while calls run.
  let settledCount = 0;
  const sample = () => {
    for (const c of clients) {
      const s = c.stats();
      ledger.limit("client calls in flight", s.callsInFlight, LIMITS.maxCallsInFlight);
    }
    const srv = server as LupineServerTransport | null;
    if (srv !== null) {
      const s = srv.stats();
      // One reply may land on top of a full cache before the limit turns new calls away.
      ledger.limit(
        "server cached reply bytes",
        s.cachedReplyBytes,
        LIMITS.maxCachedReplyBytes + 300_000,
      );
      ledger.limit("server sessions", s.sessions, 100_000);
    }
    if (settledCount < total) clock.setTimeout(sample, 50);
  };
  clock.setTimeout(sample, 50);

  // The workload: `concurrency` workers per client, each making calls until the total is reached.
  let nextId = 1;
  const bigShare = mix.bigShare ?? 0.05;
  const longShare = mix.longShare ?? 0.03;
  const worker = async (client: LupineClientTransport) => {
    while (nextId <= total) {
      const id = nextId++;
      const big = r.chance(bigShare);
      const bigBytes = () => 1500 + (r.chance(0.1) ? r.int(60_000) : r.int(8000));
      const payloadBytes = big && r.chance(0.5) ? bigBytes() : r.int(200);
      const replyBytes = big && payloadBytes < 1500 ? bigBytes() : r.int(200);
      const delayMs = r.chance(longShare) ? 20 + r.int(380) : 0;
      const payload = r.bytes(payloadBytes);
      ledger.begin(id, clock.now(), timeoutMs);
      try {
        const res = await client.call(
          ledgerRequest({ id, delayMs, replyBytes, payload }, timeoutMs),
        );
        const key = resultKey(res.id, res.payloadDigest, res.reply);
        ledger.settled(id, clock.now(), "ok", key);
        if (res.payloadDigest !== digest(payload)) ledger.violations.push(`call ${id}: bad digest`);
      } catch (e) {
        ledger.settled(id, clock.now(), e instanceof RpcError ? e.code : `thrown:${String(e)}`);
      }
      settledCount++;
    }
  };
  const workers: Promise<void>[] = [];
  for (const c of clients) for (let k = 0; k < concurrency; k++) workers.push(worker(c));

  const virtualMs = await clock.run({
    done: () => settledCount >= total,
    untilMs: horizonMs + 100 * timeoutMs,
  });
  let datagrams = 0;
  let retransmissions = 0;
  let corrupt = 0;
  for (const c of clients) {
    const s = c.stats();
    datagrams += s.datagramsSent + s.datagramsReceived;
    retransmissions += s.retransmissions;
    corrupt += s.corruptDropped;
  }
  const srv = server as LupineServerTransport | null;
  if (srv !== null) corrupt += srv.stats().corruptDropped;
  for (const c of clients) await c.close();
  if (srv !== null) void srv.close(0);
  if (settledCount < total) ledger.violations.push(`${total - settledCount} calls never settled`);
  void Promise.allSettled(workers);
  return {
    seed,
    mix: mix.name,
    calls: total,
    outcomes: ledger.outcomes(),
    violations: ledger.check({ lateBoundMs: 50 }),
    virtualMs,
    network: { ...net.counters },
    datagramsPerCall: datagrams / total,
    retransmissions,
    corruptDropped: corrupt,
  };
}
