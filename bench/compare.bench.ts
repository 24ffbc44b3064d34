/**
 * The cross-system comparison behind `docs/benchmarks.md`: Lupine (its own transport, plain and
 * secure; ONC RPC over UDP and TCP) beside the ceilings (raw node:dgram echo, raw Node TCP echo),
 * @grpc/grpc-js (unary) and the rpcgen + libtirpc C client and server, all in one run, with the
 * same payloads and the same process layout: every server and every measured client in its own
 * process, servers pinned to core 0 and clients to core 1 (`taskset`, when present).
 *
 * Parts (filter words `small`, `bulk`, `lossy`; system words like `lupine`, `grpc`, `c` narrow
 * the systems, always keeping the three reference systems):
 *
 * - small calls: a 32-byte payload echoed, at 1, 32 and 128 calls in flight — calls/s, p50 and p99
 *   latency, CPU seconds per 100,000 calls of the client and of the server;
 * - bulk: 1 GiB moved to the server (Node TCP as a byte stream; RPC systems as SINK calls of
 *   1 MiB, 4 in flight, the rpcgen stubs one; Lupine also as one 1 GiB call);
 * - lossy link: small calls (32 in flight) and a 64 MiB transfer through netlab, when root; TCP
 *   also with Reno (a loss-based congestion control), and each transfer's share of packets netlab
 *   dropped in its row.
 *
 * Each figure is the median over rounds (5 small, 3 bulk, 3 lossy), rounds interleaved across
 * systems, each window after a warm-up; rows note the spread and the load average.
 */
import { loadavg } from "node:os";
import { buildCPeers } from "./compare/c-peers.js";
import { Fleet } from "./compare/fleet.js";
import { measureLossy } from "./compare/lossy.js";
import { measureBulk, measureCalls } from "./compare/parts.js";
import { CLIENT_CORE, hasTaskset, SERVER_CORE } from "./compare/procs.js";
import { Samples } from "./compare/samples.js";
import { SYSTEMS, type SystemSpec, selectSystems, sizing } from "./compare/systems.js";
import type { BenchOptions, BenchRow } from "./harness.js";

/** Filter words that select this module besides its file name. */
export const keywords: readonly string[] = [
  ...new Set(["small", "bulk", "lossy", ...SYSTEMS.flatMap((s) => s.tags)]),
];

const PARTS = ["small", "bulk", "lossy"] as const;

function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

function sizeText(bytes: number): string {
  return bytes >= 1 << 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`;
}

const lossyOnly = (s: SystemSpec) =>
  s.lossyOnly === undefined ? undefined : "measured through the lossy link only";

/** Runs the comparison. */
export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const size = sizing(options.quick);
  const asked = PARTS.filter((p) => options.filters.includes(p));
  const want = (p: (typeof PARTS)[number]) => asked.length === 0 || asked.includes(p);
  const systems = selectSystems(options.filters);
  const c = buildCPeers();
  if (typeof c === "string") console.error(`  rpcgen C peers: ${c}`);
  const samples = new Samples();
  const loadBefore = load();
  const fleet = new Fleet({
    host: "127.0.0.1",
    bindHost: "127.0.0.1",
    server: { core: SERVER_CORE },
    client: { core: CLIENT_CORE },
    c,
    serverCpu: true,
    warmCalls: size.warmCalls,
  });
  try {
    await fleet.start(systems);
    if (want("small")) {
      const setting = {
        prefix: "small calls",
        figure: "",
        baseline: "raw dgram echo",
        rounds: size.rounds,
        windowMs: size.windowMs,
        warmMs: size.warmMs,
        depths: size.depths,
        cpu: true,
        unable: lossyOnly,
      };
      await measureCalls(fleet, systems, setting, samples);
    }
    if (want("bulk")) {
      const bulk = {
        group: `bulk: ${sizeText(size.bulkBytes)} to the server, MB/s`,
        figure: "bulk",
        baseline: "node tcp echo",
        rounds: size.bulkRounds,
        bytes: size.bulkBytes,
        budgetMs: size.bulkBudgetMs,
        transferCapMs: size.transferCapMs,
        unable: lossyOnly,
      };
      await measureBulk(fleet, systems, bulk, samples);
    }
  } finally {
    fleet.stop();
  }
  const skipped = want("lossy") ? await measureLossy(systems, size, c, samples) : undefined;
  if (skipped !== undefined) {
    console.error(`  lossy link skipped: ${skipped}`);
    for (const s of systems) {
      const group = "lossy link: calls/s, 32 in flight";
      const key = {
        group,
        system: s.name,
        unit: "calls/s",
        better: "higher",
        figure: "lossy-calls",
      } as const;
      samples.missing(key, `not measured: ${skipped}`);
    }
  }
  const layout = hasTaskset ? "servers on core 0, clients on core 1" : "unpinned (no taskset)";
  return samples.rows(`${layout}; load ${loadBefore} → ${load()}`);
}
