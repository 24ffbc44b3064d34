#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's test runner and the spec
// reporter, which ends with the summary (tests, pass, fail, skipped). Arguments narrow the run:
// `node scripts/run-tests.mjs xdr compiler` runs the files whose path contains "xdr" or "compiler".
// The reliability lab's files (test/chaos/: real processes under load) run afterwards, alone,
// so they neither disturb the other tests' timing nor are disturbed by it.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (p.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = find("dist")
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("no test files found under dist/ (did the build run?)");
  process.exit(1);
}
const alone = (f) => f.includes(join("test", "chaos"));
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
let status = 0;
for (const [group, level] of [
  [files.filter((f) => !alone(f)), concurrency],
  [files.filter(alone), "1"],
]) {
  if (group.length === 0) continue;
  const r = spawnSync(
    process.execPath,
    ["--test", `--test-concurrency=${level}`, "--test-reporter=spec", ...group],
    { stdio: "inherit" },
  );
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
