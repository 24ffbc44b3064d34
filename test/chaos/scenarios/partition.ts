/**
 * Partitions (netlab cut/heal, docs/protocol.md §8 "partition"): a client and a server in two
 * netlab hosts joined by a link, the client starting calls at a steady rate whatever happens
 * (open loop, so work piles up if anything is unbounded). The link is cut for longer than the
 * call deadline, healed, cut for shorter, healed. Checked: every call ends ok before its deadline
 * or `timeout` at its deadline (within a tolerance for timer and scheduling lag), with a message
 * saying where the time went; calls clear of the partitions all succeed; the session carries on
 * after each heal without a reset; nothing runs twice; the client's calls in flight stay within
 * rate × deadline, and both sides' heaps stay bounded (sampled every 200 ms).
 *
 * The long version adds a partition longer than the give-up time (10 unanswered transmissions,
 * about 20 s), with a 30 s deadline: calls caught by it end `outcome_unknown` (sent, maybe run),
 * the session starts over, and calls made while no server answers fail `unreachable` (never
 * sent) once 10 Hellos went unanswered.
 */
import { readExecLog } from "../exec-log.js";
import {
  type Lab,
  MB,
  readRecords,
  round,
  type Scale,
  type ScenarioReport,
  sleep,
  wallMs,
} from "../lab.js";
import { ClientProcess, ServerProcess } from "../procs.js";

/**
 * One partition. `netlab cut`/`heal` take a while to apply (hundreds of ms on a loaded machine),
 * so the link was down at least from `cutDoneAt` to `healAt` and at most from `cutAt` to
 * `healDoneAt`.
 */
interface Cut {
  readonly cutAt: number;
  readonly cutDoneAt: number;
  readonly healAt: number;
  readonly healDoneAt: number;
  readonly lengthMs: number;
}

export async function partition(lab: Lab, scale: Scale): Promise<ScenarioReport> {
  const timeoutMs = scale === "short" ? 2000 : 30_000;
  const ratePerSec = 300;
  // The short version: longer than the deadline, then shorter (even with netlab's own delay in
  // applying the cut and the heal). The long one adds a partition past the give-up time.
  const lengths = scale === "short" ? [5000, 300] : [45_000, 5000, 300];
  const toleranceMs = 250;
  const sHost = lab.netlab.up("s");
  const cHost = lab.netlab.up("c");
  const addr = lab.netlab.link(cHost, sHost);
  const execLog = lab.execLog();
  const server = await ServerProcess.start(
    { scheme: "lupine", host: "0.0.0.0", ports: [0], execLog },
    { netlabHost: sHost },
  );
  const clientId = lab.clientId();
  const recordFile = lab.file("client.jsonl");
  const client = await ClientProcess.start(
    {
      target: `lupine://${addr.b}:${server.port}`,
      clientId,
      sessions: 1,
      concurrency: 1,
      openLoopPerSec: ratePerSec,
      timeoutMs,
      recordFile,
    },
    { netlabHost: cHost },
  );
  const samples: {
    pending: number;
    clientHeapMB: number;
    executing: number;
    cachedReplyBytes: number;
    serverHeapMB: number;
  }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const both = await Promise.all([client.stats(), server.stats()]).catch(() => null);
      if (both === null) break; // the client finished meanwhile
      const [c, s] = both;
      const cs = c.stats as Record<string, number>;
      const ss = s.transport as Record<string, number>;
      samples.push({
        pending: (cs.callsInFlight ?? 0) + (cs.callsQueued ?? 0),
        clientHeapMB: (c.memory as { heapUsed: number }).heapUsed / MB,
        executing: ss.callsExecuting ?? 0,
        cachedReplyBytes: ss.cachedReplyBytes ?? 0,
        serverHeapMB: (s.memory as { heapUsed: number }).heapUsed / MB,
      });
      await sleep(200);
    }
  })();
  const cuts: Cut[] = [];
  await sleep(1500);
  const baseline = samples.slice(-3);
  for (const lengthMs of lengths) {
    const cutAt = wallMs();
    lab.netlab.cut(cHost, sHost);
    const cutDoneAt = wallMs();
    await sleep(lengthMs);
    const healAt = wallMs();
    lab.netlab.heal(cHost, sHost);
    cuts.push({ cutAt, cutDoneAt, healAt, healDoneAt: wallMs(), lengthMs });
    await sleep(Math.max(2000, timeoutMs + 500));
  }
  client.stop();
  sampling = false;
  await sampler;
  const summary = await client.done(timeoutMs + 30_000);
  await server.stop();
  const records = readRecords(recordFile);
  const log = readExecLog(execLog);

  const deadline = (r: { startedAt: number }) => r.startedAt + timeoutMs;
  const early = records.filter(
    (r) => r.outcome === "ok" && r.settledAt > deadline(r) + toleranceMs,
  );
  const offTime = records.filter(
    (r) => r.outcome === "timeout" && Math.abs(r.settledAt - deadline(r)) > toleranceMs,
  );
  const overlaps = (r: { startedAt: number; settledAt: number }, c: Cut) =>
    r.startedAt < c.healDoneAt + 50 && r.settledAt > c.cutAt;
  // Clear of a cut: ended before it, or started a full deadline after its heal (until then, new
  // calls may wait behind the window of calls the cut caught, which back off).
  const affected = (r: { startedAt: number; settledAt: number }, c: Cut) =>
    r.startedAt < c.healDoneAt + timeoutMs && r.settledAt > c.cutAt;
  const clear = records.filter((r) => !cuts.some((c) => affected(r, c)));
  const clearFailed = clear.filter((r) => r.outcome !== "ok");
  const perCut = cuts.map((c) => {
    const hit = records.filter((r) => overlaps(r, c));
    const firstOk = records
      .filter((r) => r.outcome === "ok" && r.startedAt >= c.healDoneAt)
      .reduce((m, r) => Math.min(m, r.settledAt), Number.POSITIVE_INFINITY);
    const count = (o: string) => hit.filter((r) => r.outcome === o).length;
    return {
      c,
      hit: hit.length,
      ok: count("ok"),
      timeout: count("timeout"),
      unknown: count("outcome_unknown"),
      unreachable: count("unreachable"),
      recoveryMs: firstOk - c.healDoneAt,
    };
  });
  const short = perCut.filter((p) => p.c.lengthMs < timeoutMs);
  const allowed =
    scale === "short" ? ["ok", "timeout"] : ["ok", "timeout", "outcome_unknown", "unreachable"];
  const otherOutcomes = records.filter((r) => !allowed.includes(r.outcome));
  const maxPending = Math.max(...samples.map((s) => s.pending));
  const pendingBound = ratePerSec * (timeoutMs / 1000) * 1.5 + 100;
  const base = (f: (s: (typeof samples)[number]) => number) =>
    baseline.reduce((m, s) => Math.max(m, f(s)), 0);
  const clientHeapGrowth =
    Math.max(...samples.map((s) => s.clientHeapMB)) - base((s) => s.clientHeapMB);
  const serverHeapGrowth =
    Math.max(...samples.map((s) => s.serverHeapMB)) - base((s) => s.serverHeapMB);

  lab.check(
    `every call ended ${allowed.join(", ")}`,
    otherOutcomes.length === 0 && summary.settled === summary.started,
    otherOutcomes.length === 0
      ? JSON.stringify(summary.outcomes)
      : JSON.stringify(summary.examples),
  );
  lab.check(
    `timeouts at the deadline (± ${toleranceMs} ms), results before it`,
    early.length === 0 && offTime.length === 0,
    `${offTime.length} timeouts off time, ${early.length} late results`,
  );
  lab.check(
    "the timeout error says where the time went",
    (summary.outcomes.timeout ?? 0) > 0 &&
      /timed out after .* transmission/.test(summary.examples.timeout ?? ""),
    summary.examples.timeout ?? "no timeout",
  );
  lab.check(
    "calls clear of the partitions (before a cut, or a deadline after its heal) all succeed",
    clearFailed.length === 0 && clear.length > 0,
    `${clear.length - clearFailed.length} of ${clear.length}`,
  );
  lab.check(
    "a partition shorter than the deadline: ≥ 90% of the calls it touched complete",
    short.every((p) => p.ok >= 0.9 * p.hit),
    short.map((p) => `${p.ok} of ${p.hit}`).join(", "),
  );
  // Calls caught by a cut back off, each on its own timer (up to rtoMaxMs, 10 s); while they
  // fill the window, new calls wait behind them. So recovery is bounded by the back-off cap.
  lab.check(
    "the session recovers within rtoMaxMs (10 s) + 2 s of each heal",
    perCut.every((p) => p.recoveryMs < 12_000),
    perCut.map((p) => `${round(p.recoveryMs, 0)} ms`).join(", "),
  );
  if (scale === "short") {
    lab.check(
      "the session survives the partitions (no reset)",
      (summary.stats.resets ?? 0) === 0,
      `${summary.stats.resets ?? 0} resets`,
    );
  }
  lab.check(
    "no call executed twice; no wrong result",
    log.duplicateCount === 0 && (summary.outcomes.wrong ?? 0) === 0,
    `${log.executions} executions`,
  );
  lab.check(
    "client's calls pending stay within rate × deadline",
    maxPending <= pendingBound,
    `at most ${maxPending} (bound ${pendingBound})`,
  );
  lab.check(
    "heaps stay bounded (growth < 64 MB)",
    clientHeapGrowth < 64 && serverHeapGrowth < 64,
    `client +${round(clientHeapGrowth)} MB, server +${round(serverHeapGrowth)} MB`,
  );
  return {
    scenario: "Partitions",
    load: `client and server in two netlab hosts over a link; ${ratePerSec} calls/s started regardless of progress, deadline ${timeoutMs} ms`,
    faults: `link cut for ${cuts.map((c) => `${round(c.healAt - c.cutDoneAt, 0)}–${round(c.healDoneAt - c.cutAt, 0)} ms`).join(", then ")} (healed in between)`,
    figures: {
      calls: summary.started,
      outcomes: JSON.stringify(summary.outcomes),
      "per cut: calls touched → ok / timeout / outcome_unknown / unreachable": perCut
        .map(
          (p) =>
            `${round(p.c.healAt - p.c.cutDoneAt, 0)} ms: ${p.hit} → ${p.ok} / ${p.timeout} / ${p.unknown} / ${p.unreachable}`,
        )
        .join("; "),
      "first new call ok after heal, ms": perCut.map((p) => round(p.recoveryMs, 0)).join(", "),
      "timeouts: largest distance from the deadline, ms": round(
        Math.max(
          0,
          ...records
            .filter((r) => r.outcome === "timeout")
            .map((r) => Math.abs(r.settledAt - deadline(r))),
        ),
      ),
      "client calls pending, max": maxPending,
      "server calls executing, max": Math.max(...samples.map((s) => s.executing)),
      "server cached reply bytes, max": Math.max(...samples.map((s) => s.cachedReplyBytes)),
      "heap growth over baseline, client / server MB": `${round(clientHeapGrowth)} / ${round(serverHeapGrowth)}`,
      "client session resets": summary.stats.resets ?? 0,
      "timeout message": summary.examples.timeout ?? "",
    },
    checks: lab.checks,
  };
}
