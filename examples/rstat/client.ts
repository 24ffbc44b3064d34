/**
 * An rstat client generated from the stock rstat.x: asks a host for its statistics (version 3,
 * RSTATPROC_STATS and RSTATPROC_HAVEDISK) and prints them the way `rup` does, plus the CPU ticks.
 *
 *   node dist/examples/rstat/client.js TARGET
 *
 * TARGET: `udp://host:port`, `tcp://host:port`, or `rpcbind://host` (ask the host's rpcbind
 * where rstat listens, as `rup` does).
 */
import { createClient, isRpcError } from "lupine";
import { RstatprogV3 } from "./gen/rstat.js";
import { FSCALE } from "./proc-stats.js";

const target = process.argv[2];
if (target === undefined) {
  console.error("usage: client.js TARGET (udp://host:port, tcp://host:port, rpcbind://host)");
  process.exit(2);
}
const rstat = createClient(RstatprogV3, target, { timeoutMs: 5000 });
try {
  const s = await rstat.rstatprocStats();
  const disk = await rstat.rstatprocHavedisk();
  const up = s.curtime.tv_sec - s.boottime.tv_sec;
  const days = Math.floor(up / 86400);
  const hh = Math.floor((up % 86400) / 3600);
  const mm = String(Math.floor((up % 3600) / 60)).padStart(2, "0");
  const load = s.avenrun.map((a) => (a / FSCALE).toFixed(2)).join(", ");
  console.log(
    `${target}: up ${days} day${days === 1 ? "" : "s"}, ${hh}:${mm}, load average: ${load}`,
  );
  console.log(`cpu ticks (user nice system idle): ${s.cp_time.join(" ")}`);
  console.log(`boot time: ${new Date(s.boottime.tv_sec * 1000).toISOString()}`);
  console.log(
    `context switches: ${s.v_swtch}, interrupts: ${s.v_intr}, disks: ${disk === 1 ? "yes" : "no"}`,
  );
} catch (e) {
  console.error(`${target}: ${isRpcError(e) ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await rstat.$close();
}
