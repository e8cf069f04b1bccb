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

/**
 * Watches for something that must NOT happen over a bounded window: returns the
 * first evidence seen, or undefined if none appeared before the window closed.
 * A future non-event cannot be proven; this is the documented settle window.
 */
export const watchFor = pollUntil;
