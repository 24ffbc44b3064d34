/**
 * The lossy link: two netlab hosts (`../shared/netlab`) joined by a veth link, the servers in one
 * and the clients in the other, each host sending with the same impairment, {@link LOSSY_ARGS}:
 * 2% loss and 10 ms delay each way (RTT 20 ms), a queue of 10,000 packets. Segmentation offload
 * is turned down to 1500 bytes so TCP sends the same 1500-byte packets UDP does (netlab impairs
 * packets, and one 64 KiB TSO super-packet would otherwise count as one). Needs root; skipped with
 * the reason otherwise. Host names start with `bx` (or `LUPINE_NETLAB_PREFIX`) and carry the pid,
 * so parallel runs never collide; `netlab down` always runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CPeers } from "./c-peers.js";
import { Fleet } from "./fleet.js";
import { measureBulk, measureCalls } from "./parts.js";
import { CLIENT_CORE, SERVER_CORE } from "./procs.js";
import type { Samples } from "./samples.js";
import type { Sizing, SystemSpec } from "./systems.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..");
/** The netlab tool beside the checkout (`LUPINE_SHARED` overrides where `shared/` is). */
export const NETLAB = join(
  process.env.LUPINE_SHARED ?? join(root, "..", "shared"),
  "netlab",
  "netlab",
);

/**
 * The start of the netlab host names (`LUPINE_NETLAB_PREFIX`, so that people sharing a machine
 * can each keep to their own names; the pid follows either way).
 */
export const NETLAB_PREFIX = process.env.LUPINE_NETLAB_PREFIX;

/** Calls in flight of the small calls through the lossy link. */
export const LOSSY_DEPTH = 32;

/** The impairment of both hosts: identical for every compared system. */
export const LOSSY_ARGS = ["loss", "2%", "delay", "10ms", "limit", "10000"] as const;

/** Why netlab cannot run here, or undefined. */
export function netlabMissing(): string | undefined {
  if (process.getuid?.() !== 0) return "netlab needs root";
  if (!existsSync(NETLAB)) return `no netlab at ${NETLAB}`;
  return spawnSync(NETLAB, ["check"], { stdio: "ignore" }).status === 0
    ? undefined
    : "`netlab check` fails here";
}

function netlab(...args: string[]): string {
  return execFileSync(NETLAB, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Makes the two hosts, each impaired with {@link LOSSY_ARGS} and then `extra` (e.g. a rate
 * limit), and their link, segmentation offload down to 1500 bytes; returns the server's address
 * on the link.
 */
export function setUpLossyLink(
  client: string,
  server: string,
  extra: readonly string[] = [],
): string {
  for (const h of [client, server]) netlab("up", h, ...LOSSY_ARGS, ...extra);
  netlab("link", client, server);
  for (const h of [client, server]) {
    const ifs = netlab("exec", h, "ls", "/sys/class/net").split(/\s+/);
    for (const i of ifs.filter((x) => x.startsWith("nl"))) {
      netlab("exec", h, "ip", "link", "set", "dev", i, "gso_max_size", "1500", "gso_max_segs", "1");
    }
  }
  return netlab("addr", server, client).trim();
}

/** Packets netlab queued and dropped on what `host` sends (`netlab show`). */
function linkCounters(host: string): { queued: number; dropped: number } {
  const m = /nfq-\d+:.*?queued=(\d+) dropped=(\d+)/.exec(netlab("show", host));
  return m === null ? { queued: 0, dropped: 0 } : { queued: Number(m[1]), dropped: Number(m[2]) };
}

/**
 * Picks each transfer's TCP congestion control in the sending (client) host and counts the
 * packets netlab dropped of what the client sent during each transfer: the loss applies to every
 * system alike, and the rows say so.
 */
function bulkHooks(client: string) {
  const defaultCc = netlab(
    "exec",
    client,
    "sysctl",
    "-n",
    "net.ipv4.tcp_congestion_control",
  ).trim();
  let before = { queued: 0, dropped: 0 };
  const drops = new Map<string, number[]>();
  return {
    defaultCc,
    drops,
    prepare: (s: SystemSpec) => {
      const cc = s.lossyOnly?.tcpCongestion ?? defaultCc;
      netlab("exec", client, "sysctl", "-qw", `net.ipv4.tcp_congestion_control=${cc}`);
      before = linkCounters(client);
    },
    observe: (s: SystemSpec) => {
      const after = linkCounters(client);
      const queued = after.queued - before.queued;
      if (queued <= 0) return;
      const list = drops.get(s.name) ?? [];
      list.push((after.dropped - before.dropped) / queued);
      drops.set(s.name, list);
    },
  };
}

function lossyUnable(size: Sizing) {
  return (s: SystemSpec) =>
    s.lossy !== true
      ? s.lossy.missing
      : size.lossySystems !== undefined && !size.lossySystems.includes(s.name)
        ? "left out of the quick run"
        : undefined;
}

/**
 * Small calls at 32 in flight and a bulk transfer, each system through the lossy link. Returns
 * why it was skipped, or undefined.
 */
export async function measureLossy(
  systems: readonly SystemSpec[],
  size: Sizing,
  c: CPeers | string,
  samples: Samples,
): Promise<string | undefined> {
  const why = netlabMissing();
  if (why !== undefined) return why;
  const client = `${NETLAB_PREFIX ?? "bx"}${process.pid}a`;
  const server = `${NETLAB_PREFIX ?? "bx"}${process.pid}b`;
  let fleet: Fleet | undefined;
  const unable = lossyUnable(size);
  try {
    const address = setUpLossyLink(client, server);
    fleet = new Fleet({
      host: address,
      bindHost: "0.0.0.0",
      server: { core: SERVER_CORE, prefix: [NETLAB, "exec", server] },
      client: { core: CLIENT_CORE, prefix: [NETLAB, "exec", client] },
      c,
      serverCpu: false,
      warmCalls: size.warmCalls,
    });
    await fleet.start(systems.filter((s) => unable(s) === undefined));
    const setting = {
      prefix: "lossy link",
      figure: "lossy-",
      baseline: "node tcp echo",
      rounds: size.lossyRounds,
      windowMs: size.lossyWindowMs,
      warmMs: size.warmMs,
      depths: [LOSSY_DEPTH],
      cpu: false,
      unable,
    };
    await measureCalls(fleet, systems, setting, samples);
    const hooks = bulkHooks(client);
    const group = `lossy link: ${size.lossyBulkBytes >> 20} MiB transfer, MB/s`;
    await measureBulk(
      fleet,
      systems,
      {
        group,
        figure: "lossy-bulk",
        baseline: "node tcp echo",
        rounds: size.lossyRounds,
        bytes: size.lossyBulkBytes,
        unable,
        budgetMs: size.lossyBudgetMs,
        transferCapMs: size.transferCapMs,
        prepare: hooks.prepare,
        observe: hooks.observe,
        bytesOf: (s) => Math.round(size.lossyBulkBytes * (s.lossyOnly?.bytesFraction ?? 1)),
      },
      samples,
    );
    netlab("exec", client, "sysctl", "-qw", `net.ipv4.tcp_congestion_control=${hooks.defaultCc}`);
    for (const [system, fractions] of hooks.drops) {
      const pct = fractions.map((f) => (100 * f).toFixed(1)).join(", ");
      const cc = systems.find((s) => s.name === system)?.lossyOnly?.tcpCongestion;
      const sent = cc === undefined ? "" : `, ${cc}, a quarter of the bytes`;
      samples.remark(group, system, `netlab dropped ${pct}% of the client's packets${sent}`);
    }
    return undefined;
  } finally {
    fleet?.stop();
    for (const h of [client, server]) spawnSync(NETLAB, ["down", h], { stdio: "ignore" });
  }
}
