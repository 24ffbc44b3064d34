/**
 * The secure Lupine transport beside the plain one, in one run (part `secure` of
 * bench/lupine.bench.ts): small-call calls/s with 1, 32 and 128 calls in flight, and MB/s of one
 * large argument, each server in its own process (echo-servers.ts kinds `lupine` and
 * `lupine-secure`), rounds interleaved so load from other processes falls on both alike.
 */
import type { ChildProcess } from "node:child_process";
import { createTransport } from "../src/connect.js";
import { nodeRandom } from "../src/io/node/random.js";
import { defineProgram } from "../src/runtime/program.js";
import type { CallRequest, ClientTransport } from "../src/runtime/transport.js";
import { encodeKey } from "../src/secure/key-text.js";
import { x25519 } from "../src/secure/node-crypto.js";
import type { XdrReader, XdrWriter } from "../src/xdr/index.js";
import type { BenchOptions, BenchRow } from "./harness.js";
import { summarize } from "./harness.js";
import { BENCH_ECHO, BENCH_PROGRAM, BENCH_SINK } from "./servers/echo-servers.js";

interface Server {
  port: number;
  pid: number;
  child: ChildProcess;
}

/** How lupine.bench.ts starts and stops a server process. */
export interface ServerControl {
  start(kind: string, mtu?: number, env?: Record<string, string>): Promise<Server>;
  stop(s: Server): void;
}

const P = defineProgram({ name: "BENCH", program: BENCH_PROGRAM, version: 1, procedures: {} });

function request(procedure: number, payload: Uint8Array, readResult: (r: XdrReader) => unknown) {
  return {
    program: BENCH_PROGRAM,
    version: 1,
    procedure,
    procedureName: procedure === BENCH_ECHO ? "ECHO" : "SINK",
    timeoutMs: 60_000,
    writeArgs: (w: XdrWriter) => w.writeVarOpaque(payload),
    readResult,
  } satisfies CallRequest<unknown>;
}

async function callsPerSecond(t: ClientTransport, inflight: number, ms: number): Promise<number> {
  const req = request(BENCH_ECHO, new Uint8Array(16), (r) => r.readVarOpaque());
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (performance.now() - t0 < ms) {
        await t.call(req);
        n++;
      }
    }),
  );
  return (n * 1000) / (performance.now() - t0);
}

async function bulkMBs(t: ClientTransport, data: Uint8Array): Promise<number> {
  const req = request(BENCH_SINK, data, (r) => [r.readUint(), r.readUint()]);
  const t0 = performance.now();
  await t.call(req);
  return data.length / 1e6 / ((performance.now() - t0) / 1000);
}

/** Appends the rows of the `secure` part. */
export async function measureSecure(
  options: BenchOptions,
  rows: BenchRow[],
  servers: ServerControl,
): Promise<void> {
  const q = options.quick;
  const windowMs = q ? 200 : 1500;
  const rounds = q ? 1 : 5;
  const bytes = q ? 8 << 20 : 64 << 20;
  const serverKeys = x25519.generateKeyPair(nodeRandom);
  const plain = await servers.start("lupine");
  const secure = await servers.start("lupine-secure", 1472, {
    LUPINE_BENCH_KEY: encodeKey(serverKeys.privateKey),
  });
  const key = encodeURIComponent(encodeKey(serverKeys.publicKey));
  const systems: [string, ClientTransport][] = [
    [
      "lupine",
      createTransport(P, `lupine://127.0.0.1:${plain.port}`, {
        lupine: { maxCallsInFlight: 1024 },
      }),
    ],
    [
      "lupine secure",
      createTransport(P, `lupine://127.0.0.1:${secure.port}?key=${key}`, {
        lupine: { maxCallsInFlight: 1024 },
      }),
    ],
  ];
  const samples = new Map<string, number[]>();
  const add = (k: string, v: number) => samples.set(k, [...(samples.get(k) ?? []), v]);
  const data = new Uint8Array(bytes);
  try {
    for (const [, t] of systems) await callsPerSecond(t, 8, 200); // handshake, warm-up
    for (let r = 0; r < rounds; r++) {
      for (const [name, t] of systems) {
        for (const k of [1, 32, 128]) add(`${k}|${name}`, await callsPerSecond(t, k, windowMs));
        add(`bulk|${name}`, await bulkMBs(t, data));
      }
    }
  } finally {
    for (const [, t] of systems) await t.close();
    servers.stop(plain);
    servers.stop(secure);
  }
  for (const [k, values] of samples) {
    const [what, system] = k.split("|") as [string, string];
    const s = summarize(values);
    const bulk = what === "bulk";
    rows.push({
      group: bulk
        ? `secure vs plain: one ${bytes >> 20} MiB argument`
        : `secure vs plain: small calls, ${what} in flight`,
      system,
      value: s.value,
      min: s.min,
      max: s.max,
      unit: bulk ? "MB/s" : "calls/s",
      better: "higher",
      ...(system === "lupine" ? { baseline: true } : {}),
      note: `${rounds} rounds, interleaved`,
    });
  }
}
