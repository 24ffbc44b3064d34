/**
 * A secure Lupine server restarted with the same static key, on the simulated network: its node
 * dies while calls are in flight (some executing, some on the wire, some sent while it is down)
 * and a new server process starts with the same key and no memory. Callers get their result or
 * `outcome_unknown`, never a second execution; new calls work after a fresh handshake; and an
 * attacker who captured the old incarnation's datagrams cannot use them: old client datagrams
 * replayed to the new server, and old server datagrams replayed to the client, are all rejected
 * and counted, deliver nothing and run nothing (docs/security.md §5). Each test names its seed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PacketType } from "../../src/secure/packet.js";
import { totalDropped } from "../../src/secure/stats.js";
import {
  type Captured,
  createSecureWorld,
  ledgerCall,
  SERVER,
  type SecureWorld,
} from "./sim-world.js";

function executions(world: SecureWorld): number {
  let n = 0;
  for (const c of world.ledger.calls.values()) n += c.executions;
  return n;
}

function tally(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** Old-incarnation datagrams, by direction. */
function oldCaptures(world: SecureWorld) {
  const old = world.observer.captured.filter((c) => c.incarnation === 0);
  const fromServer = old.filter((c) => c.from.address === SERVER.address);
  const toServer = old.filter((c) => c.to.address === SERVER.address);
  return { fromServer, toServer };
}

function countTypes(cs: readonly Captured[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of cs) out[c.bytes[0]!] = (out[c.bytes[0]!] ?? 0) + 1;
  return out;
}

test("seed 401: restart with the same key mid-flight: ok or outcome_unknown, never a re-run; new calls work after a fresh handshake; old datagrams replayed both ways rejected and counted", async (t) => {
  const world = createSecureWorld({ seed: 401, link: { jitterMs: 0.5, loss: 0.05 }, clients: 2 });
  const { net, observer, ledger } = world;
  const outcomes = new Map<number, string>();
  const start = (id: number, delayMs = 0) =>
    void ledgerCall(world, world.clients[id % 2]!, id, { delayMs, timeoutMs: 8000 }).then((o) =>
      outcomes.set(id, o),
    );
  // Warm-up traffic for the attacker to capture: 200 calls.
  for (let id = 1001; id <= 1200; id++) start(id);
  await net.clock.run({ done: () => outcomes.size === 200 });
  assert.equal(ledger.outcomes().ok, 200);

  // In flight at the crash: 10 long calls executing; 30 short ones sent from 10 ms before the
  // crash to 20 ms after it (some answered, some lost on the way in, some sent to a dead node).
  const t0 = net.clock.now();
  for (let id = 21; id <= 30; id++) start(id, 300);
  for (let k = 0; k < 30; k++) net.clock.setTimeout(() => start(31 + k), 40 + k);
  net.clock.setTimeout(() => world.crashServer(), 50);
  net.clock.setTimeout(() => world.restartServer(), 80);
  await net.clock.run({ done: () => outcomes.size === 240 });
  const inFlight = [...outcomes].filter(([id]) => id > 20 && id <= 60).map(([, o]) => o);
  const settled = tally(inFlight);
  t.diagnostic(`in flight at the restart: ${JSON.stringify(settled)}`);
  assert.deepEqual(
    Object.keys(settled).filter((o) => o !== "ok" && o !== "outcome_unknown"),
    [],
    JSON.stringify(settled),
  );
  for (let id = 21; id <= 30; id++) assert.equal(outcomes.get(id), "outcome_unknown", `long ${id}`);
  assert.deepEqual(ledger.check({ lateBoundMs: 50 }), [], "settled once, ran at most once");
  assert.ok(net.clock.now() - t0 < 8000, "settled before their deadlines");

  // New calls work, on a fresh handshake with the new process.
  for (let id = 61; id <= 80; id++) start(id);
  await net.clock.run({ done: () => outcomes.size === 260 });
  for (let id = 61; id <= 80; id++) assert.equal(outcomes.get(id), "ok", `new call ${id}`);
  for (const p of world.clientPorts) assert.ok(p.initiator.stats.handshakes >= 2);
  assert.ok(world.server.securePort.responder.stats.handshakes >= 2, "both clients rehandshook");
  assert.deepEqual(observer.violations, []);

  // The link loses 5% until now, so some of the old process's datagrams never arrived; the
  // replays travel without loss, so that each one arrives and can be accounted for.
  for (const p of world.clientPorts) net.setLink(p.local.address, SERVER.address, { loss: 0 });

  // Old client datagrams replayed to the new server (from the clients' addresses).
  const { fromServer, toServer } = oldCaptures(world);
  const responder = world.server.securePort.responder.stats;
  const serverDrops = totalDropped(responder);
  const ran = executions(world);
  const calls = world.server.stats().callsStarted;
  for (const c of toServer) world.inject(c);
  await net.clock.run({ untilMs: net.clock.now() + 100 });
  t.diagnostic(
    `old client datagrams replayed: ${JSON.stringify(countTypes(toServer))}; server drops ` +
      JSON.stringify(responder.dropped),
  );
  assert.ok(toServer.length >= 20, `${toServer.length} captured`);
  assert.equal(totalDropped(responder) - serverDrops, toServer.length, "every one counted");
  const fates = tally(toServer.map((c) => observer.fateOf(c.bytes) ?? "never arrived"));
  t.diagnostic(`their fates at the new server: ${JSON.stringify(fates)}`);
  assert.deepEqual(Object.keys(fates).sort(), ["replayed-initiation", "unknown-session"]);
  assert.equal(world.server.stats().callsStarted, calls, "none reached the reliable layer");
  assert.equal(executions(world), ran, "nothing ran");
  assert.equal(
    responder.dropped["unknown-session"] + responder.dropped["replayed-initiation"] > 0,
    true,
  );

  // Old server datagrams replayed to the clients (from the server's address).
  const clientDrops = world.clientPorts.map((p) => totalDropped(p.initiator.stats));
  for (const c of fromServer) world.inject(c);
  await net.clock.run({ untilMs: net.clock.now() + 100 });
  const counted = world.clientPorts.reduce(
    (n, p, i) => n + totalDropped(p.initiator.stats) - clientDrops[i]!,
    0,
  );
  const hints = fromServer.filter((c) => c.bytes[0] === PacketType.SessionUnknown).length;
  t.diagnostic(`old server datagrams replayed: ${JSON.stringify(countTypes(fromServer))}`);
  assert.ok(fromServer.length >= 20, `${fromServer.length} captured`);
  const clientFates = tally(fromServer.map((c) => observer.fateOf(c.bytes) ?? "never arrived"));
  t.diagnostic(`their fates at the clients: ${JSON.stringify(clientFates)}`);
  assert.equal(clientFates.delivered, undefined, "none delivered to the reliable layer");
  assert.equal(clientFates["never arrived"], undefined);
  assert.ok(
    counted >= fromServer.length - hints && counted <= fromServer.length,
    `${counted} of ${fromServer.length} counted (${hints} hints)`,
  );
  assert.deepEqual(observer.violations, [], "each replayed datagram judged as it arrived");
  assert.deepEqual(ledger.check({ lateBoundMs: 50 }), []);

  // And the clients still work.
  for (let id = 81; id <= 90; id++) start(id);
  await net.clock.run({ done: () => outcomes.size === 270 });
  for (let id = 81; id <= 90; id++) assert.equal(outcomes.get(id), "ok", `call ${id}`);
  for (const c of world.clients) await c.close();
  await world.server.close(0);
});

test("seed 402: old initiations replayed to a just-restarted server (before any client is back) establish nothing; the clients reconnect", async (t) => {
  const world = createSecureWorld({ seed: 402, clients: 2 });
  const { net, observer } = world;
  const outcomes = new Map<number, string>();
  const start = (id: number) =>
    void ledgerCall(world, world.clients[id % 2]!, id, {}).then((o) => outcomes.set(id, o));
  for (let id = 1; id <= 10; id++) start(id);
  await net.clock.run({ done: () => outcomes.size === 10 });
  world.crashServer();
  world.restartServer();
  const { toServer } = oldCaptures(world);
  const initiations = toServer.filter((c) => c.bytes[0] === PacketType.Initiation);
  assert.ok(initiations.length >= 2);
  const seen = observer.captured.length;
  for (const c of initiations) world.inject(c);
  await net.clock.run({ untilMs: net.clock.now() + 50 });
  // The new process has no memory of the clients' timestamps, so it answers each; the answers
  // reach the genuine clients, which started no such handshake: dropped and counted.
  const senders = new Set(
    initiations.map((c) => Buffer.from(c.bytes.subarray(4, 8)).toString("hex")),
  );
  const answers = observer.captured
    .slice(seen)
    .filter(
      (c) =>
        c.bytes[0] === PacketType.Response &&
        senders.has(Buffer.from(c.bytes.subarray(8, 12)).toString("hex")),
    );
  t.diagnostic(`${initiations.length} old initiations replayed, ${answers.length} answered`);
  assert.equal(answers.length, initiations.length, "the new process answered each");
  for (const a of answers) assert.equal(observer.fateOf(a.bytes), "no-handshake");
  // The first calls after a restart may end outcome_unknown, as on the plain transport (sent on
  // the old session, the client cannot tell whether the old process got them); then all work.
  for (let id = 11; id <= 20; id++) start(id);
  await net.clock.run({ done: () => outcomes.size === 20 });
  for (let id = 11; id <= 20; id++)
    assert.match(outcomes.get(id)!, /^(ok|outcome_unknown)$/, `call ${id}`);
  for (let id = 21; id <= 30; id++) start(id);
  await net.clock.run({ done: () => outcomes.size === 30 });
  for (let id = 21; id <= 30; id++) assert.equal(outcomes.get(id), "ok", `call ${id}`);
  assert.deepEqual(observer.violations, []);
  assert.deepEqual(world.ledger.check({ lateBoundMs: 50 }), []);
  for (const c of world.clients) await c.close();
  await world.server.close(0);
});
