/**
 * The reliability lab in `npm test`: the short version of every scenario, on real processes over
 * loopback and in netlab namespaces (docs/reliability.md has the long versions and the figures).
 * Each scenario returns its checks; all must hold. The reports are printed, so a CI log shows
 * the figures of every run. Scenarios needing netlab skip with the reason where it cannot run.
 * One file, so the scenarios run one after another rather than beside each other.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatReport, withLab } from "./lab.js";
import { netlabSkipReason } from "./netlab.js";
import { SCENARIOS } from "./scenarios/index.js";

const netlab = netlabSkipReason();

for (const s of SCENARIOS) {
  const skip = s.netlab && netlab !== null ? netlab : false;
  test(`chaos: ${s.title}`, { skip, timeout: s.shortTimeoutMs }, async () => {
    const report = await withLab((lab) => s.run(lab, "short"));
    console.log(formatReport(report));
    const failed = report.checks.filter((c) => !c.ok);
    assert.deepEqual(
      failed.map((c) => `${c.what}: ${c.detail}`),
      [],
      "every check of the scenario holds",
    );
  });
}

if (netlab !== null) console.log(`# chaos netlab scenarios skipped: ${netlab}`);
