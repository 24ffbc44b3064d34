import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

function lupine(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = [
  "--quick",
  "--trials",
  "400",
  "--sizes",
  "64,1500",
  "--rounds",
  "1",
  "--round-ms",
  "2",
];

describe("lupine checksums", () => {
  test("is listed by lupine --help", () => {
    const r = lupine("--help");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /checksums\s+measure checksums/);
  });

  test("prints speed beside zlib.crc32 and detection tables, replayable from the seed", () => {
    const args = ["checksums", ...SMALL, "--no-facts", "--seed", "9", "--models", "2-bit,burst-33"];
    const r = lupine(...args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /seed 9/);
    assert.match(r.stdout, /zlib\.crc32 \(native\)/);
    assert.match(r.stdout, /^crc32c\s+[\d,.]+ \([\d.]+×\)\s+[\d,.]+ \([\d.]+×\)$/m);
    assert.match(r.stdout, /Undetected errors, 64-byte messages \(400 trials/);
    assert.match(r.stdout, /Undetected errors, 1500-byte messages/);
    // A CRC misses none of 400 random 2-bit errors; the 8-bit sum misses some.
    assert.match(r.stdout, /^crc32c\s+0 \(<7\.5e-3\)\s+0 \(<7\.5e-3\)$/m);
    assert.match(r.stdout, /^sum8\s+[\d.]+e-\d+ \(\d+\)/m);
    const detection = (s: string) => s.slice(s.indexOf("Undetected"));
    assert.equal(detection(lupine(...args).stdout), detection(r.stdout));
  });

  test("checks the facts and prints Markdown", () => {
    const r = lupine("checksums", ...SMALL, "--no-speed", "--no-detection", "--markdown");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^### Bit-level facts/m);
    assert.match(r.stdout, /^- ✅ CRC-32C detects every error of an odd number of bits/m);
    assert.doesNotMatch(r.stdout, /❌/);
  });

  test("refuses bad options with exit code 2", () => {
    for (const bad of [
      ["--trials", "0"],
      ["--models", "4-bits"],
      ["--algorithms", "md5"],
      ["--bogus"],
    ]) {
      const r = lupine("checksums", ...bad);
      assert.equal(r.code, 2, bad.join(" "));
      assert.match(r.stderr, /usage: lupine checksums/);
    }
  });
});
