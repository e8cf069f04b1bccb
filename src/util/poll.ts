/**
 * Polling with a deadline: the harness never sleeps for a fixed time, it asks
 * again (with a short, growing interval) until the answer is there or the
 * deadline has passed.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Calls `probe` until it returns something other than undefined, or the
 * deadline passes (then undefined). The first call happens at once.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, opts: PollOptions): Promise<T | undefined> {
  const deadline = Date.now() + opts.timeoutMs;
  let interval = 2;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) return undefined;
    try {
      await delay(Math.min(interval, left), undefined, opts.signal ? { signal: opts.signal } : {});
    } catch {
      return undefined; // aborted
    }
    interval = Math.min(interval * 2, 50);
  }
}
