/**
 * The systems the comparison measures, what each can be asked to do, and how the measured
 * windows are sized. One table, so that every part (small calls, bulk, lossy link) treats every
 * system alike and says why a system has no figure instead of silently leaving it out.
 */
import type { ClientKind } from "./client.js";

/** Server processes: `server.ts` kinds, or the rpcgen C server (UDP and TCP in one process). */
export type ServerKind = ClientKind | "c";

/** How a system moves the bulk transfer, or why it cannot. */
export type BulkWay =
  | { readonly chunkBytes: number | "all"; readonly inFlight: number }
  | { readonly missing: string };

/** One compared system. */
export interface SystemSpec {
  /** Row label. */
  readonly name: string;
  readonly server: ServerKind;
  /** The Node client kind, or the rpcgen C client over UDP or TCP. */
  readonly client: ClientKind | "c-udp" | "c-tcp";
  /** Calls in flight it can keep (the rpcgen stubs are synchronous: one). */
  readonly depths: readonly number[];
  readonly bulk: BulkWay;
  /** Measured through the lossy link, or why not. */
  readonly lossy: true | { readonly missing: string };
  /** Filter words that select it (`npm run bench -- lupine`). */
  readonly tags: readonly string[];
  /**
   * Measured only through the lossy link, with this TCP congestion control in the sending host
   * (`net.ipv4.tcp_congestion_control`), and a fraction of the lossy transfer's bytes.
   */
  readonly lossyOnly?: { readonly tcpCongestion: string; readonly bytesFraction: number };
}

/** Calls in flight of the small-call figures. */
export const DEPTHS = [1, 32, 128] as const;
/** Bytes of the echoed payload of a small call, the same for every system. */
export const PAYLOAD_BYTES = 32;
/** Bytes per sink call of the bulk transfer, and calls in flight. */
export const CHUNK_BYTES = 1 << 20;
const BULK_IN_FLIGHT = 4;
const chunked: BulkWay = { chunkBytes: CHUNK_BYTES, inFlight: BULK_IN_FLIGHT };
const allDepths = [...DEPTHS];
const ONE_IN_FLIGHT = "the rpcgen stubs are synchronous: one call in flight per CLIENT handle";

/** Every system, in table order. */
export const SYSTEMS: readonly SystemSpec[] = [
  {
    name: "raw dgram echo",
    server: "dgram",
    client: "dgram",
    depths: allDepths,
    bulk: { missing: "bare datagrams have no reliable transfer" },
    lossy: { missing: "a lost datagram is never answered: there is no recovery to measure" },
    tags: ["dgram", "udp", "ceiling"],
  },
  {
    name: "node tcp echo",
    server: "tcp",
    client: "tcp",
    depths: allDepths,
    bulk: { chunkBytes: CHUNK_BYTES, inFlight: 1 },
    lossy: true,
    tags: ["tcp", "ceiling"],
  },
  {
    // Linux's default here is BBR, which does not take random loss for congestion; Reno is the
    // loss-based TCP whose rate the Mathis et al. model gives (≈ MSS/RTT · 1.22/√p): ~0.6 MB/s at
    // 2% loss and 20 ms, so it moves a quarter of the bytes. A namespace may only pick an
    // unrestricted algorithm, which CUBIC is not.
    name: "node tcp echo (reno)",
    server: "tcp",
    client: "tcp",
    depths: [],
    bulk: { chunkBytes: CHUNK_BYTES, inFlight: 1 },
    lossy: true,
    tags: ["tcp", "reno"],
    lossyOnly: { tcpCongestion: "reno", bytesFraction: 1 / 4 },
  },
  {
    name: "lupine",
    server: "lupine",
    client: "lupine",
    depths: allDepths,
    bulk: chunked,
    lossy: true,
    tags: ["lupine"],
  },
  {
    name: "lupine secure",
    server: "lupine-secure",
    client: "lupine-secure",
    depths: allDepths,
    bulk: chunked,
    lossy: true,
    tags: ["lupine", "secure"],
  },
  {
    name: "lupine onc/udp",
    server: "onc-udp",
    client: "onc-udp",
    depths: allDepths,
    bulk: { missing: "a UDP datagram carries at most 65,507 bytes, not a 1 MiB call" },
    lossy: true,
    tags: ["lupine", "oncrpc", "onc", "udp"],
  },
  {
    name: "lupine onc/tcp",
    server: "onc-tcp",
    client: "onc-tcp",
    depths: allDepths,
    bulk: chunked,
    lossy: true,
    tags: ["lupine", "oncrpc", "onc", "tcp"],
  },
  {
    name: "grpc-js",
    server: "grpc",
    client: "grpc",
    depths: allDepths,
    bulk: chunked,
    lossy: true,
    tags: ["grpc"],
  },
  {
    name: "rpcgen C udp",
    server: "c",
    client: "c-udp",
    depths: [1],
    bulk: { missing: "a UDP datagram carries at most 65,507 bytes, not a 1 MiB call" },
    lossy: { missing: ONE_IN_FLIGHT },
    tags: ["c", "rpcgen", "oncrpc", "onc", "udp"],
  },
  {
    name: "rpcgen C tcp",
    server: "c",
    client: "c-tcp",
    depths: [1],
    bulk: { chunkBytes: CHUNK_BYTES, inFlight: 1 },
    lossy: true,
    tags: ["c", "rpcgen", "oncrpc", "onc", "tcp"],
  },
  {
    name: "lupine, one call",
    server: "lupine",
    client: "lupine",
    depths: [],
    bulk: { chunkBytes: "all", inFlight: 1 },
    lossy: true,
    tags: ["lupine"],
  },
  {
    // The server reads the argument as it arrives and keeps none of it (a `streamed()` sink), as
    // the TCP sink discards its stream; the row above holds the whole argument, as an RPC
    // handler taking a `Uint8Array` must.
    name: "lupine, one call, streamed",
    server: "lupine-stream",
    client: "lupine-stream",
    depths: [],
    bulk: { chunkBytes: "all", inFlight: 1 },
    lossy: true,
    tags: ["lupine", "stream"],
  },
];

/** Why a system has no row at a depth. */
export function depthMissing(s: SystemSpec): string {
  return s.client.startsWith("c-") ? ONE_IN_FLIGHT : "not measured at this depth";
}

/** Sizes of one run (full or `--quick`). */
export interface Sizing {
  readonly depths: readonly number[];
  /** Ping-pong calls before the warm-up window (connection set-up, JIT). */
  readonly warmCalls: number;
  readonly rounds: number;
  readonly windowMs: number;
  readonly warmMs: number;
  readonly bulkBytes: number;
  readonly bulkRounds: number;
  /** Time the bulk part may take: a further round starts only if it should end within it. */
  readonly bulkBudgetMs: number;
  /** Longest one transfer may take before it counts as failed. */
  readonly transferCapMs: number;
  readonly lossyRounds: number;
  readonly lossyWindowMs: number;
  readonly lossyBulkBytes: number;
  /** As `bulkBudgetMs`, for the transfers through the lossy link. */
  readonly lossyBudgetMs: number;
  /** Systems measured through the lossy link (all when undefined). */
  readonly lossySystems?: readonly string[];
}

/**
 * Full run: 5 rounds of 1 s windows at every depth, 1 GiB transfers (up to 3 rounds, as many as
 * fit in 7 minutes; one transfer may take 4; through the lossy link up to 3 rounds in 8 minutes:
 * a round of every system's transfer takes 2–2.5 minutes, mostly grpc-js's and TCP Reno's, and
 * with 6 minutes only two fitted, so a median was the mean of two). Quick: a smoke run that
 * still starts every server and client kind and every part (one depth, 1 MiB transfers, one
 * system through the lossy link), so the harness cannot rot.
 */
export function sizing(quick: boolean): Sizing {
  return quick
    ? {
        depths: [1],
        warmCalls: 5,
        rounds: 1,
        windowMs: 100,
        warmMs: 20,
        bulkBytes: 1 << 20,
        bulkRounds: 1,
        bulkBudgetMs: 60_000,
        transferCapMs: 60_000,
        lossyRounds: 1,
        lossyWindowMs: 200,
        lossyBulkBytes: 1 << 20,
        lossyBudgetMs: 60_000,
        lossySystems: ["lupine"],
      }
    : {
        depths: DEPTHS,
        warmCalls: 200,
        rounds: 5,
        windowMs: 1000,
        warmMs: 3000,
        bulkBytes: 1 << 30,
        bulkRounds: 3,
        bulkBudgetMs: 7 * 60_000,
        transferCapMs: 4 * 60_000,
        lossyRounds: 3,
        lossyWindowMs: 3000,
        lossyBulkBytes: 64 << 20,
        lossyBudgetMs: 8 * 60_000,
      };
}

/**
 * The systems the command-line filters select: all when no filter names a system tag; else those
 * with a matching tag, plus the reference systems every figure is compared with.
 */
export function selectSystems(filters: readonly string[]): readonly SystemSpec[] {
  const tags = new Set(SYSTEMS.flatMap((s) => s.tags));
  const words = filters.filter((f) => tags.has(f));
  if (words.length === 0) return SYSTEMS;
  const references = ["raw dgram echo", "node tcp echo", "grpc-js"];
  return SYSTEMS.filter(
    (s) => references.includes(s.name) || s.tags.some((t) => words.includes(t)),
  );
}
