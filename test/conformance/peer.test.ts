/**
 * Interop with real rpcgen + libtirpc peers (../shared/oncrpc-peer) and with rpcbind: the C
 * client's 93 checks against a Lupine server, the same checks by a Lupine client against the C
 * server, over UDP and TCP; then, inside private netlab namespaces, the same through the system
 * rpcbind and through Lupine's own, with rpcinfo -p/-u/-t/-T against both.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createServer } from "../../src/connect.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { oncTransport } from "../helpers/onc.js";
import {
  buildPeer,
  netlab,
  netlabMissing,
  peerMissing,
  peerSummary,
  repoRoot,
  run,
  startAndWait,
} from "../helpers/peer.js";
import { runChecks, summary } from "./checks.js";
import { ConformanceProgV1, ConformanceProgV2 } from "./conformance-program.js";
import { conformanceHandlers } from "./conformance-server.js";

const missing = peerMissing();
if (missing !== undefined) console.log(`# skipping interop tests: ${missing}`);

describe("interop with rpcgen + libtirpc on loopback", { skip: missing }, () => {
  let peer = "";
  before(() => {
    peer = buildPeer();
  });

  test("peer-client passes every check against a Lupine server, UDP and TCP", async () => {
    const h = conformanceHandlers();
    const server = createServer({ logger: silentLogger, closeGraceMs: 100 });
    server.register(ConformanceProgV1, h.v1).register(ConformanceProgV2, h.v2);
    const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
    try {
      for (const [proto, port] of [
        ["udp", u!.port],
        ["tcp", t!.port],
      ] as const) {
        const r = await run(join(peer, "peer-client"), ["127.0.0.1", proto, String(port)]);
        assert.equal(peerSummary(r.out), "93 passed, 0 failed", `${proto}:\n${r.out}`);
        assert.equal(r.code, 0);
      }
    } finally {
      await server.close();
    }
  });

  test("a Lupine client passes the same checks against peer-server, UDP and TCP", async () => {
    const { child, line } = await startAndWait(
      join(peer, "peer-server"),
      ["--port", "0", "--host", "127.0.0.1", "--lifetime", "120"],
      "ready",
    );
    try {
      const ports = /udp (\d+) tcp (\d+)/.exec(line);
      assert.ok(ports, line);
      for (const [proto, port] of [
        ["udp", Number(ports[1])],
        ["tcp", Number(ports[2])],
      ] as const) {
        const results = await runChecks(() => oncTransport(proto, port), proto === "udp");
        assert.equal(summary(results), "93 passed, 0 failed", proto);
      }
    } finally {
      child.kill("SIGTERM");
    }
  });
});

const nsMissing = missing ?? netlabMissing();
if (nsMissing !== undefined && missing === undefined)
  console.log(`# skipping rpcbind interop tests: ${nsMissing}`);

describe("interop through rpcbind, in netlab namespaces", { skip: nsMissing }, () => {
  const driver = join(repoRoot, "dist", "test", "conformance", "driver.js");
  const cli = join(repoRoot, "dist", "src", "cli", "main.js");
  const hosts: string[] = [];
  after(async () => {
    for (const h of hosts) await run(netlab, ["down", h]);
  });

  const binders = {
    "the system rpcbind":
      "mkdir -p /run/rpcbind && chown _rpc /run/rpcbind 2>/dev/null; exec rpcbind -f -w",
    "Lupine's rpcbind": `exec ${process.execPath} ${cli} rpcbind`,
  };
  let n = 0;
  for (const [name, start] of Object.entries(binders)) {
    test(`C and Lupine peers find each other through ${name}`, { timeout: 120_000 }, async () => {
      const peer = buildPeer();
      const host = `rt${process.pid}${String.fromCharCode(97 + n++)}`;
      hosts.push(host);
      assert.equal((await run(netlab, ["up", host])).code, 0);
      // The binder gets its own /run (its lock and unix socket); every process that must see it
      // enters its mount and network namespaces.
      const binder = await startAndWait(
        netlab,
        ["exec", host, "bash", "-c", `mount -t tmpfs tmpfs /run && echo "pid $$" && ${start}`],
        "pid ",
      );
      const pid = /pid (\d+)/.exec(binder.line)![1]!;
      const inside = (cmd: string, ...args: string[]) =>
        run("nsenter", ["-t", pid, "-m", "-n", cmd, ...args]);
      for (let i = 0; i < 50 && (await inside("rpcinfo", "-p", "127.0.0.1")).code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match((await inside("rpcinfo", "-p", "127.0.0.1")).out, /100000\s+2\s+udp\s+111/);

      // A Lupine server registers itself; peer-client finds it with portmap GETPORT and with
      // clnt_create (RPCBIND v4/v3), over UDP and TCP.
      const server = await startAndWait(
        "nsenter",
        ["-t", pid, "-m", "-n", process.execPath, driver, "serve", "--rpcbind"],
        "ready",
      );
      const p = await inside("rpcinfo", "-p", "127.0.0.1");
      assert.match(p.out, /536871065\s+2\s+udp/);
      assert.match(p.out, /536871065\s+1\s+tcp/);
      for (const flag of ["-u", "-t"]) {
        const r = await inside("rpcinfo", flag, "127.0.0.1", "536871065", "2");
        assert.match(
          r.out,
          /program 536871065 version 2 ready and waiting/,
          `rpcinfo ${flag}: ${r.out}`,
        );
      }
      assert.match(
        (await inside("rpcinfo", "-T", "tcp", "127.0.0.1", "536871065", "1")).out,
        /ready and waiting/,
      );
      for (const proto of ["udp", "tcp"]) {
        const r = await inside(join(peer, "peer-client"), "127.0.0.1", proto);
        assert.equal(peerSummary(r.out), "95 passed, 0 failed", `${proto}:\n${r.out}`);
      }
      server.child.kill("SIGTERM");
      await new Promise((r) => server.child.once("exit", r));
      assert.doesNotMatch(
        (await inside("rpcinfo", "-p", "127.0.0.1")).out,
        /536871065/,
        "unregistered on close",
      );

      // The C server registers itself; a Lupine client finds it through rpcbind:// .
      const c = await startAndWait(
        "nsenter",
        ["-t", pid, "-m", "-n", join(peer, "peer-server"), "--lifetime", "60"],
        "ready",
      );
      try {
        for (const proto of ["udp", "tcp"]) {
          const r = await inside(
            process.execPath,
            driver,
            "check",
            `rpcbind://127.0.0.1/${proto}`,
            proto,
          );
          assert.equal(r.out.trim(), "93 passed, 0 failed", proto);
        }
      } finally {
        c.child.kill("SIGTERM");
        binder.child.kill("SIGTERM");
      }
    });
  }
});
