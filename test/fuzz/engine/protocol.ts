/** Messages between the supervisor and a fuzzing thread. */
import type { LoopProgress } from "./loop.js";
import type { Finding } from "./target.js";

/** What a fuzzing thread is asked to do (its `workerData`). */
export interface WorkerRequest {
  readonly target: string;
  readonly inputs: number;
  readonly timeLimitMs?: number;
  readonly seed: number;
  readonly coverage: boolean;
  /** A SharedArrayBuffer of two int32: input sequence number and length. */
  readonly status: SharedArrayBuffer;
  /** A SharedArrayBuffer of the target's `maxLength` bytes: the input in progress. */
  readonly slot: SharedArrayBuffer;
}

/** What a fuzzing thread reports. */
export type WorkerMessage =
  | { readonly type: "finding"; readonly finding: Finding }
  | { readonly type: "progress"; readonly progress: LoopProgress }
  | { readonly type: "done"; readonly result: LoopProgress };
