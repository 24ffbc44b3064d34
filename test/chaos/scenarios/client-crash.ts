/**
 * Crash and restart of a Lupine client (docs/protocol.md §4.2, §8 "client crash"): a client
 * process is SIGKILLed with hundreds of calls in flight, then started again. The server must run
 * none of the dead client's calls twice (its sessions just go quiet), must give the restarted
 * client new sessions, must finish the dead client's executing calls and drop their replies, and
 * must forget the dead sessions — with their cached replies — after `sessionIdleMs` (a short one
 * here, to show the rule: silent for `sessionIdleMs` with nothing executing, swept every
 * `sessionIdleMs / 4`).
 */
import { readExecLog } from "../exec-log.js";
import { type Lab, round, type Scale, type ScenarioReport, sleep } from "../lab.js";
import { ClientProcess, ServerProcess } from "../procs.js";

const num = (m: Record<string, unknown>, k: string) => (m.transport as Record<string, number>)[k]!;

export async function clientCrash(lab: Lab, scale: Scale): Promise<ScenarioReport> {
  const rounds = scale === "short" ? 1 : 5;
  const sessionIdleMs = 2000;
  const sessions = 2;
  const concurrency = 150;
  const execLog = lab.execLog();
  const server = await ServerProcess.start({
    scheme: "lupine",
    ports: [0],
    execLog,
    options: { lupine: { sessionIdleMs } },
  });
  const target = `lupine://127.0.0.1:${server.port}`;
  const base = {
    target,
    sessions,
    concurrency,
    timeoutMs: 20_000,
    delaysMs: [0, 0, 0, 400],
  };
  const killedIds: number[] = [];
  let sessionsAfterRestart = 0;
  const newSessions: number[] = [];
  let restartedOk = true;
  for (let i = 0; i < rounds; i++) {
    const victimId = lab.clientId();
    const victim = await ClientProcess.start({ ...base, clientId: victimId });
    await sleep(1000);
    killedIds.push(victimId);
    const before = await server.stats();
    await victim.kill();
    const restarted = await ClientProcess.start({
      ...base,
      clientId: lab.clientId(),
      durationMs: 1000,
    });
    // Sessions the new client opened: more sessions now, plus those the sweep removed meanwhile
    // (given a moment: its first calls open them, on a machine that may be busy).
    const opened = (now: Record<string, unknown>) =>
      num(now, "sessions") -
      num(before, "sessions") +
      num(now, "sessionsExpired") -
      num(before, "sessionsExpired");
    let now = await server.stats();
    for (let waited = 0; opened(now) < sessions && waited < 5000; waited += 100) {
      await sleep(100);
      now = await server.stats();
    }
    sessionsAfterRestart = num(now, "sessions");
    newSessions.push(opened(now));
    const s = await restarted.done(30_000);
    if (s.outcomes.ok !== s.started) restartedOk = false;
  }
  // Every client is gone now: wait for the sweep to forget their sessions.
  const quietAt = performance.now();
  let after = await server.stats(true);
  while (num(after, "sessions") > 0 && performance.now() - quietAt < 4 * sessionIdleMs) {
    await sleep(100);
    after = await server.stats(true);
  }
  const expiredAfterMs = performance.now() - quietAt;
  const log = readExecLog(execLog);
  await server.stop();
  const byKilled = killedIds.map((id) => {
    let n = 0;
    for (const [key, count] of log.perCall) if (Math.floor(key / 0x1_0000_0000) === id) n += count;
    return n;
  });

  lab.check(
    "no call executed twice",
    log.duplicateCount === 0,
    log.duplicateCount === 0 ? `${log.executions} executions` : log.duplicates.join(" "),
  );
  lab.check(
    "the restarted client gets new sessions",
    newSessions.every((n) => n === sessions),
    `new sessions per restart: ${newSessions.join(", ")}`,
  );
  lab.check("every call of the restarted client ok", restartedOk);
  lab.check(
    "dead sessions forgotten within sessionIdleMs × 1.25 + 1 s of silence",
    num(after, "sessions") === 0 && expiredAfterMs <= sessionIdleMs * 1.25 + 1000,
    `${num(after, "sessions")} left after ${round(expiredAfterMs, 0)} ms`,
  );
  lab.check(
    "nothing executing or cached afterwards",
    num(after, "callsExecuting") === 0 && num(after, "cachedReplyBytes") === 0,
    `executing ${num(after, "callsExecuting")}, cached ${num(after, "cachedReplyBytes")} B`,
  );
  return {
    scenario: "Lupine client crash and restart",
    load: `client process: ${sessions} sessions × ${concurrency} calls in flight (1 in 4 a 400 ms call); server with sessionIdleMs ${sessionIdleMs}`,
    faults: `${rounds} × SIGKILL of the client after 1 s, a new client process started at once`,
    figures: {
      "executions of the killed clients' calls": byKilled.join(", "),
      "duplicate executions": log.duplicateCount,
      "server sessions just after the (last) restart": sessionsAfterRestart,
      "sessions expired (server counter)": num(after, "sessionsExpired"),
      "all sessions gone after the last client exited, ms": round(expiredAfterMs, 0),
    },
    checks: lab.checks,
  };
}
