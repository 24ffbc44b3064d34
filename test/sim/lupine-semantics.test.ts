/**
 * Lupine transport semantics on the simulated network, one promise per test: the reply is the
 * ack, long calls are acked then probed, dead servers are detected, restarts give outcome
 * unknown, busy servers push back, corrupt datagrams are dropped, big messages get through, and
 * timeouts say where the time went. Each test names its seed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isRpcError, type RpcError } from "../../src/runtime/errors.js";
import {
  createSimPair,
  digest,
  ledgerRequest,
  replyPayload,
  resultKey,
  type SimPair,
} from "../../src/testing/index.js";

/** Makes ledger call `id` and records its settlement in the pair's ledger. */
async function call(
  pair: SimPair,
  id: number,
  opts: { delayMs?: number; payload?: Uint8Array; replyBytes?: number; timeoutMs?: number } = {},
  client = pair.client,
): Promise<string> {
  const clock = pair.net.clock;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const payload = opts.payload ?? new Uint8Array([id & 0xff]);
  pair.ledger.begin(id, clock.now(), timeoutMs);
  try {
    const r = await client.call(
      ledgerRequest(
        { id, delayMs: opts.delayMs ?? 0, replyBytes: opts.replyBytes ?? 8, payload },
        timeoutMs,
      ),
    );
    assert.equal(r.payloadDigest, digest(payload));
    pair.ledger.settled(id, clock.now(), "ok", resultKey(r.id, r.payloadDigest, r.reply));
    return "ok";
  } catch (e) {
    if (!isRpcError(e)) throw e;
    pair.ledger.settled(id, clock.now(), e.code);
    return e.code;
  }
}

/** Makes ledger call `id` (as {@link call}) and runs the virtual clock until it settles. */
async function callToEnd(
  pair: SimPair,
  id: number,
  opts: Parameters<typeof call>[2] = {},
): Promise<string> {
  let outcome = "";
  void call(pair, id, opts).then((o) => {
    outcome = o;
  });
  await pair.net.clock.run({ done: () => outcome !== "" });
  return outcome;
}

function assertInvariants(pair: SimPair): void {
  assert.deepEqual(pair.ledger.check({ lateBoundMs: 50 }), []);
}

test("seed 11: the reply is the ack — 10,000 sequential calls cost ≤ 2.05 datagrams each", async () => {
  const pair = createSimPair({ seed: 11 });
  let done = false;
  const run = (async () => {
    for (let id = 1; id <= 10_000; id++) assert.equal(await call(pair, id), "ok");
    done = true;
  })();
  await pair.net.clock.run({ done: () => done });
  await run;
  const perCall = pair.net.counters.sent / 10_000;
  assert.ok(perCall <= 2.05, `${perCall} datagrams per call`);
  assertInvariants(pair);
  const s = pair.client.stats();
  assert.ok(s.srttMs > 1.9 && s.srttMs < 2.5, `SRTT ${s.srttMs} on a 2 ms round trip`);
  assert.equal(s.retransmissions, 0);
});

test("seed 12: a ten-minute call is acked, probed at a growing interval, and completes", async () => {
  const pair = createSimPair({ seed: 12 });
  const tenMinutes = 600_000;
  const outcome = await callToEnd(pair, 1, { delayMs: tenMinutes, timeoutMs: tenMinutes + 60_000 });
  assert.equal(outcome, "ok");
  assertInvariants(pair);
  // Probes grow to 2 s apart: about 300 probe/answer pairs in ten minutes, not a flood.
  const sent = pair.net.counters.sent;
  assert.ok(sent < 1000, `${sent} datagrams for a ten-minute call`);
  assert.ok(sent > 100, `${sent} datagrams: the client kept probing`);
});

test("seed 13: a server that dies during a long call is detected within a bounded number of probes", async () => {
  const pair = createSimPair({ seed: 13 });
  let outcome = "";
  let error: RpcError | undefined;
  pair.ledger.begin(1, 0, 600_000);
  void pair.client
    .call(
      ledgerRequest({ id: 1, delayMs: 500_000, replyBytes: 0, payload: new Uint8Array() }, 600_000),
    )
    .catch((e: RpcError) => {
      error = e;
      outcome = e.code;
    });
  pair.net.clock.setTimeout(() => pair.crashServer(), 1000);
  const end = await pair.net.clock.run({ done: () => outcome !== "" });
  // It was executing: it may have run, so not `unreachable` (which promises it was never sent).
  assert.equal(outcome, "outcome_unknown");
  assert.match(error!.message, /executed it; it may or may not have run/);
  // At most probeMaxMs (2 s) between probes after the last answer, then ≤ 10 unanswered probes
  // backing off from the RTO and capped at 2 s: about 10 s.
  assert.ok(end < 1000 + 12_000, `detected after ${end - 1000} ms`);
});

test("seed 14: after a server restart, calls in flight end outcome_unknown and new calls work at once", async () => {
  const pair = createSimPair({ seed: 14 });
  const outcomes = new Map<number, string>();
  const start = (id: number, delayMs = 0) =>
    void call(pair, id, { delayMs }).then((o) => outcomes.set(id, o));
  await pair.net.clock.run({ untilMs: 1 });
  for (let id = 1; id <= 20; id++) start(id, 200); // executing when the server dies
  pair.net.clock.setTimeout(() => pair.crashServer(), 50);
  pair.net.clock.setTimeout(() => pair.restartServer(), 60);
  await pair.net.clock.run({ done: () => outcomes.size === 20 });
  for (let id = 1; id <= 20; id++) assert.equal(outcomes.get(id), "outcome_unknown", `call ${id}`);
  const t0 = pair.net.clock.now();
  start(21);
  await pair.net.clock.run({ done: () => outcomes.size === 21 });
  assert.equal(outcomes.get(21), "ok");
  assert.ok(pair.net.clock.now() - t0 < 10, `new call took ${pair.net.clock.now() - t0} ms`);
  assertInvariants(pair);
  assert.equal(pair.client.stats().resets, 1);
});

test("seed 15: an overloaded server answers busy; clients back off and every call runs once", async () => {
  const pair = createSimPair({ seed: 15, server: { maxConcurrentCalls: 2, busyRetryAfterMs: 5 } });
  const outcomes: string[] = [];
  for (let id = 1; id <= 40; id++)
    void call(pair, id, { delayMs: 10 }).then((o) => outcomes.push(o));
  await pair.net.clock.run({ done: () => outcomes.length === 40 });
  assert.deepEqual(new Set(outcomes), new Set(["ok"]));
  assert.ok(pair.client.stats().busyAnswers > 0, "the server pushed back");
  assert.ok(pair.server.stats().busySent > 0);
  assertInvariants(pair);
});

test("seed 16: corrupt datagrams are dropped and counted; calls still succeed", async () => {
  const pair = createSimPair({ seed: 16, link: { corrupt: 0.05 } });
  const outcomes: string[] = [];
  void (async () => {
    for (let id = 1; id <= 500; id++) outcomes.push(await call(pair, id));
  })();
  await pair.net.clock.run({ done: () => outcomes.length === 500 });
  assert.deepEqual(new Set(outcomes), new Set(["ok"]));
  const dropped = pair.client.stats().corruptDropped + pair.server.stats().corruptDropped;
  assert.equal(dropped, pair.net.counters.corrupted, "every corrupted datagram was caught");
  assert.ok(dropped > 20, `${dropped} dropped`);
  assertInvariants(pair);
});

test("seed 17: 4 MiB argument and 4 MiB reply cross a lossy, reordering link intact", async () => {
  const pair = createSimPair({
    seed: 17,
    link: { loss: 0.02, reorder: 0.05, jitterMs: 0.5, bandwidthBytesPerMs: 50_000 },
  });
  const payload = replyPayload(99, 4 * 1024 * 1024);
  const outcome = await callToEnd(pair, 1, {
    payload,
    replyBytes: 4 * 1024 * 1024,
    timeoutMs: 60_000,
  });
  assert.equal(outcome, "ok");
  assertInvariants(pair);
  const c = pair.client.stats();
  const s = pair.server.stats();
  assert.ok(c.retransmissions > 0 && c.cwndBytes > 0);
  assert.equal(c.reassemblyBytes, 0, "reply reassembly released");
  assert.equal(s.reassemblyBytes, 0, "request reassembly released");
});

test("seed 18: timeouts say where the time went", async () => {
  const pair = createSimPair({ seed: 18 });
  const errors: RpcError[] = [];
  const req = (id: number, delayMs: number) =>
    pair.client
      .call(ledgerRequest({ id, delayMs, replyBytes: 0, payload: new Uint8Array() }, 300))
      .catch((e: RpcError) => errors.push(e));
  void req(1, 10_000); // executes past its deadline
  await pair.net.clock.run({ done: () => errors.length === 1 });
  assert.equal(errors[0]!.code, "timeout");
  assert.match(errors[0]!.message, /executed it/);
  assert.equal(errors[0]!.details.phase, "executing");
  pair.net.partition("10.0.1.1", "10.0.0.1");
  void req(2, 0); // never reaches the server
  await pair.net.clock.run({ done: () => errors.length === 2 });
  assert.equal(errors[1]!.code, "timeout");
  assert.match(errors[1]!.message, /waiting for the server to acknowledge/);
  assert.ok((errors[1]!.details.transmissions ?? 0) > 1);
});

test("seed 19: an aborted call settles canceled once; a closed client fails with closed", async () => {
  const pair = createSimPair({ seed: 19 });
  const ac = new AbortController();
  const request = ledgerRequest(
    { id: 1, delayMs: 1000, replyBytes: 0, payload: new Uint8Array() },
    5000,
  );
  const p = pair.client.call({ ...request, signal: ac.signal });
  pair.net.clock.setTimeout(() => ac.abort(), 20);
  let code = "";
  void p.catch((e: RpcError) => {
    code = e.code;
  });
  await pair.net.clock.run({ done: () => code !== "" });
  assert.equal(code, "canceled");
  await pair.client.close();
  await assert.rejects(
    pair.client.call(request),
    (e: unknown) => isRpcError(e) && e.code === "closed",
  );
});

test("seed 20: a 4 MiB argument over a lossy 20 ms path: a FragmentAck per 5+ fragments, at speed", async () => {
  // docs/protocol.md §5: the sender asks for an ack every cwnd/8 datagrams (at most every
  // 32nd), the receiver acks gaps and fills at once. Before: an ack every second fragment.
  const pair = createSimPair({
    seed: 20,
    link: { loss: 0.02, latencyMs: 10, bandwidthBytesPerMs: 20_000, queueMs: 100 },
  });
  const payload = replyPayload(20, 4 * 1024 * 1024);
  const t0 = pair.net.clock.now();
  const outcome = await callToEnd(pair, 1, { payload, replyBytes: 8, timeoutMs: 60_000 });
  assert.equal(outcome, "ok");
  assertInvariants(pair);
  const sent = pair.client.stats().datagramsSent;
  const acks = pair.server.stats().datagramsSent;
  const seconds = (pair.net.clock.now() - t0) / 1000;
  // Measured: 2,988 datagrams sent, 484 back (before: 1,504), in 0.36 s of virtual time either way.
  assert.ok(sent > 2900, `${sent} datagrams sent`);
  assert.ok(acks * 5 < sent, `${acks} datagrams back for ${sent} sent`);
  assert.ok(seconds < 0.45, `${seconds} s`);
});

test("seed 21: a reply that no call follows is acked on its own, ackDelayMs (5 ms) after it arrived", async () => {
  const pair = createSimPair({ seed: 21 });
  assert.equal(await callToEnd(pair, 1), "ok");
  const repliedAt = pair.net.clock.now();
  const sent = pair.net.counters.sent;
  await pair.net.clock.run({ done: () => pair.net.counters.sent > sent, untilMs: repliedAt + 100 });
  assert.equal(pair.net.counters.sent, sent + 1, "one datagram, the Ack");
  assert.equal(pair.net.clock.now() - repliedAt, 5);
  assertInvariants(pair);
});

test("seed 22: a 24 MiB argument over a lossy 20 ms path with ~50 gaps open: no retransmission sent twice for nothing", async () => {
  // docs/protocol.md §1.1 (FragmentAck ranges). A window of ~1,000 fragments at 2% loss keeps more
  // gaps open than a FragmentAck's 32 ranges. Before: a retransmission that landed below the 32
  // highest ranges went unreported, so its sender declared it lost and sent it again (measured
  // here: 6,782 retransmissions for 646 datagrams lost; now 387 for 424, acks among them).
  const pair = createSimPair({
    seed: 22,
    link: { loss: 0.02, latencyMs: 10, bandwidthBytesPerMs: 70_000, queueMs: 100 },
  });
  const payload = replyPayload(22, 24 * 1024 * 1024);
  const outcome = await callToEnd(pair, 1, { payload, replyBytes: 8, timeoutMs: 120_000 });
  assert.equal(outcome, "ok");
  assertInvariants(pair);
  const retransmissions = pair.client.stats().retransmissions;
  const lost = pair.net.counters.lost;
  assert.ok(retransmissions <= 1.1 * lost, `${retransmissions} retransmissions, ${lost} lost`);
});
