/**
 * Handlers that run in worker threads (the thread-pool server): a module lists its program
 * versions and handlers with {@link workerHandlers} and default-exports the list; the server
 * registers `pool.handlers(Program)` (see `io/node/worker-pool.ts`). The event loop receives,
 * decodes and dispatches; a worker executes; the reply goes back through the same transport and
 * duplicate-request cache.
 *
 * ```ts
 * // primes-worker.ts
 * export default [workerHandlers(PrimesV1, { countPrimes: (n) => count(n) })];
 * ```
 */
import type { CallContext } from "./context.js";
import type { HandlersOf, ProgramDescriptor } from "./program.js";
import { StreamedHandler } from "./streamed.js";

/** One program version's handlers, as a worker module exports them. */
export interface WorkerRegistration {
  readonly program: number;
  readonly version: number;
  readonly handlers: Readonly<Record<string, (...args: unknown[]) => unknown>>;
}

/** What a worker module default-exports. */
export type WorkerModule = readonly WorkerRegistration[];

/** The call context a handler gets inside a worker: the same facts; its signal never aborts. */
export type WorkerCallContext = CallContext;

/**
 * Lists the handlers of one program version for a worker module. `streamed()` handlers cannot
 * run in a worker (the argument would have to cross threads while it arrives): register those on
 * the server itself; a worker's handler gets the whole argument as a `Uint8Array`.
 */
export function workerHandlers<const P extends ProgramDescriptor>(
  program: P,
  handlers: HandlersOf<P>,
): WorkerRegistration {
  for (const [method, handler] of Object.entries(handlers)) {
    if (StreamedHandler.is(handler)) {
      throw new TypeError(
        `workerHandlers(${program.name} version ${program.version}): ${method} is streamed(); streamed handlers cannot run in a worker pool, register them on the server`,
      );
    }
  }
  return {
    program: program.program,
    version: program.version,
    handlers: handlers as unknown as WorkerRegistration["handlers"],
  };
}

/** The serialisable part of a call context, sent to the worker with the arguments. */
export interface WorkerTask {
  readonly module: string;
  readonly program: number;
  readonly version: number;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly context: Omit<CallContext, "signal">;
}
