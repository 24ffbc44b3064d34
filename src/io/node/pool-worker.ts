/**
 * The task function every worker of a `WorkerPool` runs (piscina loads this file): it imports
 * the user's handler module once, finds the handler and runs it.
 */
import type { WorkerModule, WorkerRegistration, WorkerTask } from "../../runtime/worker.js";

const modules = new Map<string, Promise<Map<string, WorkerRegistration>>>();
const neverAborted = new AbortController().signal;

function load(url: string): Promise<Map<string, WorkerRegistration>> {
  let m = modules.get(url);
  if (m === undefined) {
    m = import(url).then((mod: { default?: WorkerModule }) => {
      const table = new Map<string, WorkerRegistration>();
      for (const r of mod.default ?? []) table.set(`${r.program}/${r.version}`, r);
      return table;
    });
    modules.set(url, m);
  }
  return m;
}

/** Runs one call in this worker thread. */
export default async function runTask(task: WorkerTask): Promise<unknown> {
  const table = await load(task.module);
  const handler = table.get(`${task.program}/${task.version}`)?.handlers[task.method];
  if (handler === undefined) {
    throw new Error(
      `${task.module} has no handler ${task.method} for program ${task.program} version ${task.version}`,
    );
  }
  return handler(...task.args, { ...task.context, signal: neverAborted });
}
