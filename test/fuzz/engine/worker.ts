/**
 * The fuzzing thread: installs the allocation watch, loads one target, starts coverage and runs
 * {@link fuzzLoop}, posting findings and progress to the supervisor (`supervisor.ts`) as they
 * happen and the result at the end.
 */
import { parentPort, workerData } from "node:worker_threads";
import { installAllocationWatch } from "./alloc-watch.js";
import { CoverageMap } from "./coverage.js";
import { fuzzLoop } from "./loop.js";
import type { WorkerMessage, WorkerRequest } from "./protocol.js";

const request = workerData as WorkerRequest;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

installAllocationWatch();
const { loadTarget } = await import("../targets/index.js");
const target = await loadTarget(request.target);
const coverage = request.coverage
  ? new CoverageMap((url) => /\/dist\/(src\/|.*\/gen\/)/.test(url))
  : undefined;
coverage?.start();
const result = fuzzLoop({
  target,
  inputs: request.inputs,
  ...(request.timeLimitMs === undefined ? {} : { timeLimitMs: request.timeLimitMs }),
  seed: request.seed,
  ...(coverage === undefined ? {} : { coverage }),
  monitor: { status: new Int32Array(request.status), slot: new Uint8Array(request.slot) },
  onFinding: (finding) => post({ type: "finding", finding }),
  onProgress: (progress) => post({ type: "progress", progress }),
});
coverage?.stop();
const { findingList: _, ...summary } = result;
post({ type: "done", result: summary });
