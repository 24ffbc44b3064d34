/**
 * `npm run fuzz:capture`: rebuilds the committed seed corpus (`test/fuzz/corpus/`) from real
 * traffic and real files. Needs `../shared` (the C peers and the `.x` corpus), gcc, rpcgen and
 * libtirpc-dev; the fuzzer itself needs none of them.
 *
 * - Runs the C `peer-client` (rpcgen + libtirpc) against a Lupine server, and Lupine's client
 *   checks against the C `peer-server`, over UDP and TCP on 127.0.0.1, through a recording relay
 *   (`relay.ts`): calls, replies, AUTH_SYS credentials, TCP record streams, and the arguments and
 *   results inside them (conformance.x codecs).
 * - Valid encodings of every type of conformance.x, NFSv3 (libnfs nfs.x) and the Stellar files,
 *   drawn from the compiler's model (`model-arbitraries.ts`).
 * - `.x` files for the compiler: the repository's own and a selection of the shared corpus.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { compile } from "../../src/compiler/index.js";
import { createServer } from "../../src/connect.js";
import { RecordDecoder } from "../../src/oncrpc/record-marking.js";
import { readCall } from "../../src/oncrpc/rpc-msg.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { encode, type XdrCodec, XdrReader } from "../../src/xdr/index.js";
import { runChecks, summary } from "../conformance/checks.js";
import { conformanceHandlers } from "../conformance/conformance-server.js";
import * as conformance from "../conformance/gen/conformance.js";
import { arbitraries } from "../helpers/model-arbitraries.js";
import { oncTransport } from "../helpers/onc.js";
import { buildPeer, peerMissing, run, startAndWait } from "../helpers/peer.js";
import { fsHost, repoRoot, sharedDir } from "../support.js";
import { writeCorpus } from "./engine/corpus.js";
import { type Relay, startRelay } from "./relay.js";
import { codecEntries } from "./targets/xdr-check.js";
import { STELLAR_FILES, stellarModules } from "./targets/xdr-generated.js";

const MAX_SEED = 4096;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** The records of a captured stream, each with its raw bytes (fragment headers included). */
function records(stream: Uint8Array): { record: Uint8Array; raw: Uint8Array }[] {
  const out: { record: Uint8Array; raw: Uint8Array }[] = [];
  let start = 0;
  let at = 0;
  const d = new RecordDecoder({ maxRecordSize: 64 << 20 });
  for (; at < stream.length; at++) {
    d.push(stream.subarray(at, at + 1), (r) => {
      out.push({ record: Uint8Array.from(r), raw: stream.subarray(start, at + 1) });
      start = at + 1;
    });
  }
  return out;
}

async function traffic(): Promise<Relay[]> {
  const peer = buildPeer();
  const relays: Relay[] = [];
  // C client → Lupine server.
  const h = conformanceHandlers();
  const server = createServer({ logger: silentLogger, closeGraceMs: 100 });
  server
    .register(conformance.ConformanceProgV1, h.v1)
    .register(conformance.ConformanceProgV2, h.v2);
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  const toLupine = await startRelay({ udp: u!.port, tcp: t!.port });
  relays.push(toLupine);
  for (const [proto, port] of [
    ["udp", toLupine.udpPort],
    ["tcp", toLupine.tcpPort],
  ] as const) {
    const r = await run(join(peer, "peer-client"), ["127.0.0.1", proto, String(port)]);
    console.log(`peer-client over ${proto}: ${r.out.split("\n").filter((l) => /passed/.test(l))}`);
  }
  await toLupine.close();
  await server.close();
  // Lupine client → C server.
  const { child, line } = await startAndWait(
    join(peer, "peer-server"),
    ["--port", "0", "--host", "127.0.0.1", "--lifetime", "120"],
    "ready",
  );
  try {
    const ports = /udp (\d+) tcp (\d+)/.exec(line)!;
    const toC = await startRelay({ udp: Number(ports[1]), tcp: Number(ports[2]) });
    relays.push(toC);
    for (const [proto, port] of [
      ["udp", toC.udpPort],
      ["tcp", toC.tcpPort],
    ] as const) {
      const results = await runChecks(() => oncTransport(proto, port), proto === "udp");
      console.log(`Lupine client over ${proto}: ${summary(results)}`);
    }
    await toC.close();
  } finally {
    child.kill("SIGTERM");
  }
  return relays;
}

/** Valid encodings of every type of `files` compiled together, `perType` each, prefixed with the codec index. */
function modelSeeds(files: string[], modules: Record<string, unknown>[], perType: number) {
  const r = compile({ host: fsHost, files });
  const entries = codecEntries(...modules);
  const index = new Map(entries.map(([name], i) => [name, i]));
  const out: Uint8Array[] = [];
  const skipped: string[] = [];
  for (const module of r.modules) {
    const arb = arbitraries(r.modules, module);
    for (const decl of module.types.values()) {
      const i = index.get(`xdr_${decl.name}`);
      if (i === undefined || decl.kind === "external") continue;
      const codec = entries[i]![1];
      let values: unknown[];
      try {
        values = fc.sample(arb(decl, 0), { numRuns: perType, seed: i });
      } catch (e) {
        // The model walker does not resolve every cross-file name of the Stellar dialect.
        skipped.push(`${decl.name}: ${(e as Error).message}`);
        continue;
      }
      for (const v of values) {
        const bytes = encode(codec, v);
        if (bytes.length <= 256) out.push(concat([Uint8Array.of(i >> 8, i & 0xff), bytes]));
      }
    }
  }
  if (skipped.length > 0) console.log(`no values for ${skipped.length} types: ${skipped[0]} …`);
  return out;
}

function compilerSeeds(shared: string): Uint8Array[] {
  const mine = [
    ...readdirSync(join(repoRoot, "test/golden"))
      .filter((f) => f.endsWith(".x"))
      .map((f) => join(repoRoot, "test/golden", f)),
    join(repoRoot, "bench/nfs3.x"),
    join(repoRoot, "src/rpcbind/rpcbind.x"),
    join(shared, "oncrpc-peer/conformance.x"),
  ];
  const corpus: string[] = [];
  const root = join(shared, "corpus/x");
  for (const project of readdirSync(root)) {
    const dir = join(root, project);
    if (!statSync(dir).isDirectory()) continue;
    // The smallest two files of each project: variety without bulk.
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".x"))
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).size <= 6000)
      .sort((a, b) => statSync(a).size - statSync(b).size);
    corpus.push(...files.slice(0, 2));
  }
  return [...mine, ...corpus].map((f) => new Uint8Array(readFileSync(f)));
}

async function main(): Promise<number> {
  const shared = sharedDir();
  const missing = shared === null ? "../shared is absent" : peerMissing();
  if (missing !== undefined || shared === null) {
    console.error(`cannot capture: ${missing}`);
    return 1;
  }
  const relays = await traffic();
  const calls: Uint8Array[] = [];
  const replies: Uint8Array[] = [];
  const streams: Uint8Array[] = [];
  for (const relay of relays) {
    for (const d of relay.datagrams) (d.toServer ? calls : replies).push(d.data);
    for (const s of relay.streams) {
      for (const [parts, into] of [
        [s.toServer, calls],
        [s.toClient, replies],
      ] as const) {
        const recs = records(concat(parts));
        for (const r of recs) into.push(r.record);
        // Streams of consecutive raw records (≤ 3 KB, or one big record's first 6 KB).
        let group: Uint8Array[] = [];
        let size = 0;
        for (const r of recs) {
          if (size + r.raw.length > 3000 && group.length > 0) {
            streams.push(concat([Uint8Array.of(streams.length & 0xff, 4), ...group]));
            group = [];
            size = 0;
          }
          if (r.raw.length > 3000)
            streams.push(concat([Uint8Array.of(7, 5), r.raw.subarray(0, 6000)]));
          else {
            group.push(r.raw);
            size += r.raw.length;
          }
        }
        if (group.length > 0) streams.push(concat([Uint8Array.of(1, 5), ...group]));
      }
    }
  }
  const small = (xs: Uint8Array[]) => xs.filter((x) => x.length <= MAX_SEED);
  const source = "recorded on 127.0.0.1 by test/fuzz/capture.ts (npm run fuzz:capture):";
  const pair = "C peer-client -> Lupine server, Lupine client -> C peer-server, UDP and TCP";

  // Arguments and results of conformance.x calls, by codec.
  const entries = codecEntries(conformance);
  const indexOf = new Map<XdrCodec<unknown>, number>(entries.map(([, c], i) => [c, i]));
  const procedures = Object.values(conformance.ConformanceProgV2.procedures);
  const argsAndResults: Uint8Array[] = [];
  const procOfXid = new Map<number, number>();
  for (const c of calls) {
    const r = new XdrReader(c);
    const msg = readCall(r);
    if (msg.kind !== "call" || msg.header.version !== 2) continue;
    procOfXid.set(msg.header.xid, msg.header.procedure);
    const p = procedures.find((x) => x.procedure === msg.header.procedure);
    const i = p?.args.length === 1 ? indexOf.get(p.args[0]!) : undefined;
    if (i !== undefined)
      argsAndResults.push(concat([Uint8Array.of(i >> 8, i & 0xff), c.subarray(r.pos)]));
  }
  for (const reply of replies) {
    if (reply.length < 24) continue;
    const xid = new DataView(reply.buffer, reply.byteOffset).getUint32(0);
    const p = procedures.find((x) => x.procedure === procOfXid.get(xid));
    const i = p === undefined ? undefined : indexOf.get(p.result);
    if (i !== undefined)
      argsAndResults.push(concat([Uint8Array.of(i >> 8, i & 0xff), reply.subarray(24)]));
  }
  const authSys: Uint8Array[] = [];
  for (const c of calls) {
    const msg = readCall(new XdrReader(c));
    if (msg.kind === "call" && msg.header.credential.flavor === 1)
      authSys.push(msg.header.credential.body);
  }

  const confX = join(shared, "oncrpc-peer/conformance.x");
  const nfsX = join(shared, "corpus/x/sahlberg__libnfs/nfs__nfs.x");
  const stellarX = STELLAR_FILES.map((f) => join(shared, `corpus/x/stellar__stellar-xdr/${f}.x`));
  const counts = {
    "onc-call": writeCorpus("onc-call", `calls ${source}\n${pair}`, small(calls)),
    "onc-reply": writeCorpus("onc-reply", `replies ${source}\n${pair}`, small(replies)),
    "auth-sys": writeCorpus("auth-sys", `AUTH_SYS credential bodies ${source}\n${pair}`, authSys),
    "record-marking": writeCorpus(
      "record-marking",
      `TCP streams ${source}\n${pair}\nbyte 0 seeds the chunking, byte 1 picks the record limit`,
      // Every 4th stream: the corpus stays small, and the mutator splices the rest back.
      streams.filter((_, i) => i % 4 === 0),
    ),
    "xdr-conformance": writeCorpus(
      "xdr-conformance",
      `conformance.x arguments and results ${source}\n${pair}\nand valid encodings of every type from the compiler's model\nbytes 0-1: the codec index (sorted xdr_* exports)`,
      [...small(argsAndResults), ...modelSeeds([confX], [conformance], 3)],
    ),
    "xdr-nfs3": writeCorpus(
      "xdr-nfs3",
      "valid encodings of every type of libnfs nfs.x (NFSv2/v3) from the compiler's model\nbytes 0-1: the codec index (sorted xdr_* exports)",
      modelSeeds([nfsX], [await import("./gen/nfs__nfs.js")], 2),
    ),
    "xdr-stellar": writeCorpus(
      "xdr-stellar",
      "valid encodings of every type of the 12 Stellar ledger files from the compiler's model\nbytes 0-1: the codec index (sorted xdr_* exports of all 12 modules)",
      modelSeeds(stellarX, await stellarModules(), 1),
    ),
    compiler: writeCorpus(
      "compiler",
      ".x files: the repository's own, conformance.x, and the two smallest of each project of ../shared/corpus/x",
      compilerSeeds(shared),
    ),
  };
  console.log(counts);
  return 0;
}

process.exitCode = await main();
