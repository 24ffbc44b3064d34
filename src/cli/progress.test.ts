/** The progress display: a redrawn bar on a TTY, plain lines at most every few seconds otherwise. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TransferProgress } from "../files/transfer.js";
import { bar, createProgress, describeProgress, formatBytes, formatDuration } from "./progress.js";

const p = (phase: TransferProgress["phase"], bytesDone: number): TransferProgress => ({
  phase,
  bytesTotal: 10 << 20,
  bytesDone,
  chunksTotal: 160,
  chunksResumed: 0,
  chunksResent: 0,
});

describe("progress", () => {
  test("units", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.50 KiB");
    assert.equal(formatBytes(10 << 20), "10.0 MiB");
    assert.equal(formatDuration(42), "42s");
    assert.equal(formatDuration(185), "3m05s");
    assert.equal(formatDuration(3720), "1h02m");
    assert.equal(bar(0.5, 10), "[#####-----]");
  });
  test("a line: percent, bytes, rate, ETA, retransmissions", () => {
    assert.equal(
      describeProgress(p("transferring", 5 << 20), 1 << 20, { retransmissions: 3 }),
      "transferring 50% 5.00 MiB/10.0 MiB 1.00 MiB/s ETA 5s retransmissions 3",
    );
  });
  test("not a TTY: a line per phase, then at most one per interval", () => {
    let t = 0;
    const out: string[] = [];
    const prog = createProgress({
      out: { write: (s: string) => out.push(s), isTTY: false },
      now: () => t,
      plainEveryMs: 1000,
    });
    prog.update(p("transferring", 0));
    for (let i = 1; i <= 30; i++) {
      t += 100;
      prog.update(p("transferring", i << 18));
    }
    prog.update(p("verifying", 10 << 20));
    prog.finish();
    assert.equal(out.length, 1 + 3 + 1, out.join(""));
    assert.ok(out.every((l) => l.startsWith("progress: ") && l.endsWith("\n")));
  });
  test("a TTY: redrawn in place with a bar, a newline at the end", () => {
    const out: string[] = [];
    const prog = createProgress({
      out: { write: (s: string) => out.push(s), isTTY: true, columns: 120 },
    });
    prog.update(p("transferring", 1 << 20));
    prog.finish();
    assert.ok(out[0]!.startsWith("\r[##"), out[0]);
    assert.equal(out.at(-1), "\n");
  });
});
