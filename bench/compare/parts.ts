/**
 * The measured parts of the comparison, each over a {@link Fleet} of running servers: small calls
 * at 1, 32 and 128 in flight (calls/s, p50/p99 latency, CPU per side), and the bulk transfer.
 * Rounds are interleaved — every system once per round, the order rotating — so load from other
 * processes on the shared machine falls on every system alike. Small-call clients are all opened
 * and warmed up before the first round and kept for every round.
 */
import type { Fleet } from "./fleet.js";
import type { RowKey, Samples } from "./samples.js";
import { depthMissing, type SystemSpec } from "./systems.js";

/** What a part measures and labels. */
export interface PartSetting {
  /** Group prefix: `small calls` or `lossy link`. */
  readonly prefix: string;
  /** Figure prefix (`` or `lossy-`). */
  readonly figure: string;
  readonly baseline: string;
  readonly rounds: number;
  readonly windowMs: number;
  readonly warmMs: number;
  readonly depths: readonly number[];
  /** Whether the servers' CPU time is known (CPU rows only then). */
  readonly cpu: boolean;
  /** Why a system is not measured in this part, if it is not. */
  readonly unable?: (s: SystemSpec) => string | undefined;
}

/** Each system in turn, the starting point moving by one every round. */
export function rotated<T>(list: readonly T[], round: number): T[] {
  const k = list.length === 0 ? 0 : round % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);
}

/** Small calls: every depth of `setting`, every system, `setting.rounds` rounds. */
export async function measureCalls(
  fleet: Fleet,
  systems: readonly SystemSpec[],
  setting: PartSetting,
  samples: Samples,
): Promise<void> {
  const keys = (s: SystemSpec, d: number) => {
    const k = (what: string, figure: string, unit: string, better: "higher" | "lower"): RowKey => ({
      group: `${setting.prefix}: ${what}, ${d} in flight`,
      system: s.name,
      unit,
      better,
      figure: `${setting.figure}${figure}`,
      inFlight: d,
      ...(s.name === setting.baseline ? { baseline: true } : {}),
    });
    return {
      rate: k("calls/s", "calls", "calls/s", "higher"),
      p50: k("p50 latency", "p50", "µs", "lower"),
      p99: k("p99 latency", "p99", "µs", "lower"),
      client: k("CPU seconds per 100,000 calls, client", "cpu-client", "s", "lower"),
      server: k("CPU seconds per 100,000 calls, server", "cpu-server", "s", "lower"),
    };
  };
  const all = (s: SystemSpec, d: number) => {
    const k = keys(s, d);
    return setting.cpu ? [k.rate, k.p50, k.p99, k.client, k.server] : [k.rate, k.p50, k.p99];
  };
  systems = systems.filter((s) => s.depths.length > 0);
  const unable = (s: SystemSpec) => setting.unable?.(s) ?? fleet.missing(s);
  for (const d of setting.depths) {
    for (const s of systems) {
      const why = unable(s) ?? (s.depths.includes(d) ? undefined : depthMissing(s));
      for (const key of all(s, d)) {
        if (why === undefined) samples.declare(key);
        else samples.missing(key, why);
      }
    }
  }
  const load = (d: number) => ({ inFlight: d, warmMs: setting.warmMs, windowMs: setting.windowMs });
  // Every client connects and warms up (and so warms its server up) before the first round.
  for (const d of setting.depths) {
    for (const s of systems) {
      if (!s.depths.includes(d) || unable(s) !== undefined) continue;
      await fleet.open(s, load(d)).catch((e: unknown) => {
        console.error(`  ${s.name}, ${d} in flight: ${message(e)}`);
      });
    }
  }
  for (let round = 0; round < setting.rounds; round++) {
    for (const d of setting.depths) {
      for (const s of rotated(systems, round)) {
        if (!s.depths.includes(d) || unable(s) !== undefined) continue;
        const k = keys(s, d);
        try {
          const { result: r, serverCpuUs } = await fleet.calls(s, load(d));
          samples.add(k.rate, r.calls / r.seconds, round);
          samples.add(k.p50, r.p50us, round);
          samples.add(k.p99, r.p99us, round);
          if (setting.cpu) {
            // seconds per 100,000 calls = µs per call / 10
            samples.add(k.client, r.cpuUs / r.calls / 10, round);
            samples.add(k.server, serverCpuUs / r.calls / 10, round);
          }
        } catch (e) {
          for (const key of all(s, d)) samples.fail(key, message(e));
          console.error(`  ${s.name}, ${d} in flight: ${message(e)}`);
        }
      }
    }
  }
  // The clients' memory and sockets are not needed for the parts that follow.
  fleet.closeClients();
}

/**
 * Whether round `round` (from 0) should end within `budgetMs` of `startedMs`, taking each round to
 * last as long as the average so far. The first round always runs.
 */
export function roundFits(startedMs: number, round: number, budgetMs: number | undefined): boolean {
  if (round === 0 || budgetMs === undefined) return true;
  const elapsed = Date.now() - startedMs;
  return elapsed + elapsed / round <= budgetMs;
}

/** The bulk transfer: `bytes` per system per round. */
export async function measureBulk(
  fleet: Fleet,
  systems: readonly SystemSpec[],
  setting: {
    group: string;
    figure: string;
    baseline: string;
    rounds: number;
    bytes: number;
    unable?: (s: SystemSpec) => string | undefined;
    /**
     * Time the part may take: after the first round, another round starts only if it should end
     * within this, judging by the rounds so far (the rows say how many rounds they got).
     */
    budgetMs?: number;
    /** Longest one transfer may take before it counts as failed. */
    transferCapMs?: number;
    /** Run before each system's transfer (e.g. to pick the sender's TCP congestion control). */
    prepare?: (s: SystemSpec) => void;
    /** Bytes of this system's transfer (default `bytes`). */
    bytesOf?: (s: SystemSpec) => number;
    /** Run after each transfer (e.g. to read netlab's drop counters). */
    observe?: (s: SystemSpec) => void;
  },
  samples: Samples,
): Promise<void> {
  const key = (s: SystemSpec): RowKey => ({
    group: setting.group,
    system: s.name,
    unit: "MB/s",
    better: "higher",
    figure: setting.figure,
    ...(s.name === setting.baseline ? { baseline: true } : {}),
  });
  const able: SystemSpec[] = [];
  for (const s of systems) {
    const why = setting.unable?.(s) ?? ("missing" in s.bulk ? s.bulk.missing : fleet.missing(s));
    if (why === undefined) {
      samples.declare(key(s));
      able.push(s);
    } else samples.missing(key(s), why);
  }
  const started = Date.now();
  for (let round = 0; round < setting.rounds; round++) {
    if (!roundFits(started, round, setting.budgetMs)) {
      console.error(`  ${setting.group}: ${round} of ${setting.rounds} rounds fit its time budget`);
      break;
    }
    for (const s of rotated(able, round)) {
      const way = s.bulk as Exclude<SystemSpec["bulk"], { missing: string }>;
      const cap = setting.transferCapMs === undefined ? {} : { timeoutMs: setting.transferCapMs };
      const bytes = setting.bytesOf?.(s) ?? setting.bytes;
      try {
        setting.prepare?.(s);
        const { result } = await fleet.bulk(s, { bytes, ...way, ...cap });
        setting.observe?.(s);
        samples.add(key(s), result.bytes / 1e6 / result.seconds, round);
      } catch (e) {
        const capMs = setting.transferCapMs;
        const why =
          capMs !== undefined && /no answer in/.test(message(e))
            ? `not done within ${capMs / 1000} s, so below ${(bytes / 1e3 / capMs).toPrecision(3)} MB/s`
            : message(e);
        samples.fail(key(s), why);
        console.error(`  ${s.name}, bulk: ${why}`);
      }
    }
  }
}
