/**
 * Processes of the cross-system comparison (`bench/compare.bench.ts`). Every server and every
 * measured client runs in a process of its own, pinned with `taskset` when present (servers on
 * core 0, clients on core 1), so that no system shares an event loop or a core with the other
 * side of its calls. They speak a line protocol on stdin/stdout:
 *
 * - a server prints one JSON line with its port(s) (the rpcgen C server: `ready udp N tcp M`) and
 *   exits when its stdin ends;
 * - a client connects and warms up, prints `{"ready":true}`, and then for each line `go` runs one
 *   measured window and prints `{"result": {...}}`; it exits when its stdin ends. A client of
 *   small calls stays up for every round, so its windows measure a warmed-up process (the JIT
 *   alone makes a cold Node client 2-3× slower for its first seconds); a bulk transfer is one
 *   process per transfer.
 *
 * The parent reads a server's CPU time from `/proc/PID/stat` just before `go` and just after the
 * result, so warm-up is not counted; clients report their own (`getrusage`, all threads).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Whether `taskset` can pin processes here. */
export const hasTaskset = spawnSync("sh", ["-c", "command -v taskset"]).status === 0;

/** The core servers are pinned to; clients get the other one. */
export const SERVER_CORE = 0;
/** The core measured clients are pinned to. */
export const CLIENT_CORE = 1;

const clockTicksPerSecond = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/**
 * CPU time (user + system, every thread) a live process has used, microseconds, from
 * `/proc/PID/stat` (resolution: one clock tick, 10 ms); NaN when unreadable.
 */
export function procCpuUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** Where and how to start a process: pinned to `core` (null: anywhere), behind `prefix`. */
export interface Placement {
  readonly core: number | null;
  /** A command run in front, e.g. `netlab exec HOST` to run inside a netlab host. */
  readonly prefix?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** A child process speaking the line protocol. */
export class LineProc {
  readonly child: ChildProcess;
  private buffered = "";
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private exited: number | null = null;
  private readonly label: string;

  constructor(label: string, cmd: string, args: readonly string[], placement: Placement) {
    this.label = label;
    let argv = [cmd, ...args];
    if (hasTaskset && placement.core !== null)
      argv = ["taskset", "-c", String(placement.core), ...argv];
    argv = [...(placement.prefix ?? []), ...argv];
    this.child = spawn(argv[0]!, argv.slice(1), {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, ...placement.env },
    });
    this.child.stdin!.on("error", () => {}); // a process that died: reported by `next`
    this.child.stdout!.on("data", (d: Buffer) => {
      this.buffered += d.toString();
      for (let nl = this.buffered.indexOf("\n"); nl >= 0; nl = this.buffered.indexOf("\n")) {
        this.lines.push(this.buffered.slice(0, nl));
        this.buffered = this.buffered.slice(nl + 1);
      }
      this.wake();
    });
    this.child.once("exit", (code, signal) => {
      this.exited = code ?? (signal === null ? -1 : 128);
      this.wake();
    });
  }

  /** The process id (of the measured program itself: `taskset` execs it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends one line on the process's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The next stdout line `accept` returns a value for (other lines are skipped). */
  async next<T>(accept: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
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
        setTimeout(r, 500).unref();
      });
      this.waiter = null;
    }
  }

  /** The next stdout line that is a JSON object with field `key`. */
  json<T extends object>(key: string, timeoutMs = 120_000): Promise<T> {
    return this.next((line) => {
      if (!line.startsWith("{")) return undefined;
      const o = JSON.parse(line) as Record<string, unknown>;
      return key in o ? (o as T) : undefined;
    }, timeoutMs);
  }

  /** Ends stdin (the process exits), and kills it if it is still there 2 s later. */
  stop(): void {
    this.child.stdin!.end();
    setTimeout(() => {
      if (this.exited === null) this.child.kill("SIGKILL");
    }, 2000).unref();
  }

  /** Resolves when the process has exited (killing it after `timeoutMs`). */
  async done(timeoutMs = 10_000): Promise<void> {
    if (this.exited !== null) return;
    const t = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await new Promise<void>((r) => this.child.once("exit", () => r()));
    clearTimeout(t);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * For client processes: prints `{"ready":true}`, then resolves each `next()` on a line `go` from
 * the parent, with false once stdin ends (the parent is done or gone).
 */
export function goSignals(): { next(): Promise<boolean> } {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  let buf = "";
  let ended = false;
  let gos = 0;
  let wake: (() => void) | null = null;
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d: string) => {
    buf += d;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      if (buf.slice(0, nl).trim() === "go") gos++;
      buf = buf.slice(nl + 1);
    }
    wake?.();
  });
  process.stdin.once("end", () => {
    ended = true;
    wake?.();
  });
  return {
    async next() {
      while (gos === 0 && !ended) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (gos === 0) return false;
      gos--;
      return true;
    },
  };
}

/** For server processes: calls `onEnd` when stdin ends (the parent is done or gone). */
export function exitWithStdin(onEnd: () => void): void {
  process.stdin.resume();
  process.stdin.on("end", onEnd);
}
