/**
 * The overload scenario's protocol half, on the simulated network (`lupine/testing`): the same
 * fixed-capacity server (handlers take `handlerDelayMs`, at most `maxConcurrentCalls` at once)
 * driven first by one client, then by many, with the real client and server code, a virtual
 * clock and one seeded PRNG. No CPU is shared here, so the goodput ratio measures what Busy and
 * the clients' back-off do — and replays exactly from its seed — while the real-process run
 * beside it measures the same on real kernels and a real (shared, 2-core) machine.
 */
import { isRpcError } from "../../src/runtime/errors.js";
import { createSimPair, digest, ledgerRequest, resultKey } from "../../src/testing/index.js";

/** What one simulated overload run measured. */
export interface SimOverloadResult {
  readonly clients: number;
  readonly goodputPerSec: number;
  readonly busyAnswers: number;
  readonly outcomes: Record<string, number>;
  readonly violations: string[];
  readonly maxExecuting: number;
}

/** Options of {@link simOverload}. */
export interface SimOverloadOptions {
  readonly seed: number;
  readonly clients: number;
  readonly inFlightPerClient: number;
  readonly maxConcurrentCalls: number;
  readonly handlerDelayMs: number;
  readonly durationMs: number;
  /** Successes are counted from this time on (the first wave settles first). */
  readonly windowFromMs: number;
}

/** Runs closed-loop clients against one server for `durationMs` of simulated time. */
export async function simOverload(o: SimOverloadOptions): Promise<SimOverloadResult> {
  const pair = createSimPair({
    seed: o.seed,
    server: { maxConcurrentCalls: o.maxConcurrentCalls },
  });
  const clock = pair.net.clock;
  const clients = [pair.client];
  while (clients.length < o.clients) clients.push(pair.addClient());
  const outcomes: Record<string, number> = {};
  let okInWindow = 0;
  let nextId = 1;
  let stop = false;
  let maxExecuting = 0;
  const worker = async (client: (typeof clients)[number]) => {
    while (!stop) {
      const id = nextId++;
      const timeoutMs = 30_000;
      const payload = new Uint8Array([id & 0xff, (id >> 8) & 0xff]);
      pair.ledger.begin(id, clock.now(), timeoutMs);
      let outcome: string;
      try {
        const r = await client.call(
          ledgerRequest({ id, delayMs: o.handlerDelayMs, replyBytes: 8, payload }, timeoutMs),
        );
        outcome = r.payloadDigest === digest(payload) ? "ok" : "wrong";
        pair.ledger.settled(id, clock.now(), outcome, resultKey(r.id, r.payloadDigest, r.reply));
        if (outcome === "ok" && clock.now() >= o.windowFromMs && clock.now() <= o.durationMs) {
          okInWindow++;
        }
      } catch (e) {
        outcome = isRpcError(e) ? e.code : "thrown";
        pair.ledger.settled(id, clock.now(), outcome);
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  const workers: Promise<void>[] = [];
  for (const c of clients) for (let k = 0; k < o.inFlightPerClient; k++) workers.push(worker(c));
  let done = false;
  void Promise.all(workers).then(() => {
    done = true;
  });
  const sample = () => {
    maxExecuting = Math.max(maxExecuting, pair.server.stats().callsExecuting);
    if (!stop) clock.setTimeout(sample, 5);
  };
  sample();
  clock.setTimeout(() => {
    stop = true;
  }, o.durationMs);
  await clock.run({ done: () => done, untilMs: o.durationMs + 120_000 });
  return {
    clients: o.clients,
    goodputPerSec: okInWindow / ((o.durationMs - o.windowFromMs) / 1000),
    busyAnswers: clients.reduce((n, c) => n + c.stats().busyAnswers, 0),
    outcomes,
    violations: pair.ledger.check({ lateBoundMs: 100 }),
    maxExecuting,
  };
}
