/** Runs the file-transfer example on a random file and checks what it prints and leaves behind. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./round-trip.js", import.meta.url));

test("examples/file-transfer: up, down, verified, identical", () => {
  const top = mkdtempSync(join(tmpdir(), "lupine-example-ft-"));
  const file = join(top, "photo.raw");
  const folder = join(top, "served");
  mkdirSync(folder);
  const data = randomBytes(300_000);
  writeFileSync(file, data);
  const r = spawnSync(process.execPath, [SCRIPT, file, folder], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^serving .* on lupine:\/\/127\.0\.0\.1:\d+$/m);
  assert.match(
    r.stdout,
    /sent: 300000 bytes in 5 chunks, SHA-256 [0-9a-f]{64}, read back from the server's disk/,
  );
  assert.match(
    r.stdout,
    /server: photo\.raw: received 300000 bytes, .* verified by reading it back from disk/,
  );
  assert.match(r.stdout, /round trip verified\n$/);
  assert.ok(readFileSync(join(folder, "photo.raw")).equals(data));
  assert.ok(readFileSync(`${file}.copy`).equals(data));
  // Without a folder to serve: a clear error, exit 1.
  const bad = spawnSync(process.execPath, [SCRIPT, file, join(top, "nope")], { encoding: "utf8" });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /cannot serve/);
  rmSync(top, { recursive: true, force: true });
});
