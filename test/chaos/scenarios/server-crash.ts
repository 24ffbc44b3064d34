/**
 * Crash and restart of a Lupine server (docs/protocol.md §4.3): a server process is SIGKILLed
 * with hundreds of calls in flight — some executing (long calls), some just sent, some replied
 * and not yet acknowledged — and restarted on the same port. Every call that was in flight must
 * end with its result or `outcome_unknown` (never another error, never hang); none may execute
 * twice (the execution log); new calls must succeed within a bounded time after the restart,
 * which is reported.
 */
import { callKey, readExecLog } from "../exec-log.js";
import {
  type Lab,
  readRecords,
  round,
  type Scale,
  type ScenarioReport,
  sleep,
  wallMs,
} from "../lab.js";
import { ClientProcess, ServerProcess } from "../procs.js";

export async function serverCrash(lab: Lab, scale: Scale): Promise<ScenarioReport> {
  const rounds = scale === "short" ? 1 : 5;
  const sessions = 4;
  const concurrency = 100;
  const execLog = lab.execLog();
  const ports = lab.fixedPorts();
  const serverConfig = { scheme: "lupine" as const, ports, execLog };
  let server = await ServerProcess.start(serverConfig);
  const pinned = { ...serverConfig, ports: [server.port] };
  const clientId = lab.clientId();
  const recordFile = lab.file("client.jsonl");
  const client = await ClientProcess.start({
    target: `lupine://127.0.0.1:${server.port}`,
    clientId,
    sessions,
    concurrency,
    timeoutMs: 20_000,
    // Long calls (executing at the crash) among short ones (sent, or replied and not yet acked).
    delaysMs: [0, 0, 0, 250],
    recordFile,
  });
  const kills: { killAt: number; readyAt: number; oldPid: number; newPid: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    await sleep(1500);
    const killAt = wallMs();
    const oldPid = server.pid;
    await server.kill();
    await sleep(200);
    server = await ServerProcess.start(pinned);
    kills.push({ killAt, readyAt: wallMs(), oldPid, newPid: server.pid });
  }
  await sleep(1500);
  client.stop();
  const summary = await client.done(60_000);
  const records = readRecords(recordFile);
  const log = readExecLog(execLog);
  await server.stop();

  const inFlight = (k: (typeof kills)[number]) =>
    records.filter((r) => r.startedAt < k.killAt && r.settledAt > k.killAt);
  const perKill = kills.map((k) => {
    const flying = inFlight(k);
    const executedBefore = flying.filter((r) => log.perCall.has(callKey(clientId, r.callId)));
    const firstOk = records
      .filter((r) => r.outcome === "ok" && r.startedAt >= k.readyAt)
      .reduce((m, r) => Math.min(m, r.settledAt), Number.POSITIVE_INFINITY);
    return {
      inFlight: flying.length,
      okInFlight: flying.filter((r) => r.outcome === "ok").length,
      unknown: flying.filter((r) => r.outcome === "outcome_unknown").length,
      unknownThatRan: executedBefore.filter((r) => r.outcome === "outcome_unknown").length,
      recoveryMs: firstOk - k.readyAt,
      downMs: k.readyAt - k.killAt,
    };
  });
  // Calls started while no server listened fail `unreachable` (never sent; a port unreachable
  // may still arrive just after the new server is up); all others end ok or outcome_unknown.
  const downAt = (r: { startedAt: number }) =>
    kills.some((k) => r.startedAt >= k.killAt && r.startedAt < k.readyAt + 100);
  const refused = records.filter((r) => r.outcome === "unreachable" && downAt(r));
  const others = records.filter(
    (r) => r.outcome !== "ok" && r.outcome !== "outcome_unknown" && !refused.includes(r),
  );
  const okTwice = records.filter(
    (r) => r.outcome === "ok" && log.perCall.get(callKey(clientId, r.callId)) !== 1,
  );
  const maxRecovery = Math.max(...perKill.map((k) => k.recoveryMs));
  const minInFlight = Math.min(...perKill.map((k) => k.inFlight));

  lab.check(
    "hundreds of calls in flight at each crash",
    minInFlight >= 200,
    `${minInFlight} at least`,
  );
  lab.check(
    "every call ended ok or outcome_unknown (or unreachable, started while no server listened)",
    others.length === 0 && summary.settled === summary.started,
    others.length === 0
      ? `${summary.settled} of ${summary.started} settled`
      : `${others.length} others, e.g. ${JSON.stringify(others[0])}: ${JSON.stringify(summary.examples)}`,
  );
  lab.check(
    "no call executed twice",
    log.duplicateCount === 0,
    log.duplicateCount === 0 ? `${log.executions} executions` : log.duplicates.join(" "),
  );
  lab.check(
    "every ok call executed exactly once",
    okTwice.length === 0,
    okTwice.length === 0 ? "" : `e.g. call ${okTwice[0]!.callId}`,
  );
  lab.check("no wrong results", (summary.outcomes.wrong ?? 0) === 0);
  lab.check(
    "new calls succeed within 5 s of the restart",
    maxRecovery < 5000,
    `${round(maxRecovery)} ms at most`,
  );
  return {
    scenario: "Lupine server crash and restart",
    load: `1 client process, ${sessions} sessions × ${concurrency} calls kept in flight (1 in 4 a 250 ms call), loopback`,
    faults: `${rounds} × SIGKILL of the server, restarted on the same port ~200 ms later`,
    figures: {
      calls: summary.started,
      "in flight at each crash": perKill.map((k) => k.inFlight).join(", "),
      "of those: ok / outcome_unknown": perKill
        .map((k) => `${k.okInFlight} / ${k.unknown}`)
        .join(", "),
      "outcome_unknown calls that had run (execution log)": perKill
        .map((k) => k.unknownThatRan)
        .join(", "),
      "server down (kill → new server listening), ms": perKill
        .map((k) => round(k.downMs))
        .join(", "),
      "first new call ok after restart, ms": perKill.map((k) => round(k.recoveryMs)).join(", "),
      "calls started while down that failed unreachable (never sent)": refused.length,
      executions: log.executions,
      "duplicate executions": log.duplicateCount,
      "client resets (new sessions)": summary.stats.resets ?? 0,
    },
    checks: lab.checks,
  };
}
