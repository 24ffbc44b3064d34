/**
 * The Wireshark dissector (tools/wireshark/lupine.lua) against real traffic: tshark captures the
 * loopback of a netlab host while `exchange.js` makes plain and secure Lupine calls there, then
 * reads the capture back with the dissector loaded and the checks below look at the decoded
 * fields. A second test feeds it hand-made broken datagrams (no capture needed). Skips with the
 * reason where tshark is not installed, or (the capture) where netlab cannot run.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BIG_BYTES, NFS_PORT, NFS_QUERY, PROBED_SEQ } from "./exchange.js";
import { pcapOf, udpDatagram } from "./pcap.js";

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
  const host = `bn${process.pid}w`;
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
    const F = [
      "lupine.frame.type",
      "lupine.seq",
      "lupine.checksum.ok",
      "lupine.rpc.prog",
      "lupine.rpc.proc",
      "lupine.rpc.status",
      "portmap.prog",
      "portmap.port",
      "rpc.xid",
      "rpc.repframe",
      "lupine.fragment_index",
      "lupine.message_bytes",
      "lupine.reassembled_in",
      "rpc.program",
      "lupine.secure.type",
      "lupine.secure.counter",
      "frame.number",
      "lupine.session",
      "rpc.state_accept",
      "lupine.flags.from_server",
      "lupine.reset_reason",
      "lupine.retry_after_ms",
    ];
    const pkts = decode(pcap, F, secure).map((cols) =>
      Object.fromEntries(F.map((f, i) => [f, cols[i] ?? []])),
    );
    const plain = pkts.filter((p) => p["lupine.frame.type"]!.length > 0);
    assert.ok(plain.length >= 10, `plain Lupine datagrams decoded: ${plain.length}`);
    for (const p of plain)
      assert.deepEqual(p["lupine.checksum.ok"], ["1"], "every checksum verified");
    const types = new Set(plain.flatMap((p) => p["lupine.frame.type"]!));
    for (const t of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"])
      assert.ok(types.has(t), `frame type ${t} seen (got ${[...types]})`);

    const frameOf = (type: string) => plain.find((p) => p["lupine.frame.type"]!.includes(type))!;
    assert.deepEqual(frameOf("3")["lupine.reset_reason"], ["2"], "Reset: wrong epoch");
    assert.deepEqual(
      frameOf("10")["lupine.seq"],
      [String(PROBED_SEQ)],
      "NoSuchCall names the probed seq",
    );
    assert.deepEqual(
      frameOf("11")["lupine.retry_after_ms"],
      ["20"],
      "Busy carries the handler's hint",
    );

    // The five calls of one turn travel in one datagram, and Wireshark's RPC/PORTMAP dissectors
    // decode each one from what the Lua dissector hands them.
    const packed = plain.find((p) => p["lupine.frame.type"]!.filter((t) => t === "4").length >= 5);
    assert.ok(packed, "a datagram with five Call frames");
    assert.deepEqual(new Set(packed["lupine.rpc.prog"]), new Set(["100000"]));
    assert.equal(packed["portmap.prog"]!.length, packed["lupine.rpc.prog"]!.length);
    assert.ok(packed["portmap.prog"]!.every((v) => v === String(NFS_QUERY.prog)));
    assert.deepEqual(
      packed["rpc.xid"]!.map(Number),
      packed["lupine.seq"]!.map(Number),
      "xid = seq",
    );

    // The GETPORT reply: port 2049 through the RPC handoff, matched to its call's frame.
    const reply = plain.find((p) => p["portmap.port"]!.includes(String(NFS_PORT)));
    assert.ok(reply, "a decoded GETPORT reply");
    const callFrame = reply["rpc.repframe"]![0];
    const call = plain.find((p) => p["frame.number"]![0] === callFrame);
    assert.ok(call, "the reply names its call's frame");
    assert.deepEqual(call["lupine.session"], reply["lupine.session"]);
    assert.deepEqual(call["lupine.flags.from_server"], ["0"]);

    // PROC_UNAVAIL, in Lupine's status and in the rebuilt accept_stat.
    const refused = plain.find((p) => p["lupine.rpc.status"]!.includes("3"));
    assert.ok(refused, "a PROC_UNAVAIL reply");
    assert.deepEqual(refused["rpc.state_accept"], ["3"]);

    // The 6,000-byte echo: five fragments each way, reassembled and decoded.
    const fragments = plain.filter((p) => p["lupine.fragment_index"]!.length > 0);
    const indexes = fragments.flatMap((p) => p["lupine.fragment_index"]!).sort();
    assert.deepEqual(indexes, ["0", "0", "1", "1", "2", "2", "3", "3", "4", "4"]);
    const complete = fragments.filter((p) => p["lupine.reassembled_in"]!.length > 0);
    assert.equal(complete.length, 2, "call and reply reassembled");
    assert.deepEqual(complete[0]!["lupine.rpc.prog"], [String(0x20006666)]);
    assert.deepEqual(complete[0]!["lupine.rpc.proc"], ["2"]);
    assert.ok(
      complete[0]!["rpc.program"]!.includes(String(0x20006666)),
      "RPC view of the reassembled call",
    );
    assert.deepEqual(complete[1]!["lupine.rpc.status"], ["0"]);

    // The secure transport: handshake and data packets, ciphertext only.
    const sealed = pkts.filter((p) => p["lupine.secure.type"]!.length > 0);
    const kinds = new Set(sealed.flatMap((p) => p["lupine.secure.type"]!));
    for (const k of ["1", "2", "4"]) assert.ok(kinds.has(k), `secure packet type ${k} seen`);
    assert.ok(
      sealed.every((p) => p["lupine.frame.type"]!.length === 0),
      "nothing decoded inside ciphertext",
    );
    assert.ok(
      sealed.some((p) => p["lupine.secure.counter"]!.includes("1")),
      "data counters",
    );
  } finally {
    if (tshark !== undefined) process.kill(-tshark.pid!, "SIGKILL");
    spawnSync(netlab, ["down", host], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lupine.lua flags broken datagrams: bad checksum, SEALED bit, a frame past the end; skips unknown frames", {
  skip: noTshark ?? false,
  timeout: 60_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "lupine-wireshark-"));
  try {
    const pcap = join(dir, "broken.pcap");
    writeFileSync(
      pcap,
      pcapOf([
        udpDatagram({ hello: true }),
        udpDatagram({ hello: true, corruptChecksum: true }),
        udpDatagram({ hello: true, flags: 0x80 }),
        udpDatagram({ hello: true, extraFrame: [0x63, 0, 0, 4, 1, 2, 3, 4] }),
        udpDatagram({ hello: true, extraFrame: [4, 0, 0, 200, 0, 0, 0, 1] }),
      ]),
    );
    const F = ["lupine.checksum.ok", "lupine.frame.type", "lupine.frames", "_ws.expert.message"];
    const rows = decode(pcap, F);
    assert.equal(rows.length, 5);
    assert.deepEqual(rows[0]![0], ["1"]);
    assert.deepEqual(rows[0]![3], []);
    assert.deepEqual(rows[1]![0], ["0"]);
    assert.match(rows[1]![3]!.join(), /Bad checksum/);
    assert.match(rows[2]![3]!.join(), /SEALED/);
    assert.deepEqual(rows[3]![1], ["1", "99"], "an unknown frame type is shown and skipped");
    assert.deepEqual(rows[3]![2], ["2"]);
    assert.deepEqual(rows[4]![2], ["1"], "the frame running past the end is not counted");
    assert.match(rows[4]![3]!.join(), /runs past the datagram/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
