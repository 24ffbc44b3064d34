/**
 * Step 2 of the demo: calls to the calculator through the bad link. First a few calls one at a
 * time with every datagram traced (what it carried, what the link did to it); then many calls,
 * many at a time, summed up: what the link did, what the transport did about it, and the
 * at-most-once check — the handlers ran exactly as many times as calls were made.
 */
import { createRpcClient } from "../../src/runtime/client.js";
import { isRpcError } from "../../src/runtime/errors.js";
import { CalcV1 } from "../calc/gen/calc.js";
import { func1, func2 } from "../calc/handlers.js";
import { describeDatagram } from "./describe.js";
import type { Fate, World } from "./world.js";

const FATE_TEXT: Record<Fate, string> = {
  delivered: "delivered",
  lost: "LOST",
  duplicated: "delivered twice (duplicated)",
  reordered: "delivered late (reordered)",
  corrupted: "one bit flipped on the way (dropped by the CRC-32 check)",
};

/** What the step found. */
export interface CallsStep {
  readonly lines: string[];
  readonly calls: number;
  readonly correct: number;
  readonly executions: number;
}

/** A call of the calculator and the answer it must get. */
type Job = { readonly text: string; readonly run: () => Promise<number>; readonly want: number };

function job(calc: ReturnType<typeof createRpcClient<typeof CalcV1>>, i: number): Job {
  const a = (i * 7919) % 100_000;
  const b = (i * 104_729) % 100_000;
  return i % 2 === 0
    ? { text: `func1(${a})`, run: () => calc.func1(a), want: func1(a) }
    : { text: `func2(${a}, ${b})`, run: () => calc.func2(a, b), want: func2(a, b) };
}

/** Runs the step; `executions()` counts the calculator handler's runs so far. */
export async function callsStep(
  world: World,
  o: {
    readonly traced: number;
    readonly calls: number;
    readonly inFlight: number;
    readonly executions: () => number;
  },
): Promise<CallsStep> {
  const lines: string[] = [];
  const net = world.pair.net;
  const calc = createRpcClient(CalcV1, world.pair.client, {
    ownsTransport: false,
    timeoutMs: 60_000,
  });
  let correct = 0;
  let calls = 0;

  // One at a time, every datagram shown.
  lines.push("A few calls, one at a time, every datagram shown (times are virtual):");
  const seenCalls = new Set<number>();
  const seenReplies = new Set<number>();
  world.tap = (s) => {
    const d = describeDatagram(s.bytes);
    const again = d.calls.some((seq) => seenCalls.has(seq))
      ? " (again)"
      : d.replies.some((seq) => seenReplies.has(seq))
        ? " (again, from the reply cache)"
        : "";
    for (const seq of d.calls) seenCalls.add(seq);
    for (const seq of d.replies) seenReplies.add(seq);
    const dir = s.fromServer ? "server → client" : "client → server";
    lines.push(
      `  ${s.atMs.toFixed(1).padStart(7)} ms  ${dir}  ${`${d.text}${again}`.padEnd(52)} ${s.fates.map((f) => FATE_TEXT[f]).join(", ")}`,
    );
  };
  for (let i = 0; i < o.traced; i++) {
    const j = job(calc, i + 1);
    const startMs = net.clock.now();
    let answer: number | string | undefined;
    j.run().then(
      (v) => {
        answer = v;
      },
      (e: unknown) => {
        answer = isRpcError(e) ? e.message : String(e);
      },
    );
    await world.run(() => answer !== undefined);
    calls++;
    if (answer === j.want) correct++;
    lines.push(
      `  → ${j.text} = ${answer} after ${(net.clock.now() - startMs).toFixed(1)} ms${answer === j.want ? "" : ` (WRONG: expected ${j.want})`}`,
    );
  }
  // Let the last acknowledgements go out before counting.
  await world.run(() => false, 50);
  world.tap = null;

  // Many at a time, summed up.
  const before = { ...net.counters };
  const c0 = world.pair.client.stats();
  const s0 = world.pair.server.stats();
  const startMs = net.clock.now();
  const realStart = performance.now();
  let next = 0;
  let settled = 0;
  let failures = 0;
  const launch = (): void => {
    if (next >= o.calls) return;
    const j = job(calc, 1000 + next++);
    calls++;
    j.run().then(
      (v) => {
        if (v === j.want) correct++;
        settled++;
        launch();
      },
      () => {
        failures++;
        settled++;
        launch();
      },
    );
  };
  for (let k = 0; k < o.inFlight; k++) launch();
  await world.run(() => settled === o.calls);
  const n = net.counters;
  const c = world.pair.client.stats();
  const s = world.pair.server.stats();
  const delta = (k: keyof typeof n) => n[k] - before[k];
  const row = (label: string, value: string | number, note = "") =>
    lines.push(`  ${label.padEnd(44)} ${String(value).padStart(8)}  ${note}`.trimEnd());
  lines.push("", `${o.calls} more calls, ${o.inFlight} in flight at a time:`);
  row("calls settled", settled, `${failures} failed`);
  row("datagrams sent (both ways)", delta("sent"));
  row("  lost by the link", delta("lost") + delta("queueDropped"));
  row("  duplicated by the link", delta("duplicated"));
  row("  reordered by the link", delta("reordered"));
  row(
    "  bit-flipped by the link",
    delta("corrupted"),
    "dropped by the CRC-32 check, then as if lost",
  );
  row(
    "retransmissions",
    c.retransmissions - c0.retransmissions + (s.retransmissions - s0.retransmissions),
    `client ${c.retransmissions - c0.retransmissions}, server ${s.retransmissions - s0.retransmissions}`,
  );
  row(
    "duplicates suppressed",
    c.duplicatesDropped - c0.duplicatesDropped + (s.duplicatesDropped - s0.duplicatesDropped),
    `client ${c.duplicatesDropped - c0.duplicatesDropped}, server ${s.duplicatesDropped - s0.duplicatesDropped} (recognised by sequence number)`,
  );
  row(
    "corrupt datagrams dropped",
    c.corruptDropped - c0.corruptDropped + (s.corruptDropped - s0.corruptDropped),
  );
  row(
    "smoothed RTT / RTT variation / RTO",
    `${c.srttMs.toFixed(1)} ms`,
    `/ ${c.rttvarMs.toFixed(1)} ms / ${c.rtoMs.toFixed(1)} ms (RFC 6298; the link adds 2 × 5 ms ± jitter)`,
  );
  row(
    "virtual time",
    `${(net.clock.now() - startMs).toFixed(0)} ms`,
    `(${(performance.now() - realStart).toFixed(0)} ms of real time)`,
  );
  lines.push(
    "",
    `calls made: ${calls}; answered correctly: ${correct}; handler executions: ${o.executions()}`,
    o.executions() === calls && correct === calls
      ? "at most once: every call ran exactly once, although requests and replies were lost, duplicated and reordered"
      : "AT-MOST-ONCE VIOLATED or wrong answers: see above",
  );
  return { lines, calls, correct, executions: o.executions() };
}
