/**
 * Interrupted transfers resume, with real processes killed mid-transfer (SIGKILL: no chance to
 * clean up): the sender of an upload, the server of an upload (restarted on the same port: the
 * running sender notices the new server incarnation and reopens the transfer by itself), the
 * receiver of a download. Each time the transfer continues from the chunks verified on disk and
 * ends verified.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { startAndWait } from "../helpers/peer.js";
import { assertSameFile, randomFile, workspace } from "./helpers.js";

const cli = join(import.meta.dirname, "..", "..", "src", "cli", "main.js");
const SIZE = 24 << 20;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

async function startServer(dir: string, port = 0): Promise<{ child: ChildProcess; port: number }> {
  const s = await startAndWait(
    process.execPath,
    [cli, "serve-files", "--dir", dir, "--port", String(port)],
    "serving",
  );
  children.push(s.child);
  return { child: s.child, port: Number(/:(\d+)$/.exec(s.line.trim())![1]) };
}

/** Runs `lupine ARGS`; resolves with its exit code and output. */
function lupine(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string }>;
} {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, out })),
  );
  return { child, done };
}

/** Waits until at least `bytes` of `path` are allocated on disk (a sparse partial file filling). */
async function waitForData(path: string, bytes: number, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (existsSync(path) && statSync(path).blocks * 512 >= bytes) return;
    assert.ok(performance.now() < deadline, `${path} did not reach ${bytes} bytes`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function resumedChunks(out: string): number {
  const m = /(\d+) already verified on disk \(resumed\)/.exec(out);
  assert.ok(m, out);
  return Number(m[1]);
}

describe("interrupted transfers resume (processes killed)", { timeout: 180_000 }, () => {
  test("the sender of an upload killed, then run again", async () => {
    const ws = workspace("kill-sender");
    const src = join(ws.local, "big");
    randomFile(src, SIZE);
    const server = await startServer(ws.served);
    const url = `lupine://127.0.0.1:${server.port}/big`;
    const first = lupine(["send", src, url, "--no-progress", "--window", "2"]);
    await waitForData(join(ws.served, ".big.lupine-part"), 2 << 20);
    first.child.kill("SIGKILL");
    await first.done;
    assert.ok(!existsSync(join(ws.served, "big")), "nothing unverified is in place");
    const again = await lupine(["send", src, url, "--no-progress"]).done;
    assert.equal(again.code, 0, again.out);
    assert.ok(resumedChunks(again.out) >= 32, again.out); // at least 2 MiB of 64 KiB chunks
    assert.match(again.out, /verified: the server read big back from its disk/);
    assertSameFile(src, join(ws.served, "big"));
    server.child.kill("SIGTERM");
  });

  test("the server of an upload killed and restarted: the sender carries on by itself", async () => {
    const ws = workspace("kill-server");
    const src = join(ws.local, "big");
    randomFile(src, SIZE);
    const server = await startServer(ws.served);
    const url = `lupine://127.0.0.1:${server.port}/big`;
    const send = lupine(["send", src, url, "--no-progress", "--window", "2"]);
    await waitForData(join(ws.served, ".big.lupine-part"), 2 << 20);
    server.child.kill("SIGKILL");
    const restarted = await startServer(ws.served, server.port);
    const r = await send.done;
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /reopened [1-9]\d*× after the server lost the transfer/);
    assertSameFile(src, join(ws.served, "big"));
    restarted.child.kill("SIGTERM");
  });

  test("the receiver of a download killed, then run again", async () => {
    const ws = workspace("kill-fetch");
    const src = join(ws.served, "big");
    randomFile(src, SIZE);
    const server = await startServer(ws.served);
    const url = `lupine://127.0.0.1:${server.port}/big`;
    const dst = join(ws.local, "big");
    const first = lupine(["fetch", url, dst, "--no-progress", "--window", "2"]);
    await waitForData(join(ws.local, ".big.lupine-part"), 2 << 20);
    first.child.kill("SIGKILL");
    await first.done;
    assert.ok(!existsSync(dst));
    const again = await lupine(["fetch", url, dst, "--no-progress"]).done;
    assert.equal(again.code, 0, again.out);
    assert.ok(resumedChunks(again.out) >= 32, again.out);
    assertSameFile(src, dst);
    server.child.kill("SIGTERM");
  });
});
