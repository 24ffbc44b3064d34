/**
 * RPC-with-TLS (RFC 9289) beside ONC RPC over plain TCP, in one run: small calls/s with 1 and
 * 32 in flight, and MB/s echoing 1 MiB opaques. Client and server share this process (both
 * transports alike), so the ratio is what to read. Rounds are interleaved across the two systems
 * so load from other processes falls on both. Needs the `openssl` command (test certificates);
 * without it the rows say so.
 */
import { createClient, createServer, defineProgram, xdr } from "../src/index.js";
import { opensslMissing, tlsMaterial } from "../test/helpers/tls-certs.js";
import type { BenchOptions, BenchRow } from "./harness.js";
import { summarize } from "./harness.js";

const P = defineProgram({
  name: "BENCH_TLS",
  program: 0x20007272,
  version: 1,
  procedures: { echo: { procedure: 1, name: "ECHO", args: [xdr.opaque()], result: xdr.opaque() } },
});

type Echo = (b: Uint8Array) => Promise<Uint8Array>;

/** Calls completed per second with `depth` calls kept in flight for `ms`. */
async function callsPerSecond(echo: Echo, depth: number, ms: number, arg: Uint8Array) {
  let done = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (performance.now() < end) {
        await echo(arg);
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - start);
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const missing = opensslMissing();
  if (missing !== undefined) {
    return [
      {
        group: "oncrpc tls",
        system: "skipped",
        value: 0,
        unit: "-",
        better: "higher",
        note: missing,
      },
    ];
  }
  const m = tlsMaterial()!;
  const server = createServer({ tls: m.server, closeGraceMs: 0 });
  server.register(P, { echo: (b) => b });
  const [plain, secure] = await server.listen("tcp://127.0.0.1:0", "tcp+tls://127.0.0.1:0");
  const systems = {
    tcp: createClient(P, `tcp://127.0.0.1:${plain!.port}`),
    "tcp+tls": createClient(P, `tcp+tls://127.0.0.1:${secure!.port}`, { tls: { ca: m.ca } }),
  };
  const rounds = options.quick ? 1 : 5;
  const ms = options.quick ? 100 : 1000;
  const small = new Uint8Array(32);
  const big = new Uint8Array(1024 * 1024);
  const samples = new Map<string, number[]>();
  const add = (key: string, v: number) => samples.set(key, [...(samples.get(key) ?? []), v]);
  for (const c of Object.values(systems)) await c.echo(small); // connect and handshake first
  for (let r = 0; r < rounds; r++) {
    for (const [name, c] of Object.entries(systems)) {
      add(`1|${name}`, await callsPerSecond(c.echo, 1, ms, small));
      add(`32|${name}`, await callsPerSecond(c.echo, 32, ms, small));
      // MB/s: the 1 MiB argument goes and comes back
      add(`mb|${name}`, ((await callsPerSecond(c.echo, 4, ms, big)) * 2 * big.length) / 1e6);
    }
  }
  for (const c of Object.values(systems)) await c.$close();
  await server.close(0);
  const rows: BenchRow[] = [];
  for (const [key, values] of samples) {
    const [kind, system] = key.split("|") as [string, string];
    const s = summarize(values);
    const group =
      kind === "mb"
        ? "oncrpc tls: echo 1 MiB opaques, 4 in flight (MB/s both ways)"
        : `oncrpc tls: 32-byte echo, ${kind} in flight`;
    rows.push({
      group,
      system,
      ...s,
      unit: kind === "mb" ? "MB/s" : "calls/s",
      better: "higher",
      baseline: system === "tcp",
      note: `${rounds} × ${ms} ms, one process`,
    });
  }
  return rows;
}
