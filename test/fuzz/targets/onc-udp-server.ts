/**
 * `onc-udp-server`: the ONC RPC UDP server's whole receive path — datagram in, reply or drop out —
 * with the real dispatcher serving conformance.x versions 1 and 2 (every XDR type as arguments,
 * AUTH_SYS, handlers that throw `RpcError`) and the duplicate-request cache on. The port is an
 * in-memory one, so nothing reaches a socket.
 *
 * Checks per datagram: nothing escapes `receive`; exactly one counter moves (each datagram is
 * dropped-and-counted or answered); at most one datagram is sent, and it is a well-formed reply
 * (RFC 5531 §9) to the datagram's xid — SUCCESS results decode with the procedure's result codec.
 * Seeds: calls recorded from the C client and Lupine's client (`capture.ts`).
 */

import { readReplyAfterXid } from "../../../src/oncrpc/rpc-msg.js";
import { ProgramTable } from "../../../src/runtime/dispatch.js";
import type { Logger } from "../../../src/runtime/logger.js";
import { OncUdpServer } from "../../../src/transport/onc-udp-server.js";
import { XdrReader } from "../../../src/xdr/index.js";
import { conformanceHandlers } from "../../conformance/conformance-server.js";
import { ConformanceProgV1, ConformanceProgV2 } from "../../conformance/gen/conformance.js";
import { FakePort } from "../../helpers/fake-port.js";
import { ManualClock } from "../../helpers/manual-clock.js";
import { readCorpus } from "../engine/corpus.js";
import { check, type FuzzTarget, proportionalBudget } from "../engine/target.js";

const FROM = { address: "127.0.0.1", port: 40000, family: "IPv4" as const };
const quiet: Logger = { error: () => {}, warn: () => {} };

function totalCounted(s: OncUdpServer["stats"]): number {
  return (
    s.droppedMalformed + s.droppedInProgress + s.replayed + s.droppedBusy + s.rejected + s.calls
  );
}

/** The server receive-path target; see the module comment. */
export function udpServerTarget(): FuzzTarget {
  const clock = new ManualClock();
  const port = new FakePort();
  const server = new OncUdpServer({
    port,
    clock,
    drc: { maxEntries: 64, maxBytes: 1 << 20 },
    logger: quiet,
  });
  const table = new ProgramTable({ logger: quiet });
  const { v1, v2 } = conformanceHandlers();
  // Synchronous stand-ins for the two handlers that wait (a fuzz input must finish at once).
  table.register(ConformanceProgV1, v1);
  table.register(ConformanceProgV2, { ...v2, sleepMs: (ms: number) => ms, noReply: () => {} });
  void server.listen(table);
  const results = new Map<number, { decode(r: XdrReader): unknown }>();
  for (const p of Object.values(ConformanceProgV2.procedures)) results.set(p.procedure, p.result);

  return {
    name: "onc-udp-server",
    summary:
      "OncUdpServer + dispatcher + DRC, datagram in: every datagram counted once; replies well-formed",
    maxLength: 65507,
    timeLimitMs: 250,
    budget: proportionalBudget(4, 64 * 1024),
    seeds: () => readCorpus("onc-call"),
    run(input) {
      clock.advance(1);
      const before = totalCounted(server.stats);
      const sent = port.sent.length;
      port.deliver(input, FROM);
      check(totalCounted(server.stats) === before + 1, "a datagram was not counted exactly once");
      check(port.sent.length <= sent + 1, "more than one reply to one datagram");
      const reply = port.sent[sent]?.data;
      port.sent.length = 0;
      if (reply === undefined) return;
      check(reply.length >= 12, "reply shorter than a reply header");
      check(Buffer.compare(reply.subarray(0, 4), input.subarray(0, 4)) === 0, "reply xid differs");
      const r = new XdrReader(reply, 4);
      const header = readReplyAfterXid(r);
      if (header.kind === "accepted" && header.stat === 0) {
        const version = new DataView(input.buffer, input.byteOffset).getUint32(16);
        const procedure = new DataView(input.buffer, input.byteOffset).getUint32(20);
        const codec = version === 2 ? results.get(procedure) : undefined;
        if (codec !== undefined) codec.decode(r);
        if (codec !== undefined || procedure === 0) r.assertEnd();
      }
    },
  };
}
