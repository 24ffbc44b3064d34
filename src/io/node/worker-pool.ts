/**
 * A pool of worker threads for CPU-heavy handlers, on piscina (the Node.js project's pool:
 * bounded queue, abort of queued tasks, one module load per thread). See `runtime/worker.ts`
 * for the handler side.
 *
 * ```ts
 * const pool = createWorkerPool({ module: new URL("./primes-worker.js", import.meta.url), threads: 2 });
 * server.register(PrimesV1, pool.handlers(PrimesV1));
 * ```
 *
 * Arguments and results cross threads by structured clone (numbers, bigints, strings,
 * Uint8Arrays, plain objects, null). A full queue fails the call with `busy` (SYSTEM_ERR on ONC
 * RPC); the call's signal cancels a task still queued.
 */
import { setMaxListeners } from "node:events";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { CallContext } from "../../runtime/context.js";
import { RpcError } from "../../runtime/errors.js";
import type { HandlersOf, ProgramDescriptor } from "../../runtime/program.js";
import type { WorkerTask } from "../../runtime/worker.js";

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** The handler module (its default export is a `WorkerModule`). */
  readonly module: string | URL;
  /** Threads; default the machine's available parallelism. */
  readonly threads?: number;
  /** Tasks waiting for a thread before new ones fail with `busy`; default 1024. */
  readonly maxQueue?: number;
}

/** See the module comment. */
export interface WorkerPool {
  /** Handlers for `program` that run its procedures (all but procedure 0) in the pool. */
  handlers<const P extends ProgramDescriptor>(program: P): HandlersOf<P>;
  readonly threads: number;
  /** Tasks running and waiting. */
  readonly stats: { readonly completed: number; readonly queued: number; readonly running: number };
  /** Stops the threads (tasks in flight fail). */
  close(): Promise<void>;
}

/** Creates a worker pool; see the module comment. */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const threads = options.threads ?? availableParallelism();
  const module = options.module instanceof URL ? options.module.href : options.module;
  const maxQueue = options.maxQueue ?? 1024;
  const piscina = new Piscina({
    filename: new URL("./pool-worker.js", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    maxQueue,
  });
  let running = 0;
  // Transports share one signal among the calls of a connection (or a socket); piscina adds a
  // listener per task while it runs, so many tasks in flight pass Node's warning threshold.
  const raised = new WeakSet<AbortSignal>();
  const run = (task: WorkerTask, signal: AbortSignal): Promise<unknown> => {
    if (!raised.has(signal)) {
      setMaxListeners(0, signal);
      raised.add(signal);
    }
    if (piscina.queueSize >= maxQueue) {
      return Promise.reject(
        new RpcError("busy", `worker pool queue is full (${maxQueue} tasks)`, {
          details: { retryAfterMs: 10 },
        }),
      );
    }
    running++;
    return piscina.run(task, { signal }).finally(() => {
      running--;
    });
  };
  return {
    threads,
    get stats() {
      return { completed: piscina.completed, queued: piscina.queueSize, running };
    },
    handlers<const P extends ProgramDescriptor>(program: P): HandlersOf<P> {
      const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
      for (const [method, proc] of Object.entries(program.procedures)) {
        if (proc.procedure === 0) continue; // answered by the runtime
        const argc = proc.args.length;
        out[method] = (...values: unknown[]) => {
          const ctx = values[argc] as CallContext;
          const { signal, ...context } = ctx;
          return run(
            {
              module,
              program: program.program,
              version: program.version,
              method,
              args: values.slice(0, argc),
              context,
            },
            signal,
          );
        };
      }
      return out as unknown as HandlersOf<P>;
    },
    close: () => piscina.destroy(),
  };
}
