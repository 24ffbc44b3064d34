/**
 * Part of step 2 of the demo: the server crashes in the middle of a call — after the handler ran,
 * before the reply left — and comes back as a new incarnation (a new epoch, docs/protocol.md §2).
 * The caller is told the truth, `outcome_unknown`, and the call is never sent again: a silent
 * retry could run it twice. New calls work at once on a new session.
 */
import { createRpcClient } from "../../src/runtime/client.js";
import { isRpcError } from "../../src/runtime/errors.js";
import { CalcV1 } from "../calc/gen/calc.js";
import type { World } from "./world.js";

/** What the scene found. */
export interface CrashStep {
  readonly lines: string[];
  /** Calls made in the scene. */
  readonly calls: number;
  /** The crashed call ended `outcome_unknown` and the next one succeeded. */
  readonly honest: boolean;
}

/**
 * Runs the scene. `armCrash(fn)` makes the calculator's next handler execution call `fn` (which
 * crashes the server) right after computing its result.
 */
export async function crashStep(
  world: World,
  o: { readonly armCrash: (fn: () => void) => void; readonly executions: () => number },
): Promise<CrashStep> {
  const net = world.pair.net;
  const lines: string[] = [
    "",
    "The server crashes in the middle of a call, and restarts 100 ms later:",
  ];
  const calc = createRpcClient(CalcV1, world.pair.client, {
    ownsTransport: false,
    timeoutMs: 60_000,
  });
  const before = o.executions();
  const epoch0 = world.pair.server.stats().epoch;
  o.armCrash(() => {
    world.pair.crashServer();
    lines.push(
      `  ${net.clock.now().toFixed(1).padStart(7)} ms  func2(3, 4) ran on the server, which then crashed before its reply left`,
    );
    net.clock.setTimeout(() => {
      world.pair.restartServer();
      lines.push(
        `  ${net.clock.now().toFixed(1).padStart(7)} ms  the server is back: a new incarnation, epoch ${hex(world.pair.server.stats().epoch)} (was ${hex(epoch0)})`,
      );
    }, 100);
  });
  let outcome: string | undefined;
  calc.func2(3, 4).then(
    (v) => {
      outcome = `= ${v}`;
    },
    (e: unknown) => {
      outcome = isRpcError(e) ? e.message : String(e);
    },
  );
  await world.run(() => outcome !== undefined);
  lines.push(`  ${net.clock.now().toFixed(1).padStart(7)} ms  the caller is told: ${outcome}`);
  const ranOnce = o.executions() - before === 1;
  lines.push(
    `             the handler ran ${o.executions() - before} time(s); the call was not sent again (a silent retry could run it twice)`,
  );
  let next: number | undefined;
  calc.func1(5).then((v) => {
    next = v;
  });
  const t0 = net.clock.now();
  await world.run(() => next !== undefined);
  lines.push(
    `  ${net.clock.now().toFixed(1).padStart(7)} ms  a new call, func1(5) = ${next}, ${(net.clock.now() - t0).toFixed(1)} ms later on a new session`,
  );
  return {
    lines,
    calls: 2,
    honest: outcome?.startsWith("[outcome_unknown]") === true && ranOnce && next === 10,
  };
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}
