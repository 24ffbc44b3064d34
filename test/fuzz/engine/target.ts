/**
 * What a fuzz target is: a decoder (or a whole receive path) wrapped so that any behaviour other
 * than the documented ones throws. The engine (`loop.ts`) feeds it inputs; a throw is a finding.
 */
import type { Random } from "../../../src/io/index.js";

/** A byte budget for the allocations one input may cause (see `alloc-watch.ts`). */
export interface AllocationBudget {
  /** Largest single `Uint8Array`/`ArrayBuffer`/`Buffer` allocation, in bytes. */
  readonly bytes: number;
  /** Largest `new Array(n)`, in elements. */
  readonly elements: number;
}

/**
 * One fuzz target.
 *
 * Contract: `run` is synchronous, handles exactly the error types its decoder documents (and
 * checks whatever else holds for a good result), and throws for everything else. It may keep
 * state between inputs (a server's caches) as long as that state is bounded.
 */
export interface FuzzTarget {
  /** Short name (`xdr-combinators`), used on the command line and in finding files. */
  readonly name: string;
  /** One line: what is fuzzed and what is checked. */
  readonly summary: string;
  /** Inputs longer than this are cut (e.g. 65,507 for a UDP datagram). */
  readonly maxLength: number;
  /**
   * A per-input time above which the input counts as a hang (measured, so the process survives
   * it; the supervisor kills a worker that does not come back at all).
   */
  readonly timeLimitMs: number;
  /** The most an input of `length` bytes may allocate at once. */
  budget(length: number): AllocationBudget;
  /** Seed inputs: the committed corpus and structure-aware valid encodings. */
  seeds(random: Random): Uint8Array[];
  /** Tokens the mutator may insert (keywords for the compiler; empty for binary targets). */
  readonly dictionary?: readonly Uint8Array[];
  /** Whether inputs are text (the mutator then also works on lines). */
  readonly text?: boolean;
  /** Runs one input; throws only on a finding. */
  run(input: Uint8Array): void;
  /**
   * Findings known, documented and not fixed yet (a known-failures list): counted apart, not
   * reported. The short run in `npm test` insists that each still shows, so the entry goes when
   * the bug does.
   */
  readonly knownFindings?: readonly KnownFinding[];
}

/** A finding a target expects (see {@link FuzzTarget.knownFindings}). */
export interface KnownFinding {
  readonly kind: Finding["kind"];
  /** Matches the finding's message (for allocations, the second line is the call site). */
  readonly pattern: RegExp;
  /** Where it is documented. */
  readonly why: string;
}

/** The budget of a decoder whose output is bounded by its input: a few times the input, plus slack. */
export function proportionalBudget(factor: number, slackBytes: number) {
  return (length: number): AllocationBudget => ({
    bytes: factor * length + slackBytes,
    elements: length + 64,
  });
}

/** A finding: the input, what kind, and the message (first line used to tell findings apart). */
export interface Finding {
  readonly target: string;
  readonly kind: "crash" | "hang" | "slow" | "allocation" | "out-of-memory";
  readonly message: string;
  readonly input: Uint8Array;
}

/** The error a check inside a target throws: "this result is wrong", as opposed to a crash. */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

/** Throws {@link CheckFailed} with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}
