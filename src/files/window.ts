/**
 * Keeps up to `limit` asynchronous tasks in flight over a list of items — the file service's
 * chunks in flight. The first failure stops new tasks from starting; the tasks already running
 * are awaited, then that failure is thrown (nothing is left running behind the caller's back).
 */

/** Runs `task(item)` for every item with at most `limit` running at once. */
export async function runWindow<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  if (!(limit >= 1)) throw new RangeError(`window limit must be at least 1, got ${limit}`);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(limit, items.length); i++) workers.push(worker());
  await Promise.all(workers);
  if (failure !== undefined) throw failure.error;
}
