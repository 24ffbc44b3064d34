/**
 * The lab's side of its child processes: starts lab servers and clients (server-proc.ts,
 * client-proc.ts) on the compiled build, on loopback or inside a netlab host, optionally pinned
 * to CPUs; asks them for statistics; kills them (SIGKILL: a crash); samples their resident
 * memory from /proc, which works even while a child's event loop is saturated.
 *
 * Every process started here is remembered until it exits, and {@link killStarted} ends those
 * (by pid) — the scenarios call it in `finally`, so a failing run leaves nothing behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ClientConfig, ClientSummary } from "./client-proc.js";
import { Channel, type Message } from "./lines.js";
import { NETLAB } from "./netlab.js";
import type { ServerConfig } from "./server-proc.js";

/** Where a child runs. */
export interface Placement {
  /** Run inside this netlab host (`netlab exec`). */
  readonly netlabHost?: string;
  /** Pin to these CPUs (`taskset -c`), e.g. "0". */
  readonly cpus?: string;
  /**
   * Scheduling niceness (`nice -n`): many client processes on a 2-core machine would otherwise
   * take the CPU from the one server they load (their machines would be separate in a real
   * deployment).
   */
  readonly nice?: number;
  /** Extra node options (e.g. V8 heap limits). */
  readonly nodeOptions?: readonly string[];
}

const started = new Set<number>();

function launch(script: string, config: unknown, placement: Placement = {}): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  let argv = [
    process.execPath,
    "--expose-gc",
    ...(placement.nodeOptions ?? []),
    path,
    JSON.stringify(config),
  ];
  if (placement.cpus !== undefined) argv = ["taskset", "-c", placement.cpus, ...argv];
  if (placement.nice !== undefined) argv = ["nice", "-n", String(placement.nice), ...argv];
  if (placement.netlabHost !== undefined) argv = [NETLAB, "exec", placement.netlabHost, ...argv];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin!.on("error", () => {}); // a killed child's stdin: nothing to tell it any more
  // Until it says which pid it runs as, end it through the process spawned (node itself, or
  // the netlab wrapper: a netlab host taken down ends what runs in it).
  if (child.pid !== undefined) remember(child.pid, child);
  return child;
}

/** Resident set size of a process, bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

function remember(pid: number, child: ChildProcess): void {
  started.add(pid);
  child.once("exit", () => started.delete(pid));
}

/** SIGKILLs every lab process still running that this module started. */
export function killStarted(): void {
  for (const pid of started) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  started.clear();
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

/** A running lab server. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: Channel,
    readonly pid: number,
    readonly port: number,
  ) {}

  /** Starts a server and waits until it listens. */
  static async start(config: ServerConfig, placement?: Placement): Promise<ServerProcess> {
    const child = launch("./server-proc.js", config, placement);
    const channel = new Channel(child, "lab server");
    const ready = await channel.next("ready", 30_000);
    const pid = ready.pid as number;
    remember(pid, child);
    return new ServerProcess(child, channel, pid, ready.port as number);
  }

  /** Transport statistics and `process.memoryUsage()` (after a full GC when `gc`). */
  stats(gc = false): Promise<Message> {
    return this.channel.request("stats", { gc });
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  /** A crash: SIGKILL, then wait for the process to be gone. */
  async kill(): Promise<void> {
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited(this.child);
  }

  /** Closes stdin (the server closes and exits); SIGKILL if it has not exited in 5 s. */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => void this.kill(), 5000);
    await exited(this.child);
    clearTimeout(timer);
  }
}

/** A running lab client. */
export class ClientProcess {
  private readonly finished: Promise<ClientSummary>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: Channel,
    readonly pid: number,
  ) {
    this.finished = channel.next("done", 24 * 3600_000).then((m) => {
      if (m.summary === undefined) throw new Error(`lab client ${pid} ended without a summary`);
      return m.summary as ClientSummary;
    });
    this.finished.catch(() => {}); // observed by done(); a killed client never reports
  }

  /** Starts a client and waits until its sessions exist (it starts calling unless `waitForGo`). */
  static async start(config: ClientConfig, placement?: Placement): Promise<ClientProcess> {
    const child = launch("./client-proc.js", config, placement);
    const channel = new Channel(child, `lab client ${config.clientId}`);
    const ready = await channel.next("ready", 60_000);
    const pid = ready.pid as number;
    remember(pid, child);
    return new ClientProcess(child, channel, pid);
  }

  go(): void {
    this.channel.send("go");
  }

  /** Asks the client to issue no new calls; it finishes those in flight and reports. */
  stop(): void {
    this.channel.send("stop");
  }

  /** Summed transport statistics, call counts and memory (after a full GC when `gc`). */
  stats(gc = false): Promise<Message> {
    return this.channel.request("stats", { gc });
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  /** The client's summary, once it has finished (rejects after `timeoutMs`). */
  done(timeoutMs: number): Promise<ClientSummary> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`lab client ${this.pid} did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([this.finished, late]).finally(() => clearTimeout(timer));
  }

  /** A crash: SIGKILL, then wait for the process to be gone. */
  async kill(): Promise<void> {
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited(this.child);
  }
}

/** Samples a process's RSS at a fixed interval (for "memory stays flat"). */
export class RssSampler {
  readonly samples: { readonly atMs: number; readonly rssBytes: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = performance.now();

  constructor(
    private readonly pid: number,
    everyMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const rss = rssBytes(this.pid);
    if (rss > 0) this.samples.push({ atMs: performance.now() - this.t0, rssBytes: rss });
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}
