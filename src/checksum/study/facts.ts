/**
 * The bit-level facts `lupine checksums` checks on every run: what theory says each checksum
 * must detect or must miss, confirmed exhaustively or by construction (see `facts-crc.ts`,
 * `facts-sums.ts`). A fact that does not hold is reported, never hidden.
 */

import type { Fact, FactOptions } from "./fact.js";
import { crcFacts } from "./facts-crc.js";
import { sumFacts } from "./facts-sums.js";
import type { SeededRandom } from "./prng.js";

export type { Fact, FactOptions } from "./fact.js";

/** Checks every fact; synchronous, a few seconds with the study's defaults. */
export function checkFacts(options: FactOptions, random: SeededRandom): Fact[] {
  return [...sumFacts(options, random), ...crcFacts(options, random)];
}
