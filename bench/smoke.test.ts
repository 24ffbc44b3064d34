/**
 * The benchmark harness must not rot: `npm test` runs the whole of it in its quick mode (every
 * module, every compared system's server and client, every part; seconds per module, no
 * measurement) and renders the report from what it wrote. Only crashes fail this test: the
 * numbers of a smoke run mean nothing and are not looked at.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { hasValue } from "./print.js";
import { renderMarkdown } from "./report/markdown.js";
import { parseResult } from "./report/model.js";
import { renderSvg } from "./report/svg.js";

const here = dirname(fileURLToPath(import.meta.url));

test("npm run bench -- --quick: every module runs, every Node system answers, the report renders", {
  timeout: 600_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "lupine-bench-smoke-"));
  try {
    const out = join(dir, "quick.json");
    const r = spawnSync(process.execPath, [join(here, "run.js"), "--quick", "--out", out], {
      encoding: "utf8",
      timeout: 580_000,
    });
    assert.equal(r.status, 0, `bench run failed:\n${r.stderr.slice(-4000)}`);
    const result = parseResult(readFileSync(out, "utf8"));
    assert.deepEqual(result.failures, []);
    assert.equal(result.quick, true);
    assert.ok(result.machine.cores > 0 && result.machine.node === process.version);
    assert.ok(result.comparison !== undefined && result.comparison.depths.length > 0, "settings");
    // Each Node system of the comparison made calls and moved its bulk bytes.
    const rows = result.rows;
    for (const system of [
      "raw dgram echo",
      "node tcp echo",
      "lupine",
      "lupine secure",
      "lupine onc/udp",
      "lupine onc/tcp",
      "grpc-js",
    ]) {
      const calls = rows.find(
        (x) => x.system === system && x.figure === "calls" && x.inFlight === 1,
      );
      assert.ok(calls !== undefined && hasValue(calls) && calls.value > 0, `${system}: calls/s`);
    }
    for (const system of [
      "node tcp echo",
      "lupine",
      "lupine secure",
      "lupine onc/tcp",
      "grpc-js",
      "lupine, one call",
      "lupine, one call, streamed",
    ]) {
      const bulk = rows.find((x) => x.system === system && x.figure === "bulk");
      assert.ok(bulk !== undefined && hasValue(bulk) && bulk.value > 0, `${system}: bulk MB/s`);
    }
    // Rows without a value say why.
    for (const x of rows.filter((row) => !hasValue(row)))
      assert.ok((x.note ?? "") !== "", `${x.group} / ${x.system}`);
    // Every per-area module contributed rows.
    for (const prefix of [
      "xdr:",
      "checksum:",
      "compiler:",
      "thread pool:",
      "secure:",
      "oncrpc tls",
      "oncrpc interop",
    ])
      assert.ok(
        rows.some((x) => x.group.startsWith(prefix)),
        `rows of ${prefix}`,
      );
    const md = renderMarkdown(result, "benchmarks.svg");
    assert.match(md, /## The machine/);
    assert.match(md, /QUICK smoke run/);
    assert.match(md, /## Ratios to raw dgram echo[\s\S]*## Ratios to grpc-js/);
    assert.match(md, /## Notes on noise\n\n- \*\*Load\.\*\*/);
    assert.match(md, new RegExp(`Small calls echo ${result.comparison.payloadBytes} bytes`));
    const svg = renderSvg(result);
    assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
    assert.equal((svg.match(/<text /g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
