/** A statement from the theory of checksums, and what a run found when it checked it. */
export interface Fact {
  /** What theory says, e.g. "CRC-32C detects every error of an odd number of bits". */
  readonly claim: string;
  /** Whether the run confirmed the claim. */
  readonly holds: boolean;
  /** What the run did and saw (counts, example bit positions). */
  readonly evidence: string;
}

/** Options shared by the fact checkers. */
export interface FactOptions {
  /** The short message length, bytes (64 in the study). */
  readonly shortBytes: number;
  /** The long message length, bytes (1500 in the study). */
  readonly longBytes: number;
  /** Random messages per data-dependent exhaustive check. */
  readonly messages: number;
  /** Also search every 5-bit error of the short frame for the CRCs (about a second each). */
  readonly weight5: boolean;
  /**
   * Also check the CRCs' Hamming-distance boundaries from Koopman's tables (371/372 and
   * 655/656 bytes): every 4-bit error of frames of up to 5,280 bits; ~5 s and ~300 MB.
   */
  readonly hdBoundaries: boolean;
}

/** Formats bit positions for evidence strings. */
export function bitList(positions: readonly number[]): string {
  return `bits ${positions.join(", ")}`;
}
