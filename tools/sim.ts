/**
 * `npm run sim -- --seed S [--mix NAME] [--calls N] [--clients N] [--concurrency N]`: replays one
 * simulated run (the same one a failing test names) and prints its outcomes and violations.
 * Without `--mix`, runs every fault mix with that seed.
 */
import { FAULT_MIXES, runScenario } from "../src/testing/scenario.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seed = Number(arg("seed") ?? "1");
const mixName = arg("mix");
const mixes = mixName === undefined ? FAULT_MIXES : FAULT_MIXES.filter((m) => m.name === mixName);
if (mixes.length === 0) {
  console.error(`unknown mix ${mixName}; known: ${FAULT_MIXES.map((m) => m.name).join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const mix of mixes) {
  const t0 = performance.now();
  const res = await runScenario({
    seed,
    mix,
    ...(arg("calls") === undefined ? {} : { calls: Number(arg("calls")) }),
    ...(arg("clients") === undefined ? {} : { clients: Number(arg("clients")) }),
    ...(arg("concurrency") === undefined ? {} : { concurrency: Number(arg("concurrency")) }),
  });
  const realMs = performance.now() - t0;
  console.log(
    `seed ${seed} mix ${mix.name}: ${res.calls} calls in ${res.virtualMs.toFixed(0)} virtual ms ` +
      `(${realMs.toFixed(0)} real ms); outcomes ${JSON.stringify(res.outcomes)}; ` +
      `${res.datagramsPerCall.toFixed(2)} datagrams/call; ${res.retransmissions} retransmissions; ` +
      `${res.corruptDropped} corrupt dropped; network ${JSON.stringify(res.network)}`,
  );
  for (const v of res.violations) console.log(`  VIOLATION: ${v}`);
  if (res.violations.length > 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
