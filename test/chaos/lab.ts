/**
 * What every scenario run shares: a scratch directory, unique client ids, candidate fixed ports,
 * netlab hosts, per-call records, and the report each scenario returns (its load, faults,
 * figures, and the invariants it checked), which the CI test asserts and `npm run chaos` prints.
 * `withLab` always cleans up — kills the processes it started, takes its netlab hosts down,
 * removes the scratch directory (kept when `CHAOS_KEEP=1`, to look at the logs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetlabHosts } from "./netlab.js";
import { killStarted } from "./procs.js";

/** One invariant a scenario checked. */
export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a scenario reports (docs/reliability.md has one section per scenario). */
export interface ScenarioReport {
  readonly scenario: string;
  readonly load: string;
  readonly faults: string;
  readonly figures: Record<string, number | string>;
  readonly checks: readonly Check[];
}

/** How long a scenario runs: `short` in `npm test`, `long` from `npm run chaos -- --long`. */
export type Scale = "short" | "long";

/** A per-call record written by client-proc.ts. */
export interface CallRecord {
  readonly callId: number;
  readonly session: number;
  readonly startedAt: number;
  readonly settledAt: number;
  readonly outcome: string;
  readonly serverPid: number;
}

/** Reads a client's per-call records. */
export function readRecords(path: string): CallRecord[] {
  const text = readFileSync(path, "utf8");
  if (text === "") return [];
  return text.split("\n").map((line) => {
    const [callId, session, startedAt, settledAt, outcome, serverPid] = JSON.parse(line) as [
      number,
      number,
      number,
      number,
      string,
      number,
    ];
    return { callId, session, startedAt, settledAt, outcome, serverPid };
  });
}

/** Wall-clock ms (comparable with the children's record times). */
export const wallMs = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The scratch space of one scenario run. */
export class Lab {
  readonly dir = mkdtempSync(join(tmpdir(), "lupine-chaos-"));
  readonly netlab = new NetlabHosts();
  readonly checks: Check[] = [];
  private clientIds = 0;
  private portCursor = 0;

  /** A client id unique within the run (below 2^21). */
  clientId(): number {
    return ++this.clientIds;
  }

  /** A file path in the scratch directory. */
  file(name: string): string {
    return join(this.dir, name);
  }

  /** A fresh, empty execution log. */
  execLog(name = "exec.log"): string {
    const path = this.file(name);
    writeFileSync(path, "");
    return path;
  }

  /**
   * Candidate ports in this project's fixed range (49000–49999) for a server that must come
   * back on the same port after a crash; the server takes the first free one.
   */
  fixedPorts(): number[] {
    const base = 49000 + ((process.pid * 7 + this.portCursor++ * 97) % 1000);
    return Array.from({ length: 20 }, (_, i) => 49000 + ((base - 49000 + i * 53) % 1000));
  }

  /** Records an invariant; returns `ok` so callers can branch on it. */
  check(what: string, ok: boolean, detail = ""): boolean {
    this.checks.push({ what, ok, detail });
    return ok;
  }

  close(): void {
    killStarted();
    this.netlab.downAll();
    if (process.env.CHAOS_KEEP !== "1") rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with a fresh {@link Lab}, cleaning up whatever happens. */
export async function withLab<T>(fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = new Lab();
  try {
    return await fn(lab);
  } finally {
    lab.close();
  }
}

/** Least-squares slope of `y` over `x`. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const MB = 1024 * 1024;

/** Rounds for a report. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Renders a report as a Markdown section body. */
export function formatReport(r: ScenarioReport): string {
  const lines = [`### ${r.scenario}`, "", `- load: ${r.load}`, `- faults: ${r.faults}`, ""];
  lines.push("| figure | value |", "| --- | --- |");
  for (const [k, v] of Object.entries(r.figures)) lines.push(`| ${k} | ${v} |`);
  lines.push("", "| check | result |", "| --- | --- |");
  for (const c of r.checks) {
    lines.push(
      `| ${c.what} | ${c.ok ? "ok" : "FAILED"}${c.detail === "" ? "" : `: ${c.detail}`} |`,
    );
  }
  return lines.join("\n");
}
