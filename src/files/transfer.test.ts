import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RpcError } from "../runtime/errors.js";
import { SimClock } from "../testing/sim-clock.js";
import { withReopens } from "./transfer.js";

const lost = () => new RpcError("outcome_unknown", "the server restarted");
const away = () => new RpcError("unreachable", "nothing listens at the address");

/** Runs `withReopens` on a virtual clock with attempts that fail as `script` says, in turn. */
async function run(script: Array<() => RpcError>, reconnectMs: number) {
  const clock = new SimClock();
  const attemptsAtMs: number[] = [];
  let settled = false;
  const result = withReopens({ clock, reconnectMs }, async (reopened) => {
    attemptsAtMs.push(clock.now());
    const fail = script[attemptsAtMs.length - 1];
    if (fail !== undefined) throw fail();
    return reopened;
  }).then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );
  void result.finally(() => {
    settled = true;
  });
  await clock.run({ done: () => settled });
  return { result: await result, attemptsAtMs };
}

describe("reopening a transfer the server lost", () => {
  test("waits for a restarting server, backing off, then resumes", async () => {
    const { result, attemptsAtMs } = await run([lost, away, away, away], 30_000);
    assert.deepEqual(result, { ok: 1 });
    assert.deepEqual(attemptsAtMs, [0, 0, 100, 300, 700]);
  });

  test("gives up on a server that stays away past reconnectMs, with its error", async () => {
    const script = [lost, ...Array.from({ length: 50 }, () => away)];
    const { result, attemptsAtMs } = await run(script, 5000);
    assert.ok("err" in result && result.err instanceof RpcError);
    assert.equal((result.err as RpcError).code, "unreachable");
    assert.ok(attemptsAtMs.at(-1)! <= 5000, String(attemptsAtMs));
    assert.ok(attemptsAtMs.at(-1)! >= 3000, String(attemptsAtMs));
  });

  test("a server that is not there at the start fails at once (nothing was lost)", async () => {
    const { result, attemptsAtMs } = await run([away], 30_000);
    assert.equal((result as { err: RpcError }).err.code, "unreachable");
    assert.deepEqual(attemptsAtMs, [0]);
  });

  test("reopens at most maxReopens times", async () => {
    const clock = new SimClock();
    let attempts = 0;
    await assert.rejects(
      withReopens({ clock, maxReopens: 2 }, async () => {
        attempts++;
        throw lost();
      }),
      (e: unknown) => e instanceof RpcError && e.code === "outcome_unknown",
    );
    assert.equal(attempts, 3);
  });
});
