/**
 * The secure Lupine transport on the deterministic simulated network: Noise under the reliable
 * layer, over links that lose, duplicate, reorder and corrupt datagrams, while an attacker on
 * the path replays datagrams it captured (both directions). For every fault mix: every call
 * settles exactly once, runs at most once (exactly once when it succeeded) and returns what its
 * handler returned; and every datagram is judged as it arrives (`sim-world.ts`): nothing
 * corrupted, forged or repeated is ever delivered, and every repeated data packet and every
 * bogus datagram is counted as a drop. Each test names its seed; a run replays from it (checked).
 * `SECURE_SIM_SEED=n` runs every mix on seed n instead.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LinkConfig } from "../../src/testing/index.js";
import { createSecureWorld, ledgerCall } from "./sim-world.js";

interface Mix {
  readonly name: string;
  readonly seed: number;
  readonly link: Partial<LinkConfig>;
}

const MIXES: readonly Mix[] = [
  { name: "loss-5", seed: 301, link: { loss: 0.05, jitterMs: 0.5 } },
  { name: "loss-30", seed: 302, link: { loss: 0.3, jitterMs: 1 } },
  { name: "dup-10", seed: 303, link: { duplicate: 0.1, jitterMs: 1 } },
  { name: "reorder", seed: 304, link: { reorder: 0.25, jitterMs: 2 } },
  { name: "corrupt-2", seed: 305, link: { corrupt: 0.02 } },
  {
    name: "mixed",
    seed: 306,
    link: { loss: 0.1, duplicate: 0.05, reorder: 0.1, corrupt: 0.01, jitterMs: 1 },
  },
];

const CALLS = 800;
const override = process.env.SECURE_SIM_SEED;

/** Runs one mix: 2 clients × 8 workers of ledger calls, and an attacker replaying captures. */
async function run(mix: Mix, seed: number) {
  const world = createSecureWorld({ seed, link: mix.link, clients: 2 });
  const { net, observer } = world;
  const r = net.random;
  let next = 1;
  let settled = 0;
  const worker = async (client: (typeof world.clients)[number]) => {
    while (next <= CALLS) {
      const id = next++;
      const big = r.chance(0.05);
      await ledgerCall(world, client, id, {
        payloadBytes: big ? 1500 + r.int(6000) : r.int(200),
        replyBytes: big && r.chance(0.5) ? 1500 + r.int(6000) : r.int(200),
        delayMs: r.chance(0.03) ? 20 + r.int(200) : 0,
        timeoutMs: 5000,
      });
      settled++;
    }
  };
  // The attacker: every virtual ms, one datagram captured so far, sent again from its source.
  let replays = 0;
  const attack = () => {
    if (settled >= CALLS) return;
    if (observer.captured.length > 0) {
      world.inject(observer.captured[r.int(observer.captured.length)]!);
      replays++;
    }
    net.clock.setTimeout(attack, 1);
  };
  net.clock.setTimeout(attack, 1);
  const workers = world.clients.flatMap((c) => Array.from({ length: 8 }, () => worker(c)));
  const virtualMs = await net.clock.run({ done: () => settled >= CALLS, untilMs: 3_600_000 });
  await Promise.all(workers);
  // Let the datagrams still on the wire arrive (and be judged) before counting.
  await net.clock.run({ untilMs: virtualMs + 100 });
  const serverStats = world.server.securePort.responder.stats;
  const summary = {
    virtualMs,
    replays,
    outcomes: world.ledger.outcomes(),
    network: { ...net.counters },
    verdicts: observer.verdicts,
    serverDropped: serverStats.dropped,
    clientHandshakes: world.clientPorts.map((p) => p.initiator.stats.handshakes),
  };
  for (const c of world.clients) await c.close();
  await world.server.close(0);
  return { world, summary };
}

for (const mix of MIXES) {
  const seed = override === undefined ? mix.seed : Number(override);
  test(`secure sim seed ${seed} mix ${mix.name}: ${CALLS} calls at most once, every bogus or replayed datagram rejected and counted`, async (t) => {
    const { world, summary } = await run(mix, seed);
    const replay = `SECURE_SIM_SEED=${seed} node --test dist/test/secure/sim.test.js`;
    t.diagnostic(JSON.stringify(summary));
    assert.deepEqual(world.ledger.check({ lateBoundMs: 50 }), [], `seed ${seed}; ${replay}`);
    assert.deepEqual(world.observer.violations, [], `seed ${seed}; ${replay}`);
    const v = summary.verdicts;
    const ok = summary.outcomes.ok ?? 0;
    assert.ok(ok >= 0.9 * CALLS, `seed ${seed}: only ${ok} calls succeeded; ${replay}`);
    // The attacker's replays (and the link's duplicates) arrived and were all turned away.
    const repeats = Object.values(v.repeats).reduce((a, b) => a + b, 0);
    assert.ok(repeats > summary.replays / 3, `${repeats} repeats seen for ${summary.replays}`);
    assert.ok((v.repeats.replayed ?? 0) > 0, "replayed data packets counted as replayed");
    if (mix.link.corrupt !== undefined) {
      const bogus = Object.values(v.bogus).reduce((a, b) => a + b, 0);
      assert.equal(bogus, summary.network.corrupted, "every corrupted datagram judged bogus");
    }
    // No restart: every genuine data packet that arrived first-hand opened.
    assert.deepEqual(v.freshDropped, {});
    assert.ok(v.freshDelivered > CALLS);
  });
}

test("secure sim: a run replays from its seed (same outcomes, counters, verdicts, time)", async () => {
  const mix = MIXES.find((m) => m.name === "mixed")!;
  const seed = override === undefined ? 307 : Number(override);
  const a = await run(mix, seed);
  const b = await run(mix, seed);
  assert.deepEqual(a.summary, b.summary);
  assert.ok(a.summary.replays > 0 && a.summary.network.corrupted > 0);
});
