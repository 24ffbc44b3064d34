/**
 * `npm run fuzz`: fuzzes every target (or those named) with coverage feedback, each in its own
 * supervised thread, two at a time (the machine's cores), and prints a table of inputs, time,
 * corpus, coverage features and findings. Findings are written to `fuzz-findings/<target>/` as
 * the raw input plus a `.txt` with the message; the exit code is 1 when there is any.
 *
 * ```
 * node dist/test/fuzz/run.js [TARGET...] [--inputs N] [--seconds S] [--seed N] [--jobs N]
 *                            [--no-coverage] [--replay TARGET FILE]
 * ```
 *
 * `--replay` runs one saved input through a target in this thread and prints what happens
 * (with the stack), for debugging a finding.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../support.js";
import { superviseTarget, type TargetReport } from "./engine/supervisor.js";
import type { Finding } from "./engine/target.js";
import { loadTarget, TARGETS } from "./targets/index.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    inputs: { type: "string", default: "1000000" },
    seconds: { type: "string" },
    seed: { type: "string", default: "1" },
    jobs: { type: "string", default: "2" },
    "no-coverage": { type: "boolean", default: false },
    replay: { type: "boolean", default: false },
    out: { type: "string", default: join(repoRoot, "fuzz-findings") },
  },
});

function saveFinding(f: Finding): string {
  const id = createHash("sha1").update(f.input).digest("hex").slice(0, 12);
  const dir = join(values.out, f.target);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${f.kind}-${id}`);
  writeFileSync(`${base}.bin`, f.input);
  writeFileSync(`${base}.txt`, `${f.kind}\n${f.message}\n`);
  return `${base}.bin`;
}

async function replay(target: string, file: string): Promise<number> {
  const t = await loadTarget(target);
  const input = new Uint8Array(readFileSync(file));
  const t0 = performance.now();
  try {
    t.run(input);
    console.log(`${target}: no finding (${(performance.now() - t0).toFixed(1)} ms)`);
    return 0;
  } catch (e) {
    console.log(`${target}: ${e instanceof Error ? e.stack : String(e)}`);
    return 1;
  }
}

function row(r: TargetReport): string {
  const rate = r.inputs / Math.max(r.elapsedMs / 1000, 1e-3);
  return [
    r.target.padEnd(18),
    String(r.inputs).padStart(9),
    `${(r.elapsedMs / 1000).toFixed(0)} s`.padStart(7),
    `${rate.toFixed(0)}/s`.padStart(9),
    String(r.corpus).padStart(6),
    String(r.features).padStart(7),
    `${r.slowestMs.toFixed(1)} ms`.padStart(10),
    String(r.findings.length).padStart(8),
    r.known > 0 ? `(+${r.known} known)` : "",
  ].join(" ");
}

async function main(): Promise<number> {
  if (values.replay) return replay(positionals[0] ?? "", positionals[1] ?? "");
  const names = positionals.length > 0 ? positionals : Object.keys(TARGETS);
  for (const n of names) if (TARGETS[n] === undefined) await loadTarget(n);
  const queue = [...names];
  const reports: TargetReport[] = [];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const report = await superviseTarget({
        target: name,
        inputs: Number(values.inputs),
        ...(values.seconds === undefined ? {} : { timeLimitMs: Number(values.seconds) * 1000 }),
        seed: Number(values.seed),
        coverage: !values["no-coverage"],
        hangMs: 20_000,
        onFinding: (f) =>
          console.log(`[${name}] ${f.kind}: ${f.message.split("\n")[0]} → ${saveFinding(f)}`),
        onProgress: (p) =>
          console.log(
            `[${name}] ${p.inputs} inputs, ${(p.elapsedMs / 1000).toFixed(0)} s, corpus ${p.corpus}, features ${p.features}, findings ${p.findings}`,
          ),
      });
      reports.push(report);
      console.log(row(report));
    }
  };
  await Promise.all(Array.from({ length: Number(values.jobs) }, worker));
  reports.sort((a, b) => names.indexOf(a.target) - names.indexOf(b.target));
  console.log(
    `\n${"target".padEnd(18)} ${"inputs".padStart(9)} ${"time".padStart(7)} ${"rate".padStart(9)} ${"corpus".padStart(6)} ${"feat.".padStart(7)} ${"slowest".padStart(10)} findings`,
  );
  for (const r of reports) console.log(row(r));
  writeFileSync(
    join(repoRoot, "fuzz-summary.json"),
    `${JSON.stringify(
      reports.map(({ findings, ...r }) => ({ ...r, findings: findings.length })),
      null,
      2,
    )}\n`,
  );
  const total = reports.reduce((n, r) => n + r.findings.length, 0);
  console.log(`\n${total} finding(s)`);
  return total === 0 ? 0 : 1;
}

process.exitCode = await main();
