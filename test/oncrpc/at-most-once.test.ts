/**
 * At-most-once over UDP: through a path that drops and duplicates datagrams both ways (seeded),
 * a counting procedure runs exactly once per completed call, over thousands of calls, because
 * the server's duplicate-request cache answers retransmissions. The same traffic without the
 * cache runs some calls twice — the check can fail.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nodeClock } from "../../src/io/node/clock.js";
import { openUdp } from "../../src/io/node/udp.js";
import { createRpcClient } from "../../src/runtime/client.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { defineProgram } from "../../src/runtime/program.js";
import { createRpcServer } from "../../src/runtime/server.js";
import { OncUdpClient } from "../../src/transport/onc-udp-client.js";
import { OncUdpServer } from "../../src/transport/onc-udp-server.js";
import * as xdr from "../../src/xdr/index.js";
import { FaultyPort } from "../helpers/faulty-port.js";
import { seededRandom } from "../helpers/prng.js";

const Counter = defineProgram({
  name: "COUNTER",
  program: 0x20004321,
  version: 1,
  procedures: { count: { procedure: 1, name: "COUNT", args: [xdr.uint], result: xdr.uint } },
});

async function runCalls(seed: number, drc: boolean, calls: number) {
  const executions = new Map<number, number>();
  const faults = { loss: 0.15, duplicate: 0.15 };
  const serverPort = new FaultyPort(
    await openUdp({ host: "127.0.0.1" }),
    seededRandom(seed),
    faults,
  );
  const udp = new OncUdpServer({
    port: serverPort,
    clock: nodeClock,
    drc: drc ? {} : false,
    logger: silentLogger,
  });
  const server = createRpcServer({ logger: silentLogger });
  server.register(Counter, {
    count: async (id) => {
      executions.set(id, (executions.get(id) ?? 0) + 1);
      // Take a little time now and then, so copies arrive while the call still runs.
      if (id % 7 === 0) await new Promise((r) => setTimeout(r, 3));
      return id;
    },
  });
  const [address] = await server.listen(udp);
  const clientPort = new FaultyPort(
    await openUdp({ host: "127.0.0.1" }),
    seededRandom(seed + 1),
    faults,
  );
  const transport = new OncUdpClient({
    port: clientPort,
    server: address!,
    clock: nodeClock,
    random: seededRandom(seed + 2),
    retransmit: { initialIntervalMs: 10, minIntervalMs: 10, maxIntervalMs: 40, adaptive: false },
  });
  const client = createRpcClient(Counter, transport, { timeoutMs: 3000 });
  const completed: number[] = [];
  const failed: number[] = [];
  let next = 1;
  const worker = async () => {
    while (next <= calls) {
      const id = next++;
      try {
        assert.equal(await client.count(id), id);
        completed.push(id);
      } catch {
        failed.push(id);
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await client.$close();
  await server.close(100);
  return {
    executions,
    completed,
    failed,
    transport,
    udp,
    faults: [serverPort.stats, clientPort.stats],
  };
}

describe("at-most-once over a lossy, duplicating UDP path", () => {
  test("seed 7: 3000 calls, each completed call ran exactly once", {
    timeout: 60_000,
  }, async () => {
    const r = await runCalls(7, true, 3000);
    assert.ok(r.completed.length >= 2990, `completed ${r.completed.length}`);
    for (const id of r.completed)
      assert.equal(
        r.executions.get(id),
        1,
        `call ${id} ran ${r.executions.get(id)} times (seed 7)`,
      );
    for (const id of r.failed)
      assert.ok((r.executions.get(id) ?? 0) <= 1, `failed call ${id} ran twice (seed 7)`);
    // The path really was hostile, and the cache really worked.
    assert.ok(
      r.transport.stats.retransmissions > 300,
      `retransmissions ${r.transport.stats.retransmissions}`,
    );
    assert.ok(r.udp.stats.replayed > 100, `replayed ${r.udp.stats.replayed}`);
    assert.ok(r.faults[0]!.duplicated > 100 && r.faults[1]!.dropped > 100);
  });

  test("seed 7 without the duplicate-request cache: some calls run twice", {
    timeout: 60_000,
  }, async () => {
    const r = await runCalls(7, false, 1000);
    const twice = [...r.executions.values()].filter((n) => n > 1).length;
    assert.ok(twice > 10, `only ${twice} calls ran more than once`);
  });
});
