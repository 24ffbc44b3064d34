/**
 * Real-kernel check: a Lupine client and server, in separate processes, inside a
 * `../shared/netlab` host whose loopback loses, duplicates, reorders and corrupts datagrams.
 * The same invariants as the simulation: every call settles once, results equal what the handler
 * returned, no handler runs twice, none runs zero times for a successful call, nothing settles
 * late. Skips with a message where netlab cannot run (not root, no netlab, `netlab check` fails).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CallLedger } from "../../src/testing/index.js";
import type { ChildCall } from "./lupine-child.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..");
const netlab = resolve(root, "..", "shared", "netlab", "netlab");
const child = join(here, "lupine-child.js");

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return "netlab needs root";
  if (!existsSync(netlab)) return `netlab not found at ${netlab}`;
  try {
    execFileSync(netlab, ["check"], { stdio: "ignore" });
  } catch {
    return "`netlab check` fails on this machine";
  }
  return null;
}

const reason = skipReason();

test("netlab: Lupine over a lossy, duplicating, reordering, corrupting kernel path keeps every invariant", {
  skip: reason ?? false,
  timeout: 180_000,
}, async () => {
  const host = `rel${process.pid}a`;
  const dir = mkdtempSync(join(tmpdir(), "lupine-netlab-"));
  const execFile = join(dir, "executions.txt");
  const outFile = join(dir, "client.json");
  writeFileSync(execFile, "");
  let server: ChildProcess | undefined;
  try {
    execFileSync(netlab, [
      "up",
      host,
      ...["loss", "8%", "delay", "1ms", "reorder", "10%", "duplicate", "5%", "corrupt", "1%"],
      ...["limit", "10000"],
    ]);
    server = spawn(netlab, ["exec", host, process.execPath, child, "server", execFile], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const port = await new Promise<number>((res, rej) => {
      let buf = "";
      server!.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        const m = /"port":(\d+)/.exec(buf);
        if (m !== null) res(Number(m[1]));
      });
      server!.once("exit", (code) => rej(new Error(`server exited with ${code}`)));
    });
    const calls = 1500;
    execFileSync(
      netlab,
      ["exec", host, process.execPath, child, "client", String(port), String(calls), "8", outFile],
      { stdio: "inherit", timeout: 150_000 },
    );
    const { results, stats } = JSON.parse(readFileSync(outFile, "utf8")) as {
      results: ChildCall[];
      stats: { retransmissions: number; duplicatesDropped: number; corruptDropped: number };
    };
    const ledger = new CallLedger();
    for (let id = 1; id <= calls; id++) {
      const r = results.find((x) => x.id === id);
      ledger.begin(id, r?.startedMs ?? 0, (r?.deadlineMs ?? 0) - (r?.startedMs ?? 0));
    }
    for (const line of readFileSync(execFile, "utf8").split("\n")) {
      if (line === "") continue;
      const [id, value] = line.split(" ");
      ledger.executed(Number(id), value!);
    }
    for (const r of results) ledger.settled(r.id, r.settledMs, r.outcome, r.received);
    assert.deepEqual(ledger.check({ lateBoundMs: 100 }), []);
    const outcomes = ledger.outcomes();
    assert.ok((outcomes.ok ?? 0) >= 0.98 * calls, `outcomes ${JSON.stringify(outcomes)}`);
    assert.ok(stats.retransmissions > 0, "the path lost datagrams and Lupine recovered");
    console.log(`netlab: outcomes ${JSON.stringify(outcomes)}, client ${JSON.stringify(stats)}`);
  } finally {
    server?.stdin?.end();
    try {
      execFileSync(netlab, ["down", host], { stdio: "ignore" });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

if (reason !== null) console.log(`# netlab test skipped: ${reason}`);
