/**
 * ONC RPC interoperability at speed: every pairing of a Lupine and an rpcgen + libtirpc C client
 * with a Lupine and a C server, over UDP and over TCP, calling ECHO_BYTES (32 bytes) one call at a
 * time (the C stubs are synchronous). The same processes and windows as the cross-system
 * comparison (`compare.bench.ts`, which has the calls/s of each stack against its own kind at
 * every depth); this module adds the mixed pairs, so a slow side shows up on its own. Ratios to
 * the C client against the C server.
 */
import { buildCPeers } from "./compare/c-peers.js";
import { Fleet } from "./compare/fleet.js";
import { measureCalls } from "./compare/parts.js";
import { CLIENT_CORE, hasTaskset, SERVER_CORE } from "./compare/procs.js";
import { Samples } from "./compare/samples.js";
import { type SystemSpec, sizing } from "./compare/systems.js";
import type { BenchOptions, BenchRow } from "./harness.js";

function pair(
  name: string,
  server: SystemSpec["server"],
  client: SystemSpec["client"],
): SystemSpec {
  const missing = { missing: "not measured here" };
  return { name, server, client, depths: [1], bulk: missing, lossy: missing, tags: [] };
}

/** Client → server pairs; the C → C pair is the reference. */
const PAIRS: readonly SystemSpec[] = (["udp", "tcp"] as const).flatMap((p) => {
  const onc = `onc-${p}` as const;
  const c = `c-${p}` as const;
  return [
    pair(`rpcgen C → rpcgen C, ${p}`, "c", c),
    pair(`rpcgen C → lupine, ${p}`, onc, c),
    pair(`lupine → rpcgen C, ${p}`, "c", onc),
    pair(`lupine → lupine, ${p}`, onc, onc),
  ];
});

/** Runs the interop pairs. */
export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const size = sizing(options.quick);
  const fleet = new Fleet({
    host: "127.0.0.1",
    bindHost: "127.0.0.1",
    server: { core: SERVER_CORE },
    client: { core: CLIENT_CORE },
    c: buildCPeers(),
    serverCpu: true,
    warmCalls: size.warmCalls,
  });
  const samples = new Samples();
  try {
    await fleet.start(PAIRS);
    for (const p of ["udp", "tcp"]) {
      const setting = {
        prefix: `oncrpc interop (${p})`,
        figure: "interop-",
        baseline: `rpcgen C → rpcgen C, ${p}`,
        rounds: size.rounds,
        windowMs: size.windowMs,
        warmMs: size.warmMs,
        depths: [1],
        cpu: false,
      };
      await measureCalls(
        fleet,
        PAIRS.filter((s) => s.name.endsWith(p)),
        setting,
        samples,
      );
    }
  } finally {
    fleet.stop();
  }
  return samples.rows(hasTaskset ? "servers on core 0, clients on core 1" : "unpinned");
}
