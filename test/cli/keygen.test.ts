import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const lupine = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe("lupine keygen", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lupine-keygen-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("--out writes a 0600 key file and prints its public key; --public prints it again", async () => {
    const key = join(dir, "server.key");
    const made = lupine("keygen", "--out", key);
    assert.equal(made.status, 0, made.stderr);
    const publicKey = made.stdout.trim();
    assert.match(publicKey, /^[A-Za-z0-9+/]{43}=$/);
    if (process.platform !== "win32") assert.equal((await stat(key)).mode & 0o777, 0o600);
    const shown = lupine("keygen", "--public", key);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout.trim(), publicKey);
    assert.equal(lupine("keygen", "--out", key).status, 1, "does not overwrite");
    assert.equal(lupine("keygen", "--out", key, "--force").status, 0);
  });

  test("refuses a group-readable key with a clear message", {
    skip: process.platform === "win32" && "POSIX modes",
  }, async () => {
    const key = join(dir, "loose.key");
    assert.equal(lupine("keygen", "--out", key).status, 0);
    await chmod(key, 0o644);
    const r = lupine("keygen", "--public", key);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /accessible by group or others \(mode 0644\).*chmod 600/);
  });

  test("usage errors exit 2", () => {
    assert.equal(lupine("keygen").status, 2);
    assert.equal(lupine("keygen", "--bogus").status, 2);
    const help = lupine("--help");
    assert.match(help.stdout, /keygen/);
  });
});
