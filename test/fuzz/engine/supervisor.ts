/**
 * Runs one target's fuzzing thread and watches it: the thread bumps a shared sequence number
 * before each input, and an input that has not finished after `hangMs` is a hang — the thread is
 * terminated, the input (copied to shared memory before it ran) saved as a finding, and a new
 * thread continues with the inputs left. A thread that dies (out of memory, a crash of the
 * engine itself) is handled the same way. The thread's heap is capped so that a runaway
 * allocation ends as a finding, not as a machine out of memory.
 */
import { Worker } from "node:worker_threads";
import type { LoopProgress } from "./loop.js";
import type { WorkerMessage, WorkerRequest } from "./protocol.js";
import type { Finding } from "./target.js";

/** Bytes of the shared input slot (every target's `maxLength` is at most this). */
export const SLOT_BYTES = 1 << 17;
/** Old-generation heap of a fuzzing thread, MB. */
const HEAP_MB = 768;
/** Threads started per target before giving up. */
const MAX_STARTS = 8;

/** Options of {@link superviseTarget}. */
export interface SuperviseOptions {
  readonly target: string;
  readonly inputs: number;
  readonly timeLimitMs?: number;
  readonly seed: number;
  readonly coverage: boolean;
  /** An input running longer than this is a hang (the thread is killed). */
  readonly hangMs: number;
  readonly onFinding?: (finding: Finding) => void;
  readonly onProgress?: (progress: LoopProgress) => void;
}

/** What fuzzing one target did. */
export interface TargetReport {
  readonly target: string;
  inputs: number;
  seeds: number;
  corpus: number;
  features: number;
  /** Inputs that showed a known finding. */
  known: number;
  slowestMs: number;
  elapsedMs: number;
  starts: number;
  readonly findings: Finding[];
}

interface ThreadEnd {
  readonly result: LoopProgress | null;
  /** The last progress reported, for a thread that died. */
  readonly last: LoopProgress | null;
  readonly death: Finding | null;
  readonly findings: Finding[];
}

function runThread(options: SuperviseOptions, inputs: number, seed: number, timeLimitMs?: number) {
  const status = new SharedArrayBuffer(8);
  const slot = new SharedArrayBuffer(SLOT_BYTES);
  const statusView = new Int32Array(status);
  const request: WorkerRequest = {
    target: options.target,
    inputs,
    ...(timeLimitMs === undefined ? {} : { timeLimitMs }),
    seed,
    coverage: options.coverage,
    status,
    slot,
  };
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: request,
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
  });
  const current = (): Uint8Array => {
    const n = Atomics.load(statusView, 1);
    return Uint8Array.from(new Uint8Array(slot, 0, n));
  };
  const findings: Finding[] = [];
  return new Promise<ThreadEnd>((resolve) => {
    let result: LoopProgress | null = null;
    let last: LoopProgress | null = null;
    let death: Finding | null = null;
    let lastSeq = -1;
    let lastChange = Date.now();
    const watchdog = setInterval(() => {
      const seq = Atomics.load(statusView, 0);
      if (seq !== lastSeq) {
        lastSeq = seq;
        lastChange = Date.now();
      } else if (seq > 0 && Date.now() - lastChange > options.hangMs) {
        death = {
          target: options.target,
          kind: "hang",
          message: `input did not finish within ${options.hangMs} ms; thread terminated`,
          input: current(),
        };
        void worker.terminate();
      }
    }, 100);
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "finding") {
        findings.push(m.finding);
        options.onFinding?.(m.finding);
      } else if (m.type === "progress") {
        last = m.progress;
        options.onProgress?.(m.progress);
      } else result = m.result;
    });
    worker.on("error", (e: Error & { code?: string }) => {
      death ??= {
        target: options.target,
        kind: e.code === "ERR_WORKER_OUT_OF_MEMORY" ? "out-of-memory" : "crash",
        message: `fuzzing thread died: ${e.name}: ${e.message}`,
        input: current(),
      };
    });
    worker.on("exit", () => {
      clearInterval(watchdog);
      if (death !== null) options.onFinding?.(death);
      else if (result === null) {
        death = {
          target: options.target,
          kind: "crash",
          message: "fuzzing thread exited without a result",
          input: current(),
        };
      }
      resolve({ result, last, death, findings });
    });
  });
}

/** Fuzzes one target in as many threads as hangs and deaths need; see the module comment. */
export async function superviseTarget(options: SuperviseOptions): Promise<TargetReport> {
  const report: TargetReport = {
    target: options.target,
    inputs: 0,
    seeds: 0,
    corpus: 0,
    features: 0,
    known: 0,
    slowestMs: 0,
    elapsedMs: 0,
    starts: 0,
    findings: [],
  };
  const started = Date.now();
  while (report.inputs < options.inputs && report.starts < MAX_STARTS) {
    const left =
      options.timeLimitMs === undefined ? undefined : options.timeLimitMs - (Date.now() - started);
    if (left !== undefined && left <= 0) break;
    report.starts++;
    const end = await runThread(
      options,
      options.inputs - report.inputs,
      options.seed + report.starts - 1,
      left,
    );
    report.findings.push(...end.findings);
    if (end.death !== null) report.findings.push(end.death);
    if (end.result !== null) {
      report.inputs += end.result.inputs;
      report.seeds = Math.max(report.seeds, end.result.seeds);
      report.corpus = Math.max(report.corpus, end.result.corpus);
      report.features = Math.max(report.features, end.result.features);
      report.slowestMs = Math.max(report.slowestMs, end.result.slowestMs);
      report.known += end.result.known;
      break;
    }
    // The thread died: count what it last reported, and the input that killed it.
    report.inputs += (end.last?.inputs ?? 0) + 1;
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
