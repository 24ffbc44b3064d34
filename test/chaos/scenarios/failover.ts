/**
 * Failover (docs/runtime.md "Targets"): a client given two Lupine servers (`balance: failover`)
 * keeps working when the one it uses dies. Calls that were in flight on the dead server may have
 * run there, so they must not be sent to the other server (at-most-once across failover): they
 * end `outcome_unknown` (or time out); calls that were never sent move over. The execution log
 * is shared by both servers (as replicas would share their state), so a call run once on each
 * shows as a duplicate. Reported: the longest stretch without a successful call.
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

export async function failover(lab: Lab, scale: Scale): Promise<ScenarioReport> {
  const afterMs = scale === "short" ? 4000 : 30_000;
  const execLog = lab.execLog();
  const a = await ServerProcess.start({ scheme: "lupine", ports: [0], execLog });
  const b = await ServerProcess.start({ scheme: "lupine", ports: [0], execLog });
  const clientId = lab.clientId();
  const recordFile = lab.file("client.jsonl");
  const timeoutMs = 20_000;
  const client = await ClientProcess.start({
    target: [`lupine://127.0.0.1:${a.port}`, `lupine://127.0.0.1:${b.port}`],
    balance: "failover",
    clientId,
    sessions: 1,
    concurrency: 32,
    timeoutMs,
    delaysMs: [0, 0, 0, 300],
    recordFile,
  });
  await sleep(1500);
  const killAt = wallMs();
  await a.kill();
  // Calls started in the moment around the crash may be sent to the dying server before the
  // client hears of it (port unreachable): those count as in flight.
  const clearAt = wallMs() + 100;
  await sleep(afterMs);
  client.stop();
  const summary = await client.done(timeoutMs + 10_000);
  await b.stop();
  const records = readRecords(recordFile);
  const log = readExecLog(execLog);
  const afterKill = records.filter((r) => r.startedAt >= clearAt);
  const inFlight = records.filter((r) => r.startedAt < clearAt && r.settledAt > killAt);
  const okTimes = records
    .filter((r) => r.outcome === "ok" && r.settledAt > killAt)
    .map((r) => r.settledAt)
    .sort((x, y) => x - y);
  let gap = (okTimes[0] ?? wallMs()) - killAt;
  for (let i = 1; i < okTimes.length; i++) gap = Math.max(gap, okTimes[i]! - okTimes[i - 1]!);
  const badInFlight = inFlight.filter(
    (r) => !["ok", "outcome_unknown", "timeout"].includes(r.outcome),
  );
  const newOk = afterKill.filter((r) => r.outcome === "ok" && r.serverPid === b.pid);
  const unknownRan = inFlight.filter(
    (r) => r.outcome !== "ok" && log.perCall.has(callKey(clientId, r.callId)),
  );

  lab.check(
    "no call executed twice (across both servers)",
    log.duplicateCount === 0,
    log.duplicateCount === 0
      ? `${log.executions} executions`
      : `${log.duplicateCount}: ${log.duplicates.join(" ")}`,
  );
  lab.check(
    "calls in flight on the dead server end ok, outcome_unknown or timeout",
    badInFlight.length === 0,
    badInFlight.length === 0
      ? `${inFlight.length} in flight`
      : `${badInFlight.length} ended otherwise, e.g. ${badInFlight[0]!.outcome}: ${JSON.stringify(summary.examples)}`,
  );
  lab.check(
    "every call started after the crash succeeded, on the other server",
    newOk.length === afterKill.length && afterKill.length > 0,
    `${newOk.length} of ${afterKill.length}; outcomes ${JSON.stringify(summary.outcomes)}`,
  );
  lab.check("no wrong results", (summary.outcomes.wrong ?? 0) === 0);
  return {
    scenario: "Failover between two Lupine servers",
    load: "1 client process, target list of 2 servers (balance: failover), 32 calls in flight (1 in 4 a 300 ms call)",
    faults: `SIGKILL of the server in use after 1.5 s; ${afterMs / 1000} s more`,
    figures: {
      calls: summary.started,
      "in flight on the dead server": inFlight.length,
      "of those: outcome_unknown that had run / had not": `${unknownRan.length} / ${inFlight.filter((r) => r.outcome === "outcome_unknown").length - unknownRan.length}`,
      "calls after the crash ok on the other server": `${newOk.length} of ${afterKill.length}`,
      "longest time without a successful call, ms": round(gap, 0),
      "duplicate executions": log.duplicateCount,
      outcomes: JSON.stringify(summary.outcomes),
    },
    checks: lab.checks,
  };
}
