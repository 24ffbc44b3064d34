/**
 * `lupine/worker`: the thread-pool server — `createWorkerPool()` (on piscina) runs handlers in
 * worker threads; a worker module lists its handlers with `workerHandlers()`. A subpath of its
 * own, so that importing `lupine` does not load the pool.
 */
export {
  createWorkerPool,
  type WorkerPool,
  type WorkerPoolOptions,
} from "./io/node/worker-pool.js";
export {
  type WorkerCallContext,
  type WorkerModule,
  type WorkerRegistration,
  workerHandlers,
} from "./runtime/worker.js";
