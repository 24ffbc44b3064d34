/**
 * What the comparison of a run was set to measure — payload, depths, rounds, windows, transfer
 * sizes, the lossy link's impairment — as plain data for the results file, so that
 * `npm run bench:report` states the method from what the run used instead of from prose that could
 * fall out of date when the sizes change.
 */
import { LOSSY_ARGS, LOSSY_DEPTH } from "./lossy.js";
import { CHUNK_BYTES, PAYLOAD_BYTES, SYSTEMS, sizing } from "./systems.js";

/** The comparison's settings, as recorded in `bench/results/latest.json` (`comparison`). */
export interface ComparisonSettings {
  readonly payloadBytes: number;
  readonly depths: readonly number[];
  readonly rounds: number;
  readonly windowMs: number;
  readonly warmMs: number;
  readonly warmCalls: number;
  readonly bulkBytes: number;
  readonly bulkRounds: number;
  /** A further bulk round starts only if it should end within this of the part's start. */
  readonly bulkBudgetMs: number;
  readonly transferCapMs: number;
  readonly chunkBytes: number;
  /** Sink calls in flight of the chunked bulk transfer, per system that makes them. */
  readonly bulkInFlight: Readonly<Record<string, number>>;
  readonly lossyArgs: readonly string[];
  readonly lossyRounds: number;
  readonly lossyWindowMs: number;
  readonly lossyBulkBytes: number;
  readonly lossyBudgetMs: number;
  readonly lossyDepth: number;
}

/** The settings of a full run (`quick` false) or of a smoke run. */
export function comparisonSettings(quick: boolean): ComparisonSettings {
  const s = sizing(quick);
  const bulkInFlight: Record<string, number> = {};
  // SINK calls only: the TCP ceiling is one byte stream; "lupine, one call" a single call.
  for (const x of SYSTEMS)
    if (!("missing" in x.bulk) && x.bulk.chunkBytes !== "all" && x.client !== "tcp")
      bulkInFlight[x.name] = x.bulk.inFlight;
  return {
    payloadBytes: PAYLOAD_BYTES,
    depths: s.depths,
    rounds: s.rounds,
    windowMs: s.windowMs,
    warmMs: s.warmMs,
    warmCalls: s.warmCalls,
    bulkBytes: s.bulkBytes,
    bulkRounds: s.bulkRounds,
    bulkBudgetMs: s.bulkBudgetMs,
    transferCapMs: s.transferCapMs,
    chunkBytes: CHUNK_BYTES,
    bulkInFlight,
    lossyArgs: LOSSY_ARGS,
    lossyRounds: s.lossyRounds,
    lossyWindowMs: s.lossyWindowMs,
    lossyBulkBytes: s.lossyBulkBytes,
    lossyBudgetMs: s.lossyBudgetMs,
    lossyDepth: LOSSY_DEPTH,
  };
}
