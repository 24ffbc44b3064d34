import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakePort } from "../../test/helpers/fake-port.js";
import { ManualClock } from "../../test/helpers/manual-clock.js";
import { seededRandom } from "../../test/helpers/prng.js";
import type { Endpoint } from "../io/index.js";
import { AcceptStat, writeAcceptedError, writeSuccessHeader } from "../oncrpc/rpc-msg.js";
import { isRpcError } from "../runtime/errors.js";
import type { CallRequest } from "../runtime/transport.js";
import { XdrWriter } from "../xdr/index.js";
import { OncUdpClient } from "./onc-udp-client.js";

const server: Endpoint = { address: "127.0.0.1", port: 7000, family: "IPv4" };

function setup(
  retransmit = { initialIntervalMs: 100, maxIntervalMs: 400, minIntervalMs: 50, adaptive: false },
) {
  const clock = new ManualClock(0);
  const port = new FakePort();
  const client = new OncUdpClient({ port, server, clock, random: seededRandom(1), retransmit });
  return { clock, port, client };
}

const request = (
  timeoutMs: number,
  extra: Partial<CallRequest<number>> = {},
): CallRequest<number> => ({
  program: 0x20000099,
  version: 2,
  procedure: 2,
  procedureName: "ECHO_INT",
  writeArgs: (w) => w.writeInt(42),
  readResult: (r) => r.readInt(),
  timeoutMs,
  ...extra,
});

const xidOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0);

function reply(xid: number, value: number): Uint8Array {
  const w = new XdrWriter();
  writeSuccessHeader(w, xid);
  w.writeInt(value);
  return w.finish();
}

describe("ONC UDP client", () => {
  test("retransmits the same bytes (same xid) at 100, 300, 700 ms and times out at 1000", async () => {
    const { clock, port, client } = setup();
    const p = client.call(request(1000));
    const times: number[] = [];
    for (let i = 0; i < 10 && clock.nextDeadline !== undefined; i++) {
      clock.advanceTo(clock.nextDeadline);
      times.push(clock.now());
    }
    await assert.rejects(p, (e: unknown) => {
      assert.ok(isRpcError(e) && e.code === "timeout");
      assert.equal(e.details.transmissions, 4);
      assert.equal(e.details.elapsedMs, 1000);
      assert.match(e.message, /after 1000 ms and 4 transmissions/);
      return true;
    });
    assert.deepEqual(times, [100, 300, 700, 1000]);
    assert.equal(port.sent.length, 4);
    assert.ok(port.sent.every((s) => Buffer.compare(s.data, port.sent[0]!.data) === 0));
    assert.equal(client.stats.retransmissions, 3);
    assert.equal(clock.pending, 0);
  });

  test("a new xid per call; the reply settles the call and stops its timer", async () => {
    const { clock, port, client } = setup();
    const a = client.call(request(1000));
    const b = client.call(request(1000));
    const [xa, xb] = port.sent.map((s) => xidOf(s.data));
    assert.notEqual(xa, xb);
    port.deliver(reply(xb!, 2), server);
    port.deliver(reply(xa!, 1), server);
    assert.deepEqual(await Promise.all([a, b]), [1, 2]);
    assert.equal(clock.pending, 0);
  });

  test("drops and counts replies from another address or port, and unknown xids", async () => {
    const { port, client } = setup();
    const p = client.call(request(1000));
    const xid = xidOf(port.sent[0]!.data);
    port.deliver(reply(xid, 9), { ...server, port: 7001 });
    port.deliver(reply(xid, 9), { ...server, address: "127.0.0.2" });
    port.deliver(reply(xid + 1, 9), server);
    port.deliver(Uint8Array.of(1, 2, 3), server);
    assert.deepEqual(
      [
        client.stats.droppedWrongPeer,
        client.stats.droppedUnknownXid,
        client.stats.droppedMalformed,
      ],
      [2, 1, 1],
    );
    port.deliver(reply(xid, 5), server);
    assert.equal(await p, 5);
  });

  test("a late reply after the timeout is dropped as an unknown xid", async () => {
    const { clock, port, client } = setup();
    const p = client.call(request(50));
    clock.advance(50);
    await assert.rejects(p, { code: "timeout" });
    port.deliver(reply(xidOf(port.sent[0]!.data), 1), server);
    assert.equal(client.stats.droppedUnknownXid, 1);
  });

  test("error replies become RpcErrors; results with trailing bytes are malformed", async () => {
    const { port, client } = setup();
    const p = client.call(request(1000));
    const w = new XdrWriter();
    writeAcceptedError(w, xidOf(port.sent[0]!.data), AcceptStat.PROG_MISMATCH, { low: 1, high: 2 });
    port.deliver(w.finish(), server);
    await assert.rejects(
      p,
      (e: unknown) => isRpcError(e) && e.code === "prog_mismatch" && e.details.high === 2,
    );
    const q = client.call(request(1000));
    const bad = reply(xidOf(port.sent[1]!.data), 1);
    port.deliver(Buffer.concat([bad, new Uint8Array(4)]), server);
    await assert.rejects(q, { code: "malformed" });
  });

  test("cancel, oversized call, close", async () => {
    const { clock, port, client } = setup();
    const ac = new AbortController();
    const p = client.call(request(1000, { signal: ac.signal }));
    ac.abort();
    await assert.rejects(p, { code: "canceled" });
    assert.equal(clock.pending, 0);
    await assert.rejects(
      client.call(request(1000, { writeArgs: (w) => w.writeVarOpaque(new Uint8Array(70_000)) })),
      /exceeds the UDP limit/,
    );
    await assert.rejects(client.call(request(1000, { writeArgs: (w) => w.writeInt(2 ** 40) })), {
      code: "invalid_argument",
    });
    const q = client.call(request(1000));
    await client.close();
    await assert.rejects(q, { code: "closed" });
    assert.ok(port.closed);
    await assert.rejects(client.call(request(1000)), { code: "closed" });
  });

  test("adaptive: the first interval follows the measured RTT (Karn: sent-once calls only)", async () => {
    const { clock, port, client } = setup({
      initialIntervalMs: 1000,
      minIntervalMs: 20,
      maxIntervalMs: 8000,
      adaptive: true,
    });
    const p = client.call(request(5000));
    clock.advance(10);
    port.deliver(reply(xidOf(port.sent[0]!.data), 1), server);
    await p;
    assert.equal(client.rtt.srttMs, 10);
    client.call(request(5000)).catch(() => {});
    // SRTT 10 + 4 * RTTVAR 5 = 30 ms.
    assert.equal(clock.nextDeadline, clock.now() + 30);
    await client.close();
  });
});
