/**
 * The live demo (`npm start`): the chapter's ideas running on this machine, with no set-up.
 *
 * 1. `lupine gen` compiles the textbook's calculator interface (examples/calc/calc.x).
 * 2. A Lupine server and client of that calculator talk through a simulated link that loses,
 *    duplicates, reorders and corrupts datagrams (`lupine/testing`: the real transport code on a
 *    virtual clock, one seeded PRNG): a few calls traced datagram by datagram, then many at once,
 *    and the at-most-once check (handler executions = calls); then the server crashes mid-call
 *    and restarts, and the caller is told `outcome_unknown` rather than the call being re-run.
 * 3. A checked file transfer over the same link, with damage injected where no network checksum
 *    can see it, detected and repaired by the end-to-end check.
 *
 *   node dist/examples/demo/main.js [--seed N] [--calls N] [--quick]
 *
 * Exit code 0 when every check held. Ends by itself, in seconds.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FilesProgV1 } from "../../src/files/gen/files.js";
import { createFileService } from "../../src/files/service.js";
import type { SinkFaults } from "../../src/files/sink.js";
import { nodeFileSystem, nodeSha256 } from "../../src/io/node/file-system.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { createRpcServer } from "../../src/runtime/server.js";
import { CalcV1 } from "../calc/gen/calc.js";
import { calcHandlers } from "../calc/handlers.js";
import { callsStep } from "./calls-step.js";
import { crashStep } from "./crash-step.js";
import { genStep } from "./gen-step.js";
import { transferStep } from "./transfer-step.js";
import { createWorld } from "./world.js";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "7" },
    calls: { type: "string" },
    quick: { type: "boolean", default: false },
  },
});
const seed = Number(values.seed);
const calls = Number(values.calls ?? (values.quick ? 200 : 2000));
const fileBytes = values.quick ? 256 << 10 : 2 << 20;
const LINK = { latencyMs: 5, jitterMs: 2, loss: 0.15, duplicate: 0.1, reorder: 0.1, corrupt: 0.02 };

const realStart = performance.now();
const checks: [string, boolean][] = [];
const heading = (n: number, text: string) => console.log(`\n━━ ${n}. ${text}\n`);
const print = (lines: readonly string[]) => {
  for (const l of lines) console.log(l);
};

console.log(
  "Lupine: the distributed-systems chapter, running (every number below was measured now)",
);

heading(1, "lupine gen compiles the textbook's interface");
const gen = genStep(repoRoot);
print(gen.lines);
checks.push(["lupine gen output equals the module the demo runs", gen.identical]);

heading(
  2,
  `Calls through a bad link: ${LINK.loss * 100}% lost, ${LINK.duplicate * 100}% duplicated, ${LINK.reorder * 100}% reordered, ${LINK.corrupt * 100}% bit-flipped, ${LINK.latencyMs} ms each way (simulated; seed ${seed})`,
);
const top = realpathSync(mkdtempSync(join(tmpdir(), "lupine-demo-")));
const served = join(top, "served");
const local = join(top, "local");
mkdirSync(served);
mkdirSync(local);
writeFileSync(join(local, "demo.bin"), randomBytes(fileBytes));
try {
  const world = createWorld({ seed, link: LINK, fs: nodeFileSystem });
  let executions = 0;
  let crashHook: (() => void) | undefined;
  const serverFaults: { hook: SinkFaults["afterWrite"] | undefined } = { hook: undefined };
  const serverLog: string[] = [];
  const files = createFileService({
    fs: world.io.fs,
    hash: nodeSha256,
    random: world.pair.net.random,
    clock: world.pair.net.clock,
    root: served,
    log: (l) => serverLog.push(l),
    sinkFaults: { afterWrite: async (w) => serverFaults.hook?.(w) },
  });
  const server = createRpcServer({ logger: silentLogger });
  server.register(
    CalcV1,
    calcHandlers(() => {
      executions++;
      const crash = crashHook;
      crashHook = undefined;
      crash?.();
    }),
  );
  server.register(FilesProgV1, files.handlers);
  world.serve(server.dispatcher);

  const step2 = await callsStep(world, {
    traced: 4,
    calls,
    inFlight: 32,
    executions: () => executions,
  });
  print(step2.lines);
  checks.push(["every call answered correctly", step2.correct === step2.calls]);
  checks.push(["handler executions = calls (at most once)", step2.executions === step2.calls]);
  const crash = await crashStep(world, {
    armCrash: (fn) => {
      crashHook = fn;
    },
    executions: () => executions,
  });
  print(crash.lines);
  checks.push([
    "a call cut by a server crash ends outcome_unknown, ran once, never re-run",
    crash.honest,
  ]);

  heading(3, "A checked file transfer over the same link");
  const step3 = await transferStep(world, {
    local,
    served,
    serverFaults,
    serverLog,
    memoryChunk: 1,
    diskChunk: 2,
  });
  print(step3.lines);
  checks.push(["the file transfer ended verified", step3.verified]);
  checks.push(["both injected faults were detected and repaired", step3.faultsDetected]);
  checks.push(["the copy equals the original", step3.identical]);
  await files.close();
  await world.pair.client.close();
  await world.pair.server.close(0);
} finally {
  rmSync(top, { recursive: true, force: true });
}

heading(4, "Checks");
for (const [what, ok] of checks) console.log(`  ${ok ? "✔" : "✘"} ${what}`);
const failed = checks.filter(([, ok]) => !ok).length;
console.log(
  `\n${checks.length - failed} passed, ${failed} failed — in ${((performance.now() - realStart) / 1000).toFixed(1)} s of real time`,
);
process.exitCode = failed === 0 ? 0 : 1;
