/**
 * The "How it is measured" section of `docs/benchmarks.md`. Every number in it — payload,
 * depths, rounds, windows, transfer sizes, the lossy link's impairment — comes from the settings
 * the run recorded (`comparison` in the results file), so the page stays true when the sizes
 * change; a results file without them gets the method without the numbers.
 */
import type { ComparisonSettings } from "../compare/settings.js";

/** `1 GiB`, `64 MiB`, `4 KiB`, `100 B`. */
export function bytesText(n: number): string {
  if (n >= 2 ** 30 && n % 2 ** 30 === 0) return `${n / 2 ** 30} GiB`;
  if (n >= 2 ** 20 && n % 2 ** 20 === 0) return `${n / 2 ** 20} MiB`;
  if (n >= 2 ** 10 && n % 2 ** 10 === 0) return `${n / 2 ** 10} KiB`;
  return `${n} B`;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

function list(xs: readonly (number | string)[]): string {
  if (xs.length <= 1) return xs.join("");
  return `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** The most common value of `bulkInFlight` and the systems that differ from it. */
function inFlightText(byName: Readonly<Record<string, number>>): string {
  const counts = new Map<number, number>();
  for (const n of Object.values(byName)) counts.set(n, (counts.get(n) ?? 0) + 1);
  const usual = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (usual === undefined) return "";
  const others = Object.entries(byName).filter(([, n]) => n !== usual);
  const except = others.map(([s, n]) => `${s} ${n}`).join(", ");
  return `${usual} in flight${except === "" ? "" : `; ${except}`}`;
}

/** The method section, in Markdown. */
export function methodSection(c: ComparisonSettings | undefined): string {
  const payload = c === undefined ? "a small payload" : `${c.payloadBytes} bytes`;
  const depths = c === undefined ? "several depths" : `${list(c.depths)} calls in flight`;
  const bulk = c === undefined ? "a large transfer" : bytesText(c.bulkBytes);
  const chunk = c === undefined ? "large chunks" : bytesText(c.chunkBytes);
  const window =
    c === undefined
      ? ""
      : ` Each small-call window lasts ${seconds(c.windowMs)}; a client first makes ${c.warmCalls} ping-pong calls and runs its load for ${seconds(c.warmMs)} before its first window.`;
  const rounds =
    c === undefined
      ? "several rounds"
      : `${c.rounds} rounds for small calls; up to ${c.bulkRounds} for the bulk transfer and ${c.lossyRounds} through the lossy link, a further transfer round only if it should end within ${minutes(c.bulkBudgetMs)} (lossy link: ${minutes(c.lossyBudgetMs)}) of the part's start, so each row says how many rounds it got; a transfer still running after ${minutes(c.transferCapMs)} counts as failed`;
  const lossy =
    c === undefined
      ? "an impaired link"
      : `\`${c.lossyArgs.join(" ")}\` (RTT ${rttText(c.lossyArgs)})`;
  const lossyLoad =
    c === undefined
      ? "small calls and a transfer"
      : `small calls at ${c.lossyDepth} in flight (windows of ${seconds(c.lossyWindowMs)}) and a ${bytesText(c.lossyBulkBytes)} transfer`;
  return `## How it is measured

- **Systems.** Lupine's own transport (\`lupine://\`, plain and secure), Lupine's ONC RPC over UDP
  and TCP (\`udp://\`, \`tcp://\`), each through the typed client \`createClient\` and \`createServer\`
  with default options, serving \`BENCH_PROG\` from \`bench/c/bench.x\` (the generated
  \`bench/gen/bench.ts\`); raw \`node:dgram\` echo and raw \`node:net\` echo (the ceilings: no RPC at
  all, one datagram or one write per call, replies matched in order); \`@grpc/grpc-js\` unary calls
  of raw bytes (no protobuf encoding, which only flatters it); the rpcgen + libtirpc C client and
  server built from the same \`.x\` (their stubs are synchronous, so they have one call in flight).
- **Payloads.** Small calls echo ${payload}, at ${depths}. The bulk transfer moves ${bulk} to the
  server: Node TCP as one byte stream, RPC systems as SINK calls of ${chunk}${c === undefined ? "" : ` (${inFlightText(c.bulkInFlight)})`},
  Lupine also as one call carrying the whole transfer as its argument, held whole by the server
  (\`lupine, one call\`) or read by a \`streamed()\` handler as it arrives and kept by none, as
  the TCP sink discards its stream (\`lupine, one call, streamed\`).
- **Processes.** Every server runs in its own process, pinned to one core; every small-call client
  runs in its own process pinned to the other core (\`taskset\`), opened and warmed up before the
  first round and kept for every round; every bulk transfer runs in a fresh client process. Calls
  in flight are kept constant: each of N lanes starts its next call when its last one returns.${window}
- **Figures.** calls/s over the window; p50 and p99 of every call's latency in the window; CPU
  seconds per 100,000 calls of the client (its own \`getrusage\`) and of the server (\`/proc\`,
  read just before and just after the window, in clock ticks of 10 ms); MB/s (10^6 bytes/s) of
  the bulk transfer.
- **Rounds.** Every system once per round, rounds interleaved and the order rotating, so load
  from other processes on the shared machine falls on every system alike; each figure is the
  median over rounds (${rounds}) with the min–max spread.
- **Lossy link.** Two \`../shared/netlab\` hosts joined by a veth link, servers in one and clients
  in the other, each host sending with ${lossy}, segmentation offload down to 1500 bytes so TCP's
  packets are impaired like UDP's; ${lossyLoad}. Runs only as root.
- **Ratios.** A ratio is the row's value divided by the reference's, whatever the direction: for
  latency and CPU, below 1× is better. Read the ratios within one run, not absolute numbers across
  runs (see the notes on noise). Where both rows were measured in the same rounds (at least 3),
  the tables also give the ratio **per round**: the median of the rounds' own ratios, with their
  spread. Two systems' windows of one round are seconds apart and the rounds minutes, so when the
  machine's speed drifts during a run, this is the steadier of the two.
`;
}

/** The round-trip delay of a netem `delay` argument applied on both hosts. */
function rttText(args: readonly string[]): string {
  const i = args.indexOf("delay");
  const m = i < 0 ? null : /^(\d+(?:\.\d+)?)ms$/.exec(args[i + 1] ?? "");
  return m === null ? "as configured" : `${2 * Number(m[1])} ms`;
}
