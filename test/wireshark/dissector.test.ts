/**
 * The Wireshark dissector (tools/wireshark/lupine.lua) against real traffic: tshark captures the
 * loopback of a netlab host while `exchange.js` makes plain and secure Lupine calls there, then
 * reads the capture back with the dissector loaded and the checks of `checks.ts` look at the
 * decoded fields. A second test feeds it hand-made broken datagrams (no capture needed). Skips with the
 * reason where tshark is not installed, or (the capture) where netlab cannot run.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildCookieReply } from "../../src/secure/packet.js";
import { checkPlain, checkSecure, F, type Packet } from "./checks.js";
import { BIG_BYTES, NFS_PORT } from "./exchange.js";
import { pcapOf, udpDatagram, udpPacket } from "./pcap.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..");
const script = join(root, "tools", "wireshark", "lupine.lua");
const netlab = join(process.env.LUPINE_SHARED ?? join(root, "..", "shared"), "netlab", "netlab");

const noTshark =
  spawnSync("sh", ["-c", "command -v tshark"]).status === 0
    ? undefined
    : "tshark is not installed (apt-get install tshark)";

function netlabMissing(): string | undefined {
  if (process.getuid?.() !== 0) return "netlab needs root";
  return spawnSync(netlab, ["check"], { stdio: "ignore" }).status === 0
    ? undefined
    : `netlab cannot run here (${netlab} check)`;
}

/** Each packet's values of `fields` (each a list: a field may occur several times). */
function decode(
  pcap: string,
  fields: readonly string[],
  extra: readonly string[] = [],
): string[][][] {
  const out = execFileSync(
    "tshark",
    [
      "-r",
      pcap,
      "-X",
      `lua_script:${script}`,
      ...extra,
      "-T",
      "fields",
      "-E",
      "aggregator=|",
      ...fields.flatMap((f) => ["-e", f]),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t").map((v) => (v === "" ? [] : v.split("|"))));
}

/** Starts tshark on the host's loopback; resolves once it is capturing. */
async function startCapture(host: string, pcap: string): Promise<ChildProcess> {
  const child = spawn(netlab, ["exec", host, "tshark", "-i", "lo", "-f", "udp", "-w", pcap], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true, // its own process group: stopped below by its id
  });
  await new Promise<void>((ok, fail) => {
    let err = "";
    const t = setTimeout(() => fail(new Error(`tshark did not start: ${err}`)), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("Capturing on")) {
        clearTimeout(t);
        ok();
      }
    });
    child.once("exit", (code) => fail(new Error(`tshark exited with ${code}: ${err}`)));
  });
  return child;
}

test("tshark with lupine.lua decodes a captured exchange: frames, coalesced calls, fragments, RPC handoff, secure packets", {
  skip: noTshark ?? netlabMissing() ?? false,
  timeout: 120_000,
}, async () => {
  const host = `bx${process.pid}w`;
  const dir = mkdtempSync(join(tmpdir(), "lupine-wireshark-"));
  const pcap = join(dir, "lupine.pcap");
  let tshark: ChildProcess | undefined;
  try {
    execFileSync(netlab, ["up", host], { stdio: "ignore" });
    tshark = await startCapture(host, pcap);
    const run = execFileSync(netlab, ["exec", host, process.execPath, join(here, "exchange.js")], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const ran = JSON.parse(run.trim().split("\n").pop()!) as Record<string, unknown>;
    assert.equal(ran.port, NFS_PORT);
    assert.equal(ran.unknownError, "proc_unavail");
    assert.equal(ran.echoed, BIG_BYTES);
    assert.equal(ran.slow, 1);
    assert.equal(ran.refusedError, "busy");
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise((r) => tshark!.once("exit", r));
    process.kill(-tshark.pid!, "SIGINT");
    await exited;
    tshark = undefined;

    const secure = [
      "-d",
      `udp.port==${ran.securePort},lupine`,
      "-o",
      "rpc.dissect_unknown_programs:TRUE",
    ];
    const pkts = decode(pcap, F, secure).map((cols) =>
      Object.fromEntries(F.map((f, i) => [f, cols[i] ?? []])),
    ) as Packet[];
    checkPlain(pkts.filter((p) => p["lupine.frame.type"]!.length > 0));
    checkSecure(pkts.filter((p) => p["lupine.secure.type"]!.length > 0));
  } finally {
    if (tshark !== undefined) process.kill(-tshark.pid!, "SIGKILL");
    spawnSync(netlab, ["down", host], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lupine.lua flags broken datagrams: bad checksum, SEALED bit, a frame past the end; skips unknown frames; reads short Welcomes and cookie replies", {
  skip: noTshark ?? false,
  timeout: 60_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "lupine-wireshark-"));
  try {
    const pcap = join(dir, "broken.pcap");
    const cookie = buildCookieReply(0x0c00c1e5, new Uint8Array(16).fill(0xab));
    cookie.fill(0xcd, 24); // the tag
    writeFileSync(
      pcap,
      pcapOf([
        udpDatagram({ hello: true }),
        udpDatagram({ hello: true, corruptChecksum: true }),
        udpDatagram({ hello: true, flags: 0x80 }),
        udpDatagram({ hello: true, extraFrame: [0x63, 0, 0, 4, 1, 2, 3, 4] }),
        udpDatagram({ hello: true, extraFrame: [4, 0, 0, 200, 0, 0, 0, 1] }),
        // A Welcome of 8 bytes (no sessionIdleMs: the default) and one of 12.
        udpDatagram({ hello: false, flags: 1, extraFrame: [2, 0, 0, 8, 0, 0, 0, 9, 0, 1, 0, 0] }),
        udpDatagram({
          hello: false,
          flags: 1,
          extraFrame: [2, 0, 0, 12, 0, 0, 0, 9, 0, 1, 0, 0, 0, 0, 0x4e, 0x20],
        }),
        udpPacket(cookie),
      ]),
    );
    const F = [
      "lupine.checksum.ok",
      "lupine.frame.type",
      "lupine.frames",
      "_ws.expert.message",
      "lupine.max_calls_in_flight",
      "lupine.max_message_bytes",
      "lupine.session_idle_ms",
      "lupine.secure.type",
      "lupine.secure.receiver_index",
      "lupine.secure.cookie",
      "lupine.secure.tag",
    ];
    const rows = decode(pcap, F, ["-d", "udp.port==45002,lupine"]);
    assert.equal(rows.length, 8);
    assert.deepEqual(rows[0]![0], ["1"]);
    assert.deepEqual(rows[0]![3], []);
    assert.deepEqual(rows[1]![0], ["0"]);
    assert.match(rows[1]![3]!.join(), /Bad checksum/);
    assert.match(rows[2]![3]!.join(), /SEALED/);
    assert.deepEqual(rows[3]![1], ["1", "99"], "an unknown frame type is shown and skipped");
    assert.deepEqual(rows[3]![2], ["2"]);
    assert.deepEqual(rows[4]![2], ["1"], "the frame running past the end is not counted");
    assert.match(rows[4]![3]!.join(), /runs past the datagram/);
    for (const row of [rows[5]!, rows[6]!]) {
      assert.deepEqual(row[1], ["2"]);
      assert.deepEqual(row[4], ["9"]);
      assert.deepEqual(row[5], ["65536"]);
    }
    assert.deepEqual(rows[5]![6], ["300000"], "a short Welcome announces the default idle limit");
    assert.deepEqual(rows[6]![6], ["20000"]);
    assert.deepEqual(rows[7]![7], ["3"], "a cookie reply");
    assert.equal(Number(rows[7]![8]![0]), 0x0c00c1e5);
    assert.equal(rows[7]![9]![0]!.replace(/:/g, ""), "ab".repeat(16));
    assert.equal(rows[7]![10]![0]!.replace(/:/g, ""), "cd".repeat(16));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
