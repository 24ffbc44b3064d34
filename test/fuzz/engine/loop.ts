/**
 * The fuzzing loop of one target, run inside a worker thread (`worker.ts`): the seeds, the
 * inputs of past findings once (`*.regressions.txt`), then mutate → run → check, with coverage
 * feedback deciding which inputs join the corpus.
 *
 * Coverage is taken per batch of inputs, not per input (taking it costs about as much as
 * hundreds of decodes): a batch starts at one input, doubles while it finds nothing new, up to
 * {@link MAX_BATCH}, and drops back to one when it finds something; a batch with new coverage is
 * replayed input by input to find which inputs bring it. Before each input, its bytes are copied
 * to shared memory and a sequence number bumped, so the supervisor can name the input that hung
 * or killed the thread.
 */
import type { Random } from "../../../src/io/index.js";
import { seededRandom } from "../../helpers/prng.js";
import { allocationPeak, allocationSite, resetAllocations } from "./alloc-watch.js";
import { readRegressions } from "./corpus.js";
import type { CoverageMap } from "./coverage.js";
import { mutate } from "./mutate.js";
import type { Finding, FuzzTarget } from "./target.js";

/** Largest batch between two coverage takes. */
export const MAX_BATCH = 256;
/** Corpus entries kept (beyond it, new entries replace random non-seed ones). */
const MAX_CORPUS = 4096;
/** Distinct findings kept per run. */
const MAX_FINDINGS = 32;

/** Shared memory through which the supervisor sees the input in progress. */
export interface InputMonitor {
  /** `[0]`: sequence number, bumped before each input; `[1]`: its length. */
  readonly status: Int32Array;
  /** The input's bytes (first `status[1]`). */
  readonly slot: Uint8Array;
}

/** Options of {@link fuzzLoop}. */
export interface LoopOptions {
  readonly target: FuzzTarget;
  /** Mutated inputs to run (seeds come on top). */
  readonly inputs: number;
  /** Stop earlier after this long. */
  readonly timeLimitMs?: number;
  readonly seed: number;
  /** Coverage feedback; without it every input is only run and checked. */
  readonly coverage?: CoverageMap;
  readonly monitor?: InputMonitor;
  readonly onFinding?: (finding: Finding) => void;
  readonly onProgress?: (progress: LoopProgress) => void;
}

/** Where a run stands. */
export interface LoopProgress {
  inputs: number;
  seeds: number;
  corpus: number;
  features: number;
  findings: number;
  /** Inputs that showed one of the target's known findings. */
  known: number;
  /** Slowest single input, ms. */
  slowestMs: number;
  elapsedMs: number;
}

/** What a run did. */
export interface LoopResult extends LoopProgress {
  readonly findingList: readonly Finding[];
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${String(e)}`;
  const frame = (e.stack ?? "")
    .split("\n")
    .find((l) => /\/(src|test)\//.test(l) && l.includes(" at "));
  return `${e.name}: ${e.message}${frame === undefined ? "" : `\n${frame.trim()}`}`;
}

/** Runs the loop; see the module comment. Synchronous (it owns the thread while it runs). */
export function fuzzLoop(options: LoopOptions): LoopResult {
  const { target, coverage, monitor } = options;
  const random: Random = seededRandom(options.seed);
  const started = performance.now();
  const findings = new Map<string, Finding>();
  const progress: LoopProgress = {
    inputs: 0,
    seeds: 0,
    corpus: 0,
    features: 0,
    findings: 0,
    known: 0,
    slowestMs: 0,
    elapsedMs: 0,
  };

  const report = (kind: Finding["kind"], message: string, input: Uint8Array) => {
    // Crashes differ by message and place, allocations by place (their messages carry
    // measurements); slow inputs are kept once.
    const key =
      kind === "slow"
        ? kind
        : `${kind}\n${message
            .split("\n")
            .slice(kind === "crash" ? 0 : 1, 2)
            .join("\n")}`;
    if (target.knownFindings?.some((k) => k.kind === kind && k.pattern.test(message))) {
      progress.known++;
      return;
    }
    if (findings.has(key) || findings.size >= MAX_FINDINGS) return;
    const finding: Finding = { target: target.name, kind, message, input: Uint8Array.from(input) };
    findings.set(key, finding);
    progress.findings = findings.size;
    options.onFinding?.(finding);
  };

  const runOne = (input: Uint8Array) => {
    if (monitor !== undefined) {
      monitor.slot.set(input.subarray(0, monitor.slot.length));
      Atomics.store(monitor.status, 1, Math.min(input.length, monitor.slot.length));
      Atomics.add(monitor.status, 0, 1);
    }
    const budget = target.budget(input.length);
    resetAllocations({ bytes: budget.bytes, elements: budget.elements });
    const t0 = performance.now();
    try {
      target.run(input);
    } catch (e) {
      report("crash", describeError(e), input);
    }
    let ms = performance.now() - t0;
    if (ms > target.timeLimitMs) {
      // Confirm on a second run: on a shared machine one run can lose the CPU or meet a GC.
      const t1 = performance.now();
      try {
        target.run(input);
      } catch {
        // Already reported above.
      }
      ms = Math.min(ms, performance.now() - t1);
      if (ms > target.timeLimitMs) {
        report(
          "slow",
          `input took ${ms.toFixed(0)} ms twice (limit ${target.timeLimitMs} ms)`,
          input,
        );
      }
    }
    if (ms > progress.slowestMs) progress.slowestMs = ms;
    const peak = allocationPeak();
    if (peak.bytes > budget.bytes || peak.elements > budget.elements) {
      report(
        "allocation",
        `an input of ${input.length} bytes allocated ${peak.bytes} bytes / ${peak.elements} array elements at once (budget ${budget.bytes} / ${budget.elements})\n${allocationSite() ?? ""}`,
        input,
      );
    }
  };

  const corpus: Uint8Array[] = [];
  const seeds = target.seeds(random).map((s) => s.subarray(0, target.maxLength));
  coverage?.reset();
  for (const s of seeds) {
    runOne(s);
    if (coverage !== undefined) coverage.merge(coverage.take(true));
    corpus.push(s);
  }
  // After the seeds, which set up the state a stateful target's old findings may need.
  for (const r of readRegressions(target.name)) runOne(r.subarray(0, target.maxLength));
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  progress.seeds = seeds.length;

  const addToCorpus = (input: Uint8Array) => {
    if (corpus.length < MAX_CORPUS) corpus.push(input);
    else corpus[seeds.length + (random.nextU32() % (MAX_CORPUS - seeds.length))] = input;
  };
  const mutateOptions = {
    maxLength: target.maxLength,
    corpus,
    dictionary: target.dictionary,
    text: target.text,
  };

  let batch = 1;
  let lastProgress = started;
  const deadline = started + (options.timeLimitMs ?? Number.POSITIVE_INFINITY);
  const pending: Uint8Array[] = [];
  while (progress.inputs < options.inputs && performance.now() < deadline) {
    const n = Math.min(batch, options.inputs - progress.inputs);
    pending.length = 0;
    for (let i = 0; i < n; i++) {
      const parent = corpus[random.nextU32() % corpus.length]!;
      const input = mutate(random, parent, mutateOptions);
      runOne(input);
      if (coverage !== undefined) pending.push(input);
    }
    progress.inputs += n;
    if (coverage !== undefined) {
      const features = coverage.take(n === 1);
      const found = coverage.hasNew(features);
      if (found && n === 1) {
        coverage.merge(features);
        addToCorpus(pending[0]!);
        batch = 1;
      } else if (found) {
        for (const input of pending) {
          runOne(input);
          const features = coverage.take(true);
          if (coverage.merge(features) > 0) addToCorpus(input);
        }
        batch = 1;
      } else {
        batch = Math.min(batch * 2, MAX_BATCH);
      }
    }
    const now = performance.now();
    if (now - lastProgress > 2000) {
      lastProgress = now;
      options.onProgress?.(snapshot());
    }
  }

  function snapshot(): LoopProgress {
    progress.corpus = corpus.length;
    progress.features = coverage?.size ?? 0;
    progress.elapsedMs = performance.now() - started;
    return { ...progress };
  }
  return { ...snapshot(), findingList: [...findings.values()] };
}
