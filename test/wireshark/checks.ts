/**
 * The checks of the dissector's capture test (`dissector.test.ts`): the fields tshark is asked
 * for, and what each frame type of docs/protocol.md §1.1 and each secure packet type of
 * docs/security.md §3.1 must decode to, given what `exchange.ts` did.
 */
import assert from "node:assert/strict";
import { FrameType } from "../../src/reliable/packet.js";
import { BIG_BYTES, NFS_PORT, NFS_QUERY, PROBED_SEQ, UNKNOWN_INDEX, WELCOME } from "./exchange.js";

/** The fields the capture test reads, each packet's values per field. */
export const F = [
  "frame.number",
  "lupine.frame.type",
  "lupine.frame.flags.of_reply",
  "lupine.frames",
  "lupine.seq",
  "lupine.checksum.ok",
  "lupine.session",
  "lupine.epoch",
  "lupine.flags.from_server",
  "lupine.max_calls_in_flight",
  "lupine.max_message_bytes",
  "lupine.session_idle_ms",
  "lupine.reset_reason",
  "lupine.held_us",
  "lupine.ack.floor",
  "lupine.ack_delay_us",
  "lupine.cumulative",
  "lupine.retry_after_ms",
  "lupine.fragment_index",
  "lupine.fragment_size",
  "lupine.fragment_count",
  "lupine.message_bytes",
  "lupine.reassembled_in",
  "lupine.rpc.prog",
  "lupine.rpc.vers",
  "lupine.rpc.proc",
  "lupine.rpc.cred.flavor",
  "lupine.rpc.status",
  "lupine.rpc.result",
  "portmap.prog",
  "portmap.port",
  "rpc.xid",
  "rpc.repframe",
  "rpc.program",
  "rpc.state_accept",
  "lupine.secure.type",
  "lupine.secure.sender_index",
  "lupine.secure.receiver_index",
  "lupine.secure.counter",
  "lupine.secure.ciphertext_length",
] as const;
export type Packet = Record<(typeof F)[number], string[]>;

/** The packets carrying a frame of `type`, and (`alone`) only such frames. */
function withFrame(pkts: readonly Packet[], type: number, alone = false): Packet[] {
  const t = String(type);
  return pkts.filter((p) => {
    const types = p["lupine.frame.type"];
    return alone ? types.length > 0 && types.every((x) => x === t) : types.includes(t);
  });
}

/**
 * The seq (from the ONC RPC view: xid = seq) of the whole Call of `proc` sent by a client, and
 * its session. The calls of a client datagram and their RPC views come in the same order.
 */
function callOf(pkts: readonly Packet[], proc: number): { seq: string; session: string } {
  for (const p of withFrame(pkts, FrameType.Call)) {
    const i = p["lupine.rpc.proc"].indexOf(String(proc));
    if (i >= 0 && p["rpc.xid"].length === p["lupine.rpc.proc"].length)
      return { seq: String(Number(p["rpc.xid"][i])), session: p["lupine.session"][0]! };
  }
  assert.fail(`a Call of procedure ${proc}`);
}

/** Every frame type of docs/protocol.md §1.1 and its fields, in the plain datagrams captured. */
export function checkPlain(plain: readonly Packet[]): void {
  assert.ok(plain.length >= 10, `plain Lupine datagrams decoded: ${plain.length}`);
  for (const p of plain)
    assert.deepEqual(p["lupine.checksum.ok"], ["1"], "every checksum verified");
  for (const p of plain)
    assert.equal(p["lupine.frames"][0], String(p["lupine.frame.type"].length), "frames counted");
  const types = new Set(plain.flatMap((p) => p["lupine.frame.type"]));
  for (let t = 1; t <= 11; t++)
    assert.ok(types.has(String(t)), `frame type ${t} seen (got ${[...types]})`);
  const fromClient = (p: Packet) => assert.deepEqual(p["lupine.flags.from_server"], ["0"]);
  const fromServer = (p: Packet) => assert.deepEqual(p["lupine.flags.from_server"], ["1"]);

  // Hello: first contact, epoch 0; Welcome: the server's three limits, its epoch in the header.
  const hellos = withFrame(plain, FrameType.Hello, true);
  assert.ok(
    hellos.some((p) => Number(p["lupine.epoch"][0]) === 0),
    "a first-contact Hello",
  );
  hellos.forEach(fromClient);
  for (const p of withFrame(plain, FrameType.Welcome)) {
    fromServer(p);
    assert.deepEqual(p["lupine.max_calls_in_flight"], [String(WELCOME.maxCallsPerSession)]);
    assert.deepEqual(p["lupine.max_message_bytes"], [String(WELCOME.maxMessageBytes)]);
    assert.deepEqual(p["lupine.session_idle_ms"], [String(WELCOME.sessionIdleMs)]);
    assert.notEqual(Number(p["lupine.epoch"][0]), 0);
  }
  const reset = withFrame(plain, FrameType.Reset)[0]!;
  fromServer(reset);
  assert.deepEqual(reset["lupine.reset_reason"], ["2"], "Reset: wrong epoch");

  // Calls and replies: the five calls of one turn travel in one datagram, and Wireshark's
  // RPC/PORTMAP dissectors decode each one from what the Lua dissector hands them.
  const packed = plain.find((p) => p["lupine.frame.type"].filter((t) => t === "4").length >= 5);
  assert.ok(packed, "a datagram with five Call frames");
  fromClient(packed);
  assert.deepEqual(new Set(packed["lupine.rpc.prog"]), new Set(["100000"]));
  assert.deepEqual(new Set(packed["lupine.rpc.vers"]), new Set(["2"]));
  assert.deepEqual(new Set(packed["lupine.rpc.proc"]), new Set(["3"]));
  assert.deepEqual(new Set(packed["lupine.rpc.cred.flavor"]), new Set(["0"]), "AUTH_NONE");
  assert.equal(packed["portmap.prog"].length, packed["lupine.rpc.prog"].length);
  assert.ok(packed["portmap.prog"].every((v) => v === String(NFS_QUERY.prog)));
  assert.deepEqual(packed["rpc.xid"].map(Number), packed["lupine.seq"].map(Number), "xid = seq");
  const seqs = packed["lupine.seq"].map(Number);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0]! + i),
    "consecutive seqs",
  );

  // The GETPORT reply: port 2049 through the RPC handoff, matched to its call's frame.
  const reply = plain.find((p) => p["portmap.port"].includes(String(NFS_PORT)));
  assert.ok(reply, "a decoded GETPORT reply");
  fromServer(reply);
  assert.equal(reply["lupine.held_us"].length, withFrame([reply], FrameType.Reply).length);
  assert.ok(reply["lupine.rpc.result"].length > 0, "the result shown");
  const call = plain.find((p) => p["frame.number"][0] === reply["rpc.repframe"][0]);
  assert.ok(call, "the reply names its call's frame");
  assert.deepEqual(call["lupine.session"], reply["lupine.session"]);
  fromClient(call);

  // PROC_UNAVAIL, in Lupine's status and in the rebuilt accept_stat.
  const refused = plain.find((p) => p["lupine.rpc.status"].includes("3"));
  assert.ok(refused, "a PROC_UNAVAIL reply");
  assert.deepEqual(refused["rpc.state_accept"], ["3"]);

  // Acks from the client: a floor above 0.
  const acks = withFrame(plain, FrameType.Ack);
  assert.ok(acks.length > 0, "an Ack");
  for (const p of acks) {
    fromClient(p);
    assert.ok(
      p["lupine.ack.floor"].every((v) => Number(v) >= 1),
      "Ack floor",
    );
  }
  checkFragments(plain);

  // Working, Busy: the server's answers about the slow and the refused call, by their seqs.
  const slow = callOf(plain, 4);
  const working = withFrame(plain, FrameType.Working, true).find(
    (p) => p["lupine.session"][0] === slow.session,
  );
  assert.ok(working, "Working for the slow call");
  assert.deepEqual(working["lupine.seq"], [slow.seq]);
  assert.equal(working["lupine.held_us"].length, 1);
  const probes = withFrame(plain, FrameType.Probe, true);
  assert.ok(
    probes.some((p) => p["lupine.seq"].includes(String(PROBED_SEQ))),
    "the hand-made Probe",
  );
  probes.forEach(fromClient);
  const noSuch = withFrame(plain, FrameType.NoSuchCall)[0]!;
  fromServer(noSuch);
  assert.deepEqual(noSuch["lupine.seq"], [String(PROBED_SEQ)], "NoSuchCall names the probed seq");
  const refusedCall = callOf(plain, 5);
  const busy = withFrame(plain, FrameType.Busy, true).find(
    (p) => p["lupine.session"][0] === refusedCall.session,
  );
  assert.ok(busy, "Busy for the refused call");
  assert.deepEqual(busy["lupine.seq"], [refusedCall.seq]);
  assert.deepEqual(busy["lupine.retry_after_ms"], ["20"], "Busy carries the handler's hint");
}

/** The 6,000-byte echo: five fragments each way, acknowledged, reassembled and decoded. */
function checkFragments(plain: readonly Packet[]): void {
  const fragments = plain.filter((p) => p["lupine.fragment_index"].length > 0);
  const indexes = fragments.flatMap((p) => p["lupine.fragment_index"]).sort();
  assert.deepEqual(indexes, ["0", "0", "1", "1", "2", "2", "3", "3", "4", "4"]);
  for (const p of fragments) {
    const [total, size] = [p["lupine.message_bytes"][0], p["lupine.fragment_size"][0]].map(Number);
    assert.ok(total! > BIG_BYTES && size! * 4 < total! && total! <= size! * 5, "fragment fields");
    assert.deepEqual(p["lupine.fragment_count"], ["5"]);
  }
  const seq = fragments[0]!["lupine.seq"][0]!;
  const complete = fragments.filter((p) => p["lupine.reassembled_in"].length > 0);
  assert.equal(complete.length, 2, "call and reply reassembled");
  assert.deepEqual(complete[0]!["lupine.rpc.prog"], [String(0x20006666)]);
  assert.deepEqual(complete[0]!["lupine.rpc.proc"], ["2"]);
  assert.ok(
    complete[0]!["rpc.program"].includes(String(0x20006666)),
    "RPC view of the reassembled call",
  );
  assert.deepEqual(complete[1]!["lupine.rpc.status"], ["0"]);
  // FragmentAcks: the server's of the call's fragments, the client's of the reply's (OF_REPLY);
  // each side's last one covers all five.
  const facks = withFrame(plain, FrameType.FragmentAck);
  for (const [side, ofReply] of [
    ["1", "0"],
    ["0", "1"],
  ] as const) {
    const mine = facks.filter((p) => p["lupine.flags.from_server"][0] === side);
    assert.ok(mine.length > 0, `FragmentAcks from ${side === "1" ? "the server" : "the client"}`);
    for (const p of mine) {
      // Frame type and frame flags are decoded for every frame: they line up.
      const types = p["lupine.frame.type"];
      const n = types.filter((t) => t === "7").length;
      types.forEach((t, i) => {
        if (t === "7") assert.equal(p["lupine.frame.flags.of_reply"][i], ofReply, "OF_REPLY");
      });
      assert.ok(p["lupine.seq"].includes(seq));
      assert.equal(p["lupine.ack_delay_us"].length, n);
      assert.equal(p["lupine.cumulative"].length, n);
    }
    assert.ok(
      mine.some((p) => p["lupine.cumulative"].includes("5")),
      "all five acknowledged",
    );
  }
}

/** The secure transport: handshake, data and Session Unknown packets, ciphertext only. */
export function checkSecure(sealed: readonly Packet[]): void {
  const ofType = (t: number) => sealed.filter((p) => p["lupine.secure.type"][0] === String(t));
  const initiation = ofType(1)[0];
  const response = ofType(2)[0];
  assert.ok(initiation && response, "a handshake");
  assert.deepEqual(
    response["lupine.secure.receiver_index"],
    initiation["lupine.secure.sender_index"],
  );
  const data = ofType(4);
  const toServer = data.filter((p) =>
    p["lupine.secure.receiver_index"].includes(response["lupine.secure.sender_index"][0]!),
  );
  const toClient = data.filter((p) =>
    p["lupine.secure.receiver_index"].includes(initiation["lupine.secure.sender_index"][0]!),
  );
  assert.ok(
    toServer.length > 0 && toClient.length > 0,
    "data both ways, by the handshake's indexes",
  );
  const counters = toServer.flatMap((p) => p["lupine.secure.counter"].map(Number));
  assert.equal(new Set(counters).size, counters.length, "every data packet a new counter");
  assert.ok(Math.min(...counters) <= 1, "counters from the start of the session");
  assert.ok(
    [...toServer, ...toClient].every((p) => Number(p["lupine.secure.ciphertext_length"][0]) >= 20),
    "each sealing a Lupine datagram (20-byte header and frames)",
  );
  const hint = ofType(5)[0];
  assert.ok(hint, "a Session Unknown hint");
  assert.equal(Number(hint["lupine.secure.receiver_index"][0]), UNKNOWN_INDEX);
  assert.ok(
    sealed.every((p) => p["lupine.frame.type"].length === 0),
    "nothing decoded inside ciphertext",
  );
}
