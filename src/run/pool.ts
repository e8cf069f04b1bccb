/** Runs tasks with at most `jobs` in flight; stops taking new ones once `signal` aborts. */
export async function runPool<T, R>(items: readonly T[], jobs: number, signal: AbortSignal, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length && !signal.aborted) {
      const item = items[next++]!;
      results.push(await task(item));
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}
