/**
 * `npm run chaos -- [--long] [--json FILE] [SCENARIO...]`: runs reliability-lab scenarios on real
 * processes (docs/reliability.md) and prints each report — load, faults, figures, checks — as
 * Markdown; `--json` also writes them as JSON. Without names, runs every scenario; `--long` runs
 * the long versions (minutes each; `npm run soak` is `--long soak`). Exits 1 if a check failed.
 * Scenario ids: server-crash, client-crash, onc-restart, failover, partition, overload, scale,
 * soak. `CHAOS_KEEP=1` keeps each run's scratch directory (logs, records) for a look.
 */
import { writeFileSync } from "node:fs";
import { formatReport, type ScenarioReport, withLab } from "../test/chaos/lab.js";
import { netlabSkipReason } from "../test/chaos/netlab.js";
import { SCENARIOS } from "../test/chaos/scenarios/index.js";

// A stray rejection must not end the run before `withLab` has cleaned up (netlab hosts, children).
process.on("unhandledRejection", (e) => console.error("chaos: unhandled rejection:", e));

const argv = process.argv.slice(2);
const long = argv.includes("--long");
const jsonAt = argv.indexOf("--json");
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
const names = argv.filter((a, i) => !a.startsWith("--") && !(jsonAt >= 0 && i === jsonAt + 1));
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.id === n));
if (unknown.length > 0) {
  console.error(
    `unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`,
  );
  process.exit(2);
}
const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.id));
const netlab = netlabSkipReason();
const reports: ScenarioReport[] = [];
let failed = 0;
for (const s of chosen) {
  if (s.netlab && netlab !== null) {
    console.log(`### ${s.title}\n\nskipped: ${netlab}\n`);
    continue;
  }
  const t0 = performance.now();
  const report = await withLab((lab) => s.run(lab, long ? "long" : "short"));
  reports.push(report);
  console.log(`${formatReport(report)}\n\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  if (report.checks.some((c) => !c.ok)) failed++;
}
if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify(reports, null, 2)}\n`);
process.exit(failed > 0 ? 1 : 0);
