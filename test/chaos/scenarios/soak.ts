/**
 * Soak (`npm run soak`: 10 minutes; a 15-second version runs in `npm test`): a Lupine client and
 * server process inside one netlab host whose every datagram — each way — meets 10% loss, 5%
 * duplication, reordering (10% overtake a 2 ± 1 ms delay) and 0.1% single-bit corruption. The
 * mix of calls covers small and fragmented requests (up to 20 KB), fragmented replies (ECHO of
 * the payload, checked byte for byte) and long calls. Checked: zero wrong results, zero
 * duplicate executions, every call settled; reported: outcomes, and the memory of both processes
 * (RSS, and heap after a full GC) sampled over the run, as slopes over its second half.
 */
import { readExecLog } from "../exec-log.js";
import { type Lab, MB, round, type Scale, type ScenarioReport, sleep, slope } from "../lab.js";
import { ClientProcess, ServerProcess } from "../procs.js";

/** The impairment of every datagram, each way (netlab's netem-style arguments). */
export const SOAK_IMPAIRMENTS = [
  ...["loss", "10%", "duplicate", "5%", "delay", "2ms", "1ms", "reorder", "10%"],
  ...["corrupt", "0.1%", "limit", "20000"],
];

interface Sample {
  readonly minute: number;
  readonly serverRssMB: number;
  readonly serverHeapMB: number;
  readonly clientRssMB: number;
  readonly clientHeapMB: number;
}

export async function soak(lab: Lab, scale: Scale): Promise<ScenarioReport> {
  const durationMs = Number(process.env.CHAOS_SOAK_MS ?? (scale === "short" ? 15_000 : 600_000));
  const sampleEveryMs = scale === "short" ? 1000 : 10_000;
  const host = lab.netlab.up("k", SOAK_IMPAIRMENTS);
  const execLog = lab.execLog();
  const server = await ServerProcess.start(
    { scheme: "lupine", ports: [0], execLog },
    { netlabHost: host },
  );
  const sessions = 4;
  const client = await ClientProcess.start(
    {
      target: `lupine://127.0.0.1:${server.port}`,
      clientId: lab.clientId(),
      sessions,
      concurrency: 16,
      durationMs,
      timeoutMs: 30_000,
      payloadSizes: [16, 200, 1000, 16, 20_000],
      echoEvery: 3,
      delaysMs: [0, 0, 0, 0, 0, 0, 50],
      lupine: { maxDatagramBytes: 1472 },
      waitForGo: true,
    },
    { netlabHost: host },
  );
  const t0 = performance.now();
  client.go();
  const samples: Sample[] = [];
  while (performance.now() - t0 < durationMs - sampleEveryMs / 2) {
    await sleep(sampleEveryMs);
    const both = await Promise.all([server.stats(true), client.stats(true)]).catch(() => null);
    if (both === null) break; // the client finished meanwhile
    const [s, c] = both;
    samples.push({
      minute: (performance.now() - t0) / 60_000,
      serverRssMB: server.rssBytes() / MB,
      serverHeapMB: (s.memory as { heapUsed: number }).heapUsed / MB,
      clientRssMB: client.rssBytes() / MB,
      clientHeapMB: (c.memory as { heapUsed: number }).heapUsed / MB,
    });
  }
  const summary = await client.done(120_000);
  const after = (await server.stats()).transport as Record<string, number>;
  await server.stop();
  const log = readExecLog(execLog);
  const netlabCounters = /nfq:\s*(.*)/.exec(lab.netlab.show(host))?.[1] ?? "";

  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  const slopeOf = (f: (s: Sample) => number) =>
    round(slope(secondHalf.map((s) => ({ x: s.minute, y: f(s) }))), 2);
  const slopes = {
    serverRss: slopeOf((s) => s.serverRssMB),
    serverHeap: slopeOf((s) => s.serverHeapMB),
    clientRss: slopeOf((s) => s.clientRssMB),
    clientHeap: slopeOf((s) => s.clientHeapMB),
  };
  const range = (f: (s: Sample) => number) =>
    `${round(Math.min(...samples.map(f)))}–${round(Math.max(...samples.map(f)))}`;
  const ok = summary.outcomes.ok ?? 0;

  lab.check(
    "zero wrong results",
    (summary.outcomes.wrong ?? 0) === 0,
    summary.examples.wrong ?? "",
  );
  lab.check(
    "zero duplicate executions",
    log.duplicateCount === 0,
    log.duplicateCount === 0 ? `${log.executions} executions` : log.duplicates.join(" "),
  );
  lab.check(
    "every call settled; ≥ 99% ok",
    summary.settled === summary.started && ok >= 0.99 * summary.started,
    JSON.stringify(summary.outcomes),
  );
  if (scale === "long") {
    lab.check(
      "heap after GC flat over the second half (|slope| < 1 MB/min, both processes)",
      Math.abs(slopes.serverHeap) < 1 && Math.abs(slopes.clientHeap) < 1,
      `server ${slopes.serverHeap}, client ${slopes.clientHeap} MB/min`,
    );
  }
  return {
    scenario: "Soak",
    load: `1 client process (${sessions} sessions × 16 calls in flight: requests of 16 B–20 KB, one in three an ECHO of its payload, one in seven a 50 ms call) and 1 server, ${durationMs / 60_000} min`,
    faults: `netlab on every datagram, each way: ${SOAK_IMPAIRMENTS.join(" ")}`,
    figures: {
      calls: summary.started,
      outcomes: JSON.stringify(summary.outcomes),
      "goodput, calls/s": round(summary.goodputPerSec, 0),
      "latency p50 / p99, ms": `${round(summary.latencyMs.p50)} / ${round(summary.latencyMs.p99)}`,
      "client retransmissions / duplicates dropped / corrupt dropped": `${summary.stats.retransmissions} / ${summary.stats.duplicatesDropped} / ${summary.stats.corruptDropped}`,
      "server duplicates dropped / corrupt dropped": `${after.duplicatesDropped} / ${after.corruptDropped}`,
      "duplicate executions": log.duplicateCount,
      "server RSS / heap after GC, MB (range)": `${range((s) => s.serverRssMB)} / ${range((s) => s.serverHeapMB)}`,
      "client RSS / heap after GC, MB (range)": `${range((s) => s.clientRssMB)} / ${range((s) => s.clientHeapMB)}`,
      "slopes over the second half, MB/min: server RSS, server heap, client RSS, client heap": `${slopes.serverRss}, ${slopes.serverHeap}, ${slopes.clientRss}, ${slopes.clientHeap}`,
      "netlab counters": netlabCounters,
      "first error of each kind": JSON.stringify(summary.examples),
    },
    checks: lab.checks,
  };
}
