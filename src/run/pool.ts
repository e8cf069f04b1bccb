/** Runs tasks with at most `jobs` in flight; stops taking new ones once `signal` aborts. */
export async function runPool<T, R>(items: readonly T[], jobs: number, signal: AbortSignal, task: (item: T) => Promise<R>): Promise<R[]> {
  // Indexed, so results keep the items' order whatever order tasks finish in.
  const results: R[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length && !signal.aborted) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  // Items never started (after an abort) leave holes: drop them.
  return results.filter((_, i) => i in results);
}
