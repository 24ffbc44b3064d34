/**
 * Processes for the transport benchmarks: every server and every client runs in its own process,
 * pinned to a core with `taskset` when present (servers on core 0, clients on core 1), and speaks
 * a line protocol of JSON objects on stdin/stdout:
 *
 * - a server prints `{"port": N}` (or `ready udp N [tcp M]`) when listening, answers the line
 *   `cpu` with `{"cpu": {"user": µs, "system": µs}}` (its own `process.cpuUsage()`), and exits
 *   when stdin ends;
 * - a client connects and warms up, prints `{"ready": true}`, waits for the line `go`, runs its
 *   measured window and prints one result object, which includes its own CPU time over the
 *   window (`cpuUs`), then exits.
 *
 * CPU time per call is far less sensitive to other load on a shared machine than calls/s: a
 * process that waits for the scheduler is not charged for it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";

/** Whether `taskset` can pin processes here. */
export const hasTaskset = existsSync("/usr/bin/taskset") || existsSync("/bin/taskset");

/** CPU time of a process, microseconds, as `process.cpuUsage()` reports it. */
export interface CpuUs {
  readonly user: number;
  readonly system: number;
}

/** User + system microseconds between two readings. */
export function cpuDeltaUs(before: CpuUs, after: CpuUs): number {
  return after.user - before.user + (after.system - before.system);
}

/** A child process speaking the line protocol. */
export class LineProc {
  readonly child: ChildProcess;
  private buffered = "";
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private exited: number | null = null;
  private readonly label: string;

  constructor(label: string, core: number | null, cmd: string, args: readonly string[]) {
    this.label = label;
    const [c, a] =
      hasTaskset && core !== null
        ? ["taskset", ["-c", String(core), cmd, ...args]]
        : [cmd, [...args]];
    this.child = spawn(c, a, { stdio: ["pipe", "pipe", "inherit"] });
    this.child.stdout!.on("data", (d: Buffer) => {
      this.buffered += d.toString();
      for (let nl = this.buffered.indexOf("\n"); nl >= 0; nl = this.buffered.indexOf("\n")) {
        this.lines.push(this.buffered.slice(0, nl));
        this.buffered = this.buffered.slice(nl + 1);
      }
      this.wake();
    });
    this.child.once("exit", (code) => {
      this.exited = code ?? -1;
      this.wake();
    });
  }

  /** Sends one line on the process's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The next stdout line that `accept` returns a value for (other lines are skipped). */
  async next<T>(accept: (line: string) => T | undefined, timeoutMs = 120_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      while (this.lines.length > 0) {
        const v = accept(this.lines.shift()!);
        if (v !== undefined) return v;
      }
      if (this.exited !== null) throw new Error(`${this.label} exited with ${this.exited}`);
      if (Date.now() > until) throw new Error(`${this.label}: no answer in ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 1000).unref();
      });
      this.waiter = null;
    }
  }

  /** The next stdout line that parses as a JSON object with field `key`. */
  json<T extends object>(key: string, timeoutMs?: number): Promise<T> {
    return this.next((line) => {
      if (!line.startsWith("{")) return undefined;
      const o = JSON.parse(line) as Record<string, unknown>;
      return key in o ? (o as T) : undefined;
    }, timeoutMs);
  }

  /** Asks a server for its CPU time. */
  async cpu(): Promise<CpuUs> {
    this.send("cpu");
    return (await this.json<{ cpu: CpuUs }>("cpu")).cpu;
  }

  /** Ends stdin (servers exit), and kills the process if it is still there 2 s later. */
  stop(): void {
    this.child.stdin!.end();
    setTimeout(() => {
      if (this.exited === null) this.child.kill("SIGKILL");
    }, 2000).unref();
  }

  /** Resolves when the process has exited. */
  async done(): Promise<void> {
    if (this.exited !== null) return;
    await new Promise<void>((r) => this.child.once("exit", () => r()));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * For server processes: answers `cpu` lines on stdin with this process's CPU time and calls
 * `onEnd` when stdin ends.
 */
export function serveControl(onEnd: () => void): void {
  let buf = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d: string) => {
    buf += d;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line === "cpu") process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage() })}\n`);
    }
  });
  process.stdin.on("end", onEnd);
}

/** For client processes: prints `{"ready":true}` and resolves on the line `go`. */
export function readyThenGo(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  return new Promise((resolve) => {
    let buf = "";
    process.stdin.setEncoding("utf8");
    const onData = (d: string) => {
      buf += d;
      if (buf.includes("go\n")) {
        process.stdin.off("data", onData);
        process.stdin.pause();
        // Nothing more is read: stdin must not keep the process alive.
        (process.stdin as { unref?: () => void }).unref?.();
        resolve();
      }
    };
    process.stdin.on("data", onData);
  });
}

/** Result of one measured client window. */
export interface WindowResult {
  readonly calls: number;
  readonly seconds: number;
  readonly p50us: number;
  readonly p99us: number;
  /** The client's own CPU time over the window. */
  readonly cpuUs: number;
}

/**
 * Keeps `inflight` operations going for `ms` (each lane starts the next when its last one
 * completes) and returns calls, time, latency percentiles and this process's CPU time.
 */
export async function driveWindow(
  inflight: number,
  ms: number,
  op: (i: number) => Promise<unknown>,
): Promise<WindowResult> {
  const lat = new Float64Array(1 << 22);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  const lane = async (first: number) => {
    let i = first;
    for (let t0 = performance.now(); t0 < end; t0 = performance.now()) {
      await op(i);
      if (n < lat.length) lat[n] = (performance.now() - t0) * 1000;
      n++;
      i += inflight;
    }
  };
  // A lane whose reply never comes (a lost datagram, for the raw echo) must not hang the run:
  // lanes still waiting 5 s after the window are abandoned, and their calls not counted.
  let stop: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(Array.from({ length: inflight }, (_, i) => lane(i))),
    new Promise<void>((r) => {
      stop = setTimeout(r, ms + 5000);
    }),
  ]);
  clearTimeout(stop);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const k = Math.min(n, lat.length);
  const s = lat.subarray(0, k).sort();
  return {
    calls: n,
    seconds,
    p50us: s[Math.floor(k / 2)] ?? 0,
    p99us: s[Math.floor((k * 99) / 100)] ?? 0,
    cpuUs: cpu.user + cpu.system,
  };
}

/** The 1, 5 and 15 minute load averages, formatted. */
export function loadText(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

/**
 * Waits (up to `maxWaitMs`) until the 1-minute load average is at most `limit`, so that a run
 * starts on a quiet machine; returns the load average it started at.
 */
export async function waitForQuiet(limit: number, maxWaitMs: number): Promise<number> {
  const until = Date.now() + maxWaitMs;
  while (loadavg()[0]! > limit && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 5000));
  }
  return loadavg()[0]!;
}
