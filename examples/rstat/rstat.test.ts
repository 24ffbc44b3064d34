/**
 * The rstat example: a Lupine server implementing the stock /usr/include/rpcsvc/rstat.x with
 * this machine's /proc numbers, asked by the client `lupine gen` generated from the same file, by
 * a C client that the system's rpcgen builds from it (libtirpc), and by the system's `rup`
 * through rpcbind inside a netlab namespace. Each part skips, saying why, where its tools are
 * missing.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "lupine";
import { netlab, netlabMissing, run, startAndWait } from "../../test/helpers/peer.js";
import { RstatprogV1, RstatprogV2, RstatprogV3 } from "./gen/rstat.js";
import { FSCALE, parseDiskstats, parseNetDev, parseStats } from "./proc-stats.js";

const SERVER = fileURLToPath(new URL("./server.js", import.meta.url));
const C_CLIENT = fileURLToPath(new URL("../../../examples/rstat/c-client.c", import.meta.url));
const RSTAT_X = "/usr/include/rpcsvc/rstat.x";

const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const procLoad = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const btime = () => Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))![1]);
/** Load averages move slowly; a second apart they differ by far less than this. */
const LOAD_SLACK = 1.5;

describe("rstat's numbers from /proc (fixed texts)", () => {
  const texts = {
    stat: "cpu  100 2 30 400 5 0 6 0 0 0\ncpu0 1 2 3 4\nintr 12345 0 0\nctxt 999\nbtime 1700000000\n",
    vmstat: "pgpgin 11\npgpgout 22\npswpin 3\npswpout 4\n",
    loadavg: "0.50 1.25 2.00 2/120 1464\n",
    netDev:
      "Inter-|   Receive\n face |bytes packets\n    lo: 1 500 0 0 0 0 0 0 1 500 0 0 0 0 0 0\n  eth0: 1000 10 1 0 0 0 0 0 2000 20 2 0 0 3 0 0\n",
    diskstats: "   7 0 loop0 5 0 0 0 5 0 0 0 0 0 0\n 254 0 vda 100 0 0 0 50 0 0 0 0 0 0\n",
  };
  test("every field", () => {
    const s = parseStats(texts, 1_700_000_123_456);
    assert.deepEqual(s.cp_time, [100, 2, 30, 400]);
    assert.deepEqual(s.dk_xfer, [150, 0, 0, 0]);
    assert.deepEqual([s.v_pgpgin, s.v_pgpgout, s.v_pswpin, s.v_pswpout], [11, 22, 3, 4]);
    assert.equal(s.v_intr, 12345);
    assert.equal(s.v_swtch, 999);
    assert.deepEqual(s.avenrun, [128, 320, 512]);
    assert.deepEqual(s.boottime, { tv_sec: 1_700_000_000, tv_usec: 0 });
    assert.deepEqual(s.curtime, { tv_sec: 1_700_000_123, tv_usec: 456_000 });
    assert.deepEqual(
      [s.if_ipackets, s.if_ierrors, s.if_opackets, s.if_oerrors, s.if_collisions],
      [10, 1, 20, 2, 3],
    );
  });
  test("counters wrap to 32 bits as C's do", () => {
    const s = parseStats({ ...texts, stat: "cpu  4294967396 0 0 0\nctxt 4294967297\n" }, 0);
    assert.equal(s.cp_time[0], 100);
    assert.equal(s.v_swtch, 1);
    assert.deepEqual(parseNetDev(texts.netDev).ipackets, 10);
    assert.deepEqual(parseDiskstats(""), [0, 0, 0, 0]);
  });
});

describe("examples/rstat against this machine", () => {
  let server: Awaited<ReturnType<typeof startAndWait>> | undefined;
  let udp = 0;
  let tcp = 0;
  before(async () => {
    server = await startAndWait(process.execPath, [SERVER], "rstat server:");
    [, udp, tcp] = /udp (\d+) tcp (\d+)/.exec(server.line)!.map(Number) as [number, number, number];
  });
  after(() => {
    server?.child.kill("SIGTERM");
  });

  test("the generated client gets this machine's numbers, over UDP and TCP, every version", async () => {
    for (const target of [`udp://127.0.0.1:${udp}`, `tcp://127.0.0.1:${tcp}`]) {
      const v3 = createClient(RstatprogV3, target, { timeoutMs: 5000 });
      const v2 = createClient(RstatprogV2, target, { timeoutMs: 5000 });
      const v1 = createClient(RstatprogV1, target, { timeoutMs: 5000 });
      try {
        const a = await v3.rstatprocStats();
        const b = await v3.rstatprocStats();
        assert.equal(a.boottime.tv_sec, btime());
        assert.ok(Math.abs(a.curtime.tv_sec - Date.now() / 1000) < 5);
        for (let i = 0; i < 4; i++)
          assert.ok(b.cp_time[i]! >= a.cp_time[i]!, "CPU ticks only grow");
        const load = procLoad();
        for (const [i, x] of a.avenrun.entries()) {
          assert.ok(Math.abs(x / FSCALE - load[i]!) < LOAD_SLACK);
        }
        assert.ok([0, 1].includes(await v3.rstatprocHavedisk()));
        assert.equal((await v2.rstatprocStats()).boottime.tv_sec, btime());
        assert.equal((await v1.rstatprocStats()).cp_time.length, 4);
      } finally {
        await Promise.all([v3.$close(), v2.$close(), v1.$close()]);
      }
    }
  });

  const cMissing = !existsSync(RSTAT_X)
    ? `${RSTAT_X} is absent`
    : !have("rpcgen") || !have("gcc")
      ? "rpcgen or gcc is not installed"
      : !existsSync("/usr/include/tirpc/rpc/rpc.h")
        ? "libtirpc-dev is not installed"
        : undefined;
  test("a C client built by rpcgen from the same rstat.x", { skip: cMissing }, () => {
    const dir = mkdtempSync(join(tmpdir(), "lupine-rstat-c-"));
    copyFileSync(RSTAT_X, join(dir, "rstat.x"));
    copyFileSync(C_CLIENT, join(dir, "c-client.c"));
    for (const [flag, out] of [
      ["-h", "rstat.h"],
      ["-c", "rstat_xdr.c"],
      ["-l", "rstat_clnt.c"],
    ]) {
      execFileSync("rpcgen", [flag!, "rstat.x", "-o", out!], { cwd: dir });
    }
    execFileSync(
      "gcc",
      [
        "-I/usr/include/tirpc",
        "-o",
        "c-client",
        "c-client.c",
        "rstat_clnt.c",
        "rstat_xdr.c",
        "-ltirpc",
      ],
      { cwd: dir },
    );
    const out = execFileSync(join(dir, "c-client"), ["127.0.0.1", String(udp)], {
      encoding: "utf8",
    });
    const facts = Object.fromEntries(
      out
        .trim()
        .split("\n")
        .map((l): [string, number[]] => [l.split(" ")[0]!, l.split(" ").slice(1).map(Number)]),
    );
    assert.equal(facts.boottime![0], btime(), out);
    assert.ok(Math.abs(facts.curtime![0]! - Date.now() / 1000) < 5, out);
    const load = procLoad();
    for (const [i, x] of facts.avenrun!.entries()) {
      assert.ok(Math.abs(x / FSCALE - load[i]!) < LOAD_SLACK, out);
    }
    assert.equal(facts.cp_time!.length, 4);
    assert.ok([0, 1].includes(facts.havedisk![0]!), out);
    rmSync(dir, { recursive: true, force: true });
  });
});

const rupMissing = !have("rup")
  ? "rup is not installed (Debian package rstat-client)"
  : netlabMissing();
describe("the system's rup, through rpcbind, in a netlab namespace", { skip: rupMissing }, () => {
  const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
  const host = `demo${process.pid}r`;
  after(async () => {
    await run(netlab, ["down", host]);
  });

  test("rup localhost shows this machine's uptime and load", { timeout: 60_000 }, async () => {
    assert.equal((await run(netlab, ["up", host])).code, 0);
    // Lupine's rpcbind on port 111 of the namespace, with a private /run (libtirpc would otherwise
    // find the machine's rpcbind through its unix socket).
    const binder = await startAndWait(
      netlab,
      [
        "exec",
        host,
        "bash",
        "-c",
        `mount -t tmpfs tmpfs /run && echo "pid $$" && exec ${process.execPath} ${cli} rpcbind`,
      ],
      "pid ",
    );
    const pid = /pid (\d+)/.exec(binder.line)![1]!;
    const inside = (cmd: string, ...args: string[]) =>
      run("nsenter", ["-t", pid, "-m", "-n", cmd, ...args]);
    for (let i = 0; i < 50 && (await inside("rpcinfo", "-p", "127.0.0.1")).code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const rstatd = await startAndWait(
      "nsenter",
      ["-t", pid, "-m", "-n", process.execPath, SERVER, "--rpcbind"],
      "registered",
    );
    try {
      assert.match((await inside("rpcinfo", "-p", "127.0.0.1")).out, /100001\s+3\s+udp/);
      const r = await inside("rup", "localhost");
      assert.equal(r.code, 0, r.out);
      const m = /^localhost\s+.*\bup\s+.*load ([\d.]+) ([\d.]+) ([\d.]+)/m.exec(r.out);
      assert.ok(m, r.out);
      const load = procLoad();
      for (const [i, x] of [m[1], m[2], m[3]].entries()) {
        assert.ok(Math.abs(Number(x) - load[i]!) < LOAD_SLACK, r.out);
      }
    } finally {
      rstatd.child.kill("SIGTERM");
      binder.child.kill("SIGTERM");
    }
  });
});
