/**
 * Coverage feedback from V8's precise block coverage, through `node:inspector` in the fuzzing
 * thread itself (`Profiler.startPreciseCoverage` with call counts and block detail; each
 * `takePreciseCoverage` returns the counts since the previous one and resets them).
 *
 * V8 reports, for every function that ran, its range with a count and nested block ranges whose
 * count differs from their parent's; a block that ran exactly as often as its parent is merged
 * away. So a block is known first as a range with count 0 (not taken), and later shows as taken
 * by being reported with a count, or by no longer being reported at all while its function ran.
 * Features are therefore: a function ran; a block was taken (`#c`); and, per input only,
 * AFL-style buckets of the counts (1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+), which reward loops
 * that go round a different number of times (array lengths, list nodes).
 *
 * Only scripts whose URL passes `filter` count (the library and the generated codecs, not the
 * fuzzer). Taking coverage costs about 0.3–1 ms, which is why the loop takes it per batch.
 */
import { Session } from "node:inspector";

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly Range[] }[];
}

function bucket(count: number): number {
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  return count < 128 ? 7 : 8;
}

/** Collects features from V8 block coverage; see the module comment. */
export class CoverageMap {
  private readonly session = new Session();
  private readonly filter: (url: string) => boolean;
  /** Every feature seen so far. */
  private readonly seen = new Set<string>();
  /** Per function: the block ranges ever reported as not taken. */
  private readonly blocks = new Map<string, Set<string>>();
  private readonly scriptIds = new Map<string, number>();

  constructor(filter: (url: string) => boolean) {
    this.filter = filter;
  }

  /** Starts collecting (synchronous: the in-thread session answers at once). */
  start(): void {
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  }

  /** Stops collecting and disconnects. */
  stop(): void {
    this.post("Profiler.stopPreciseCoverage");
    this.session.disconnect();
  }

  /** Features seen so far. */
  get size(): number {
    return this.seen.size;
  }

  /** Discards the counts gathered since the last take. */
  reset(): void {
    this.post("Profiler.takePreciseCoverage");
  }

  /**
   * The features of what ran since the last take (or reset). With `counts` false only the
   * count-free features are returned (for batches, where counts are sums over many inputs).
   */
  take(counts: boolean): string[] {
    const result = this.post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] };
    const out: string[] = [];
    for (const script of result.result) {
      if (!this.filter(script.url)) continue;
      let id = this.scriptIds.get(script.url);
      if (id === undefined) {
        id = this.scriptIds.size;
        this.scriptIds.set(script.url, id);
      }
      for (const fn of script.functions) this.functionFeatures(id, fn.ranges, counts, out);
    }
    return out;
  }

  private functionFeatures(
    script: number,
    ranges: readonly Range[],
    counts: boolean,
    out: string[],
  ) {
    const head = ranges[0];
    if (head === undefined || head.count === 0) return;
    const fnKey = `${script}:${head.startOffset}`;
    out.push(fnKey);
    if (counts) out.push(`${fnKey}#${bucket(head.count)}`);
    let known = this.blocks.get(fnKey);
    const notTaken = new Set<string>();
    for (let i = 1; i < ranges.length; i++) {
      const r = ranges[i]!;
      const key = `${fnKey}:${r.startOffset}-${r.endOffset}`;
      if (r.count === 0) {
        notTaken.add(key);
        if (known === undefined) {
          known = new Set();
          this.blocks.set(fnKey, known);
        }
        known.add(key);
      } else if (counts) {
        out.push(`${key}#${bucket(r.count)}`);
      }
    }
    if (known !== undefined) {
      for (const key of known) if (!notTaken.has(key)) out.push(`${key}#c`);
    }
  }

  /** Whether any of `features` is new. */
  hasNew(features: readonly string[]): boolean {
    for (const f of features) if (!this.seen.has(f)) return true;
    return false;
  }

  /** Records `features`; returns how many were new. */
  merge(features: readonly string[]): number {
    let n = 0;
    for (const f of features) {
      if (!this.seen.has(f)) {
        this.seen.add(f);
        n++;
      }
    }
    return n;
  }

  private post(method: string, params?: object): unknown {
    let out: unknown;
    let failure: Error | null = null;
    this.session.post(method, params, (e, r) => {
      failure = e;
      out = r;
    });
    if (failure !== null) throw failure;
    return out;
  }
}
