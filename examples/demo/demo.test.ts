/**
 * Runs the live demo (`npm start`) shortened, as a user would, and checks what it prints: the
 * compiler step, the datagram trace, the at-most-once line with equal counts, the server crash
 * ending in `outcome_unknown` with one execution, the verified file
 * transfer with both injected faults caught, and its closing line. Two seeds: the demo's checks
 * must hold whatever the link does.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

function demo(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("the live demo", () => {
  for (const seed of ["7", "2026"]) {
    test(`--quick --seed ${seed}: every check holds and the story is told`, () => {
      const r = demo("--quick", "--seed", seed);
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      const out = r.out;
      assert.match(out, /\$ lupine gen examples\/calc\/calc\.x -o /);
      assert.match(
        out,
        /program CALC = 0x3a436314, version 1: int func1\(int arg1\) = procedure 1/,
      );
      assert.match(out, /identical to examples\/calc\/gen\/calc\.ts/);
      assert.match(out, /client → server {2}Call #1 func[12]\(/);
      assert.match(out, /server → client {2}Reply #1 = -?\d+/);
      const made = /calls made: (\d+); answered correctly: (\d+); handler executions: (\d+)/.exec(
        out,
      );
      assert.ok(made, out);
      assert.equal(made[1], made[2]);
      assert.equal(made[1], made[3]);
      assert.equal(Number(made[1]), 204);
      const lost = Number(/lost by the link +(\d+)/.exec(out)?.[1]);
      const retx = Number(/\n {2}retransmissions +(\d+)/.exec(out)?.[1]);
      assert.ok(lost > 0 && retx > 0, "the link lost datagrams and the transport made up for it");
      assert.match(out, /smoothed RTT \/ RTT variation \/ RTO +\d+\.\d ms/);
      assert.match(
        out,
        /func2\(3, 4\) ran on the server, which then crashed before its reply left/,
      );
      assert.match(
        out,
        /the caller is told: \[outcome_unknown\] func2 was in flight when the server restarted/,
      );
      assert.match(out, /the handler ran 1 time\(s\); the call was not sent again/);
      assert.match(out, /a new call, func1\(5\) = 10/);
      assert.match(out, /1 chunk\(s\) did not match and were sent again/);
      assert.match(out, /read it back from its disk: 1 chunk\(s\) bad on disk, sent again/);
      assert.match(out, /server's copy is byte-for-byte the original/);
      assert.match(out, /\n7 passed, 0 failed — in [\d.]+ s of real time\n$/);
    });
  }
});
