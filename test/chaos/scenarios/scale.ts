/**
 * Scale (docs/protocol.md §4.1–4.2): 10,000 concurrent client sessions against one server.
 * Sessions are multiplexed over one socket per client process (port-mux.ts; each session is its
 * own client transport with its own session id, and the server keys sessions by id), a few
 * processes in all. Every session makes a call, waits, makes another, …, so all of them are open
 * at once; the server's session count is sampled to show it, and its resident memory must stay
 * ≤ 100 MB. Then every client goes away and the sessions must expire by the documented rule —
 * silent for `sessionIdleMs` with nothing executing, swept every `sessionIdleMs / 4` — shown
 * with a short `sessionIdleMs`.
 */
import { readExecLog } from "../exec-log.js";
import { type Lab, MB, round, type Scale, type ScenarioReport, sleep } from "../lab.js";
import { ClientProcess, RssSampler, ServerProcess } from "../procs.js";

const num = (m: Record<string, unknown>, k: string) =>
  (m.transport as Record<string, number>)[k] ?? 0;

/**
 * V8 sized for memory rather than speed (a 1 MiB young generation, heap growth kept tight): the
 * server holds many small sessions and makes little garbage per call. With V8's defaults (16 MiB
 * semi-spaces) the same run peaked at 114–128 MB RSS in trials, for the same ~20 MB of live heap.
 */
const SERVER_NODE_OPTIONS = ["--max-semi-space-size=1", "--optimize-for-size"];

export async function scale(lab: Lab, size: Scale): Promise<ScenarioReport> {
  const sessions = 10_000;
  const processes = 4;
  const callsPerSession = size === "short" ? 3 : 30;
  const paceMs = 4000;
  const startSpreadMs = 5000;
  const sessionIdleMs = 10_000;
  const execLog = lab.execLog();
  const server = await ServerProcess.start(
    { scheme: "lupine", ports: [0], execLog, options: { lupine: { sessionIdleMs } } },
    { nodeOptions: SERVER_NODE_OPTIONS },
  );
  await sleep(1000);
  const idleRssMB = server.rssBytes() / MB;
  const rss = new RssSampler(server.pid, 100);
  const clients = await Promise.all(
    Array.from({ length: processes }, () =>
      ClientProcess.start({
        mux: { host: "127.0.0.1", port: server.port },
        clientId: lab.clientId(),
        sessions: sessions / processes,
        concurrency: 1,
        callsPerSession,
        paceMs,
        startSpreadMs,
        timeoutMs: 30_000,
        payloadBytes: 64,
        waitForGo: true,
      }),
    ),
  );
  for (const c of clients) c.go();
  let peakSessions = 0;
  let heapAllOpenMB = Number.NaN;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await server.stats().catch(() => null);
      if (s === null) break; // the server is gone: the checks below will say so
      peakSessions = Math.max(peakSessions, num(s, "sessions"));
      if (Number.isNaN(heapAllOpenMB) && num(s, "sessions") >= sessions) {
        // Every session open at once: what they hold, garbage collected away.
        heapAllOpenMB = ((await server.stats(true)).memory as { heapUsed: number }).heapUsed / MB;
      }
      await sleep(500);
    }
  })();
  const summaries = await Promise.all(clients.map((c) => c.done(300_000)));
  const lastCallAt = performance.now();
  sampling = false;
  await sampler;
  let after = await server.stats();
  while (num(after, "sessions") > 0 && performance.now() - lastCallAt < 3 * sessionIdleMs) {
    await sleep(250);
    after = await server.stats();
  }
  const expiredAfterMs = performance.now() - lastCallAt;
  rss.stop();
  await server.stop();
  const log = readExecLog(execLog);
  const peakRssMB = Math.max(...rss.samples.map((s) => s.rssBytes)) / MB;
  const outcomes: Record<string, number> = {};
  let started = 0;
  let retransmissions = 0;
  for (const s of summaries) {
    started += s.started;
    retransmissions += s.stats.retransmissions ?? 0;
    for (const [k, v] of Object.entries(s.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  }
  const p50 = Math.max(...summaries.map((s) => s.latencyMs.p50));
  const p99 = Math.max(...summaries.map((s) => s.latencyMs.p99));

  lab.check(
    `${sessions} sessions open at the server at once`,
    peakSessions >= sessions,
    `${peakSessions} at the peak`,
  );
  lab.check(
    "every call works",
    outcomes.ok === started && started === sessions * callsPerSession,
    JSON.stringify(outcomes),
  );
  lab.check("server RSS ≤ 100 MB", peakRssMB <= 100, `${round(peakRssMB)} MB at most`);
  lab.check("no call executed twice", log.duplicateCount === 0, `${log.executions} executions`);
  // The last session went quiet at most ~lastCall; it expires within sessionIdleMs plus one
  // sweep interval (sessionIdleMs / 4) of its last datagram.
  lab.check(
    "idle sessions expire within sessionIdleMs × 1.25 (+ 1 s) of the last call",
    num(after, "sessions") === 0 &&
      num(after, "sessionsExpired") >= sessions &&
      expiredAfterMs <= sessionIdleMs * 1.25 + 1000,
    `${num(after, "sessions")} left after ${round(expiredAfterMs, 0)} ms; ${num(after, "sessionsExpired")} expired`,
  );
  return {
    scenario: "Scale",
    load:
      `${sessions} client sessions in ${processes} processes (sessions multiplexed on one socket per process), ` +
      `arriving over ${startSpreadMs / 1000} s, each making ${callsPerSession} calls ${paceMs / 1000} s apart; ` +
      `server: sessionIdleMs ${sessionIdleMs}, node ${SERVER_NODE_OPTIONS.join(" ")}`,
    faults: "none; then every client leaves without a word",
    figures: {
      "sessions at the server, peak": peakSessions,
      "server RSS, peak MB (idle server before the clients)": `${round(peakRssMB)} (${round(idleRssMB)})`,
      "server heap with all sessions open, after GC, MB": round(heapAllOpenMB),
      calls: started,
      outcomes: JSON.stringify(outcomes),
      "latency p50 / p99, ms (worst process)": `${round(p50)} / ${round(p99)}`,
      "client retransmissions": retransmissions,
      "last session expired after the last call, ms": round(expiredAfterMs, 0),
      "sessions expired (server counter)": num(after, "sessionsExpired"),
    },
    checks: lab.checks,
  };
}
