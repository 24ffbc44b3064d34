/**
 * The execution log: the evidence behind "nothing executed twice". A server's handler appends
 * one line per execution, `clientId callId serverPid`, with one `write(2)` on a file opened
 * `O_APPEND`, before it does anything else for the call. The line is in the kernel's page cache
 * when `write` returns, so it survives the server process being killed a moment later (SIGKILL
 * does not lose written data; only a machine crash would, which the lab does not simulate, so no
 * fsync per call). Appends of a few dozen bytes are atomic, so several server processes (a
 * restarted server, a failover pair) share one log.
 *
 * The test reads the log back ({@link readExecLog}) and counts executions per call.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

/** Appends execution records (child side). */
export class ExecLogWriter {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "a");
  }

  /** Records one execution of call (`clientId`, `callId`) by this process. */
  record(clientId: number, callId: number): void {
    writeSync(this.fd, `${clientId} ${callId} ${process.pid}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Key of a call in the log: client ids stay below 2^21, so the key is an exact integer. */
export function callKey(clientId: number, callId: number): number {
  return clientId * 0x1_0000_0000 + callId;
}

/** What a log says. */
export interface ExecLogSummary {
  /** Lines (executions) in the log. */
  readonly executions: number;
  /** Executions per call key ({@link callKey}). */
  readonly perCall: Map<number, number>;
  /** Calls executed more than once, as `clientId/callId×n` (at most 20 listed). */
  readonly duplicates: string[];
  /** How many calls were executed more than once. */
  readonly duplicateCount: number;
  /** Executions per server pid. */
  readonly perPid: Map<number, number>;
}

/** Reads and checks an execution log. A malformed line is an error: the log is the evidence. */
export function readExecLog(path: string): ExecLogSummary {
  const text = readFileSync(path, "utf8");
  const perCall = new Map<number, number>();
  const perPid = new Map<number, number>();
  const duplicates: string[] = [];
  let duplicateCount = 0;
  let executions = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === "") continue;
    const m = /^(\d+) (\d+) (\d+)$/.exec(line);
    if (m === null)
      throw new Error(`execution log ${path}: malformed line ${JSON.stringify(line)}`);
    const clientId = Number(m[1]);
    const callId = Number(m[2]);
    const pid = Number(m[3]);
    executions++;
    const key = callKey(clientId, callId);
    const n = (perCall.get(key) ?? 0) + 1;
    perCall.set(key, n);
    perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
    if (n === 2) {
      duplicateCount++;
      if (duplicates.length < 20) duplicates.push(`${clientId}/${callId}`);
    }
  }
  return { executions, perCall, duplicates, duplicateCount, perPid };
}
