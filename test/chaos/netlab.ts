/**
 * `../shared/netlab` for the lab: hosts named `cx<pid><suffix>` (so parallel runs never
 * collide), links, partitions, impairments, and a `downAll` the scenarios call in `finally`.
 * {@link netlabSkipReason} says why netlab scenarios cannot run here (not root, no netlab,
 * `netlab check` failing), so they skip with that message.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support.js";

/** The netlab tool (`LUPINE_SHARED` overrides where `../shared` is). */
export const NETLAB = join(
  process.env.LUPINE_SHARED ?? join(repoRoot, "..", "shared"),
  "netlab",
  "netlab",
);

let checked: string | null | undefined;

/** Why netlab cannot run here, or null when it can. */
export function netlabSkipReason(): string | null {
  if (checked !== undefined) return checked;
  if (process.getuid?.() !== 0) checked = "netlab needs root";
  else if (!existsSync(NETLAB)) checked = `netlab not found at ${NETLAB}`;
  else {
    try {
      execFileSync(NETLAB, ["check"], { stdio: "ignore", timeout: 60_000 });
      checked = null;
    } catch {
      checked = "`netlab check` fails on this machine";
    }
  }
  return checked;
}

function run(args: readonly string[]): string {
  return execFileSync(NETLAB, args, { encoding: "utf8", timeout: 60_000 }).trim();
}

/** The netlab hosts of one scenario run. */
export class NetlabHosts {
  private readonly made: string[] = [];

  /** A host name unique to this process: `cx<pid><suffix>`. */
  name(suffix: string): string {
    return `cx${process.pid}${suffix}`;
  }

  /** Makes host `cx<pid><suffix>` with these netem-style impairments; returns its name. */
  up(suffix: string, impairments: readonly string[] = []): string {
    const host = this.name(suffix);
    this.made.push(host);
    run(["up", host, ...impairments]);
    return host;
  }

  /** Changes a host's impairments (none: a clean link). */
  set(host: string, impairments: readonly string[] = []): void {
    run(["set", host, ...impairments]);
  }

  /** Joins two hosts; returns each one's address on the link. */
  link(a: string, b: string): { readonly a: string; readonly b: string } {
    run(["link", a, b]);
    return { a: run(["addr", a, b]), b: run(["addr", b, a]) };
  }

  /** Partition: each drops everything from the other. */
  cut(a: string, b: string): void {
    run(["cut", a, b]);
  }

  heal(a: string, b: string): void {
    run(["heal", a, b]);
  }

  /** Counters of a host (netlab show). */
  show(host: string): string {
    return run(["show", host]);
  }

  /** Deletes every host this run made (their processes die with them). Never throws. */
  downAll(): void {
    for (const host of this.made.splice(0)) {
      try {
        run(["down", host]);
      } catch {
        // already gone
      }
    }
  }
}
