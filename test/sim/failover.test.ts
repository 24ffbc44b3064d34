/**
 * At-most-once across failover, on the simulated network: a client balanced over two Lupine
 * servers (`failover`) that share their state (one ledger, as replicas would), while the server
 * in use dies — its host silently (node crash: no answer at all) or its process only (the host
 * answers ICMP port unreachable). Calls that were in flight on the dead server may have run
 * there, so they must end `outcome_unknown` and never be sent to the other server; calls made
 * afterwards must move over and succeed. Each test names its seed; every run replays from it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BalancedTransport } from "../../src/connect/balance.js";
import { crc32 } from "../../src/reliable/checksum.js";
import { isRpcError } from "../../src/runtime/errors.js";
import {
  CallLedger,
  digest,
  ledgerDispatcher,
  ledgerRequest,
  resultKey,
  SimNetwork,
} from "../../src/testing/index.js";
import { createLupineClient } from "../../src/transport/lupine-client.js";
import {
  createLupineServer,
  type LupineServerTransport,
} from "../../src/transport/lupine-server.js";

const PORT = 7000;

function world(seed: number) {
  const net = new SimNetwork({ seed, portUnreachable: true });
  const ledger = new CallLedger();
  const servers = new Map<string, LupineServerTransport>();
  for (const address of ["10.0.0.1", "10.0.0.2"]) {
    const s = createLupineServer({
      port: net.node(address).open(PORT),
      clock: net.clock,
      random: net.random,
      crc: crc32,
      defer: net.clock.defer,
      log: () => {},
    });
    void s.listen(ledgerDispatcher(ledger, net.clock));
    servers.set(address, s);
  }
  const clientNode = net.node("10.0.1.1");
  const member = (address: string) =>
    createLupineClient({
      port: clientNode.open(),
      server: { address, port: PORT, family: "IPv4" },
      clock: net.clock,
      random: net.random,
      crc: crc32,
      defer: net.clock.defer,
    });
  const client = new BalancedTransport(
    [member("10.0.0.1"), member("10.0.0.2")],
    "failover",
    net.clock,
  );
  const outcomes = new Map<number, string>();
  const call = (id: number, delayMs: number, timeoutMs = 60_000) => {
    const payload = new Uint8Array([id & 0xff, id >> 8]);
    ledger.begin(id, net.clock.now(), timeoutMs);
    client.call(ledgerRequest({ id, delayMs, replyBytes: 8, payload }, timeoutMs)).then(
      (r) => {
        assert.equal(r.payloadDigest, digest(payload));
        ledger.settled(id, net.clock.now(), "ok", resultKey(r.id, r.payloadDigest, r.reply));
        outcomes.set(id, "ok");
      },
      (e: unknown) => {
        const code = isRpcError(e) ? e.code : `thrown ${String(e)}`;
        ledger.settled(id, net.clock.now(), code);
        outcomes.set(id, code);
      },
    );
  };
  return { net, ledger, servers, clientNode, client, outcomes, call };
}

/** Runs the world until `n` calls have settled (bounded in simulated time). */
async function settle(w: ReturnType<typeof world>, n: number, limitMs = 300_000): Promise<void> {
  const until = w.net.clock.now() + limitMs;
  await w.net.clock.run({ done: () => w.outcomes.size >= n || w.net.clock.now() > until });
  assert.equal(w.outcomes.size, n, `only ${w.outcomes.size} of ${n} calls settled`);
}

for (const [seed, how] of [
  [31, "its host goes silent"],
  [32, "its process dies (port unreachable)"],
] as const) {
  test(`seed ${seed}: failover when the server in use dies — ${how}: nothing runs twice, later calls move over`, async () => {
    const w = world(seed);
    await w.net.clock.run({ untilMs: 1 });
    for (let id = 1; id <= 20; id++) w.call(id, 300); // executing on 10.0.0.1 when it dies
    w.net.clock.setTimeout(() => {
      if (seed === 31) w.net.node("10.0.0.1").crash();
      else void w.servers.get("10.0.0.1")!.close(0); // the process is gone, the host answers
    }, 100);
    await settle(w, 20);
    for (let id = 1; id <= 20; id++) assert.equal(w.outcomes.get(id), "outcome_unknown", `${id}`);
    const detectedMs = w.net.clock.now();
    for (let id = 21; id <= 40; id++) w.call(id, 0);
    await settle(w, 40);
    for (let id = 21; id <= 40; id++) assert.equal(w.outcomes.get(id), "ok", `call ${id}`);
    const movedMs = w.net.clock.now() - detectedMs;
    assert.deepEqual(w.ledger.check({ lateBoundMs: 50 }), []);
    if (seed === 32) {
      assert.ok(detectedMs < 1000, `in-flight calls ended after ${detectedMs} ms`);
      assert.ok(movedMs < 100, `new calls moved over in ${movedMs} ms`);
    } else {
      // Ten unanswered transmissions, then ten unanswered Hellos, each backing off from the RTO.
      assert.ok(movedMs < 30_000, `new calls moved over in ${movedMs} ms`);
    }
  });
}
