/**
 * Honest statistics for counts of undetected errors: a rate with its 95% interval, and for a
 * count of zero the one-sided 95% upper bound (about 3/N, the "rule of three": if the true rate
 * were above it, seeing no event in N independent trials would happen less than 5% of the time).
 */

/** 95% interval of an observed proportion. */
export interface RateBound {
  readonly events: number;
  readonly trials: number;
  /** `events / trials`. */
  readonly rate: number;
  readonly low: number;
  readonly high: number;
}

const Z95 = 1.959963984540054;

/** Exact one-sided 95% upper bound when no event was seen in `trials`: 1 − 0.05^(1/N) ≈ 3/N. */
export function zeroEventUpperBound(trials: number): number {
  return trials <= 0 ? 1 : 1 - 0.05 ** (1 / trials);
}

/**
 * The rate of `events` in `trials` with a 95% interval: Wilson's score interval when events
 * were seen, [0, 1 − 0.05^(1/N)] when none were.
 */
export function rateBound(events: number, trials: number): RateBound {
  if (trials <= 0) return { events, trials, rate: Number.NaN, low: 0, high: 1 };
  if (events === 0) return { events, trials, rate: 0, low: 0, high: zeroEventUpperBound(trials) };
  const p = events / trials;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half =
    (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return {
    events,
    trials,
    rate: p,
    low: Math.max(0, centre - half),
    high: Math.min(1, centre + half),
  };
}
