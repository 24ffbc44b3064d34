/**
 * What the ONC RPC UDP server's duplicate-request cache does and does not cover across a restart
 * (docs/oncrpc.md): the cache lives in the server's memory. While the server lives, a client's
 * retransmissions of a call that is still running are dropped and those of a finished call are
 * answered from the cache — every call runs once. A server killed and restarted on the same port
 * has an empty cache: a retransmission of a call the old process had started runs again in the
 * new one, and the caller gets an ordinary result — it cannot tell. (Lupine's transport answers
 * that case with `outcome_unknown`: see the server crash scenario.) This scenario shows both
 * halves with real processes: the second is asserted to happen, because it is the documented
 * limit, not a bug this lab should hide.
 */
import { callKey, readExecLog } from "../exec-log.js";
import { type Lab, readRecords, type Scale, type ScenarioReport, sleep, wallMs } from "../lab.js";
import { ClientProcess, ServerProcess } from "../procs.js";

export async function oncRestart(lab: Lab, _scale: Scale): Promise<ScenarioReport> {
  const execLog = lab.execLog();
  const config = { scheme: "udp" as const, ports: lab.fixedPorts(), execLog };
  let server = await ServerProcess.start(config);
  const oldPid = server.pid;
  const clientId = lab.clientId();
  const recordFile = lab.file("client.jsonl");
  const client = await ClientProcess.start({
    target: `udp://127.0.0.1:${server.port}`,
    clientId,
    sessions: 1,
    concurrency: 20,
    timeoutMs: 15_000,
    // Half the calls run 600 ms: longer than the client's 200 ms minimum retransmission interval.
    delaysMs: [0, 600],
    recordFile,
  });
  await sleep(1500);
  const oldStats = (await server.stats()).transport as Record<string, number>;
  const killAt = wallMs();
  await server.kill();
  await sleep(200);
  server = await ServerProcess.start({ ...config, ports: [server.port] });
  const newPid = server.pid;
  await sleep(2500);
  client.stop();
  const summary = await client.done(30_000);
  await server.stop();
  const records = readRecords(recordFile);
  const log = readExecLog(execLog);
  const count = (r: { callId: number }) => log.perCall.get(callKey(clientId, r.callId)) ?? 0;
  const beforeCrash = records.filter((r) => r.settledAt < killAt);
  const beforeOnce = beforeCrash.filter((r) => r.outcome === "ok" && count(r) === 1);
  const twice = records.filter((r) => count(r) === 2);
  const twiceOk = twice.filter((r) => r.outcome === "ok" && r.serverPid === newPid);

  lab.check(
    "while the server lives, retransmissions reach it and are absorbed by the cache",
    oldStats.droppedInProgress! + oldStats.replayed! > 0,
    `${oldStats.droppedInProgress} copies of running calls dropped, ${oldStats.replayed} replies replayed`,
  );
  lab.check(
    "every call finished before the crash ran exactly once",
    beforeOnce.length === beforeCrash.length && beforeCrash.length > 0,
    `${beforeOnce.length} of ${beforeCrash.length}`,
  );
  lab.check(
    "after the restart, calls the old process had started ran again (documented limit)",
    twice.length > 0 && log.perPid.has(oldPid) && log.perPid.has(newPid),
    `${twice.length} calls ran in both processes`,
  );
  lab.check(
    "…and their callers got an ordinary result from the new process",
    twiceOk.length === twice.length,
    `${twiceOk.length} of ${twice.length} ended ok`,
  );
  lab.check(
    "no call ran more than twice; no wrong results",
    log.duplicates.every((d) => {
      const [c, k] = d.split("/").map(Number);
      return (log.perCall.get(callKey(c!, k!)) ?? 0) <= 2;
    }) && (summary.outcomes.wrong ?? 0) === 0,
  );
  return {
    scenario: "ONC RPC over UDP: the duplicate-request cache across a restart",
    load: "1 client process, 20 calls in flight over udp:// (half of them 600 ms calls), loopback",
    faults: "SIGKILL of the server after 1.5 s, restarted on the same port ~200 ms later",
    figures: {
      calls: summary.started,
      "client retransmissions": summary.stats.retransmissions ?? 0,
      "old server: copies dropped while running / replies replayed": `${oldStats.droppedInProgress} / ${oldStats.replayed}`,
      "calls finished before the crash that ran once": `${beforeOnce.length} of ${beforeCrash.length}`,
      "calls run twice (once per process), callers told nothing": twice.length,
      outcomes: JSON.stringify(summary.outcomes),
    },
    checks: lab.checks,
  };
}
