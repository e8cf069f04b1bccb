/**
 * Removing a container through the runtime alone: kill, wait for `stopped`,
 * delete. The run's teardown uses it first (then removes by force what is
 * left); a check that makes trial containers uses it between trials.
 */
import type { CallRecord } from '../results.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import { pollUntil } from '../util/poll.js';
import { parseState } from './state-document.js';

export interface RemoveOptions {
  readonly callTimeoutMs: number;
  readonly waitTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** True when the runtime no longer knows the container. `record` sees every call (a case keeps them for its report). */
export async function removeThroughRuntime(
  driver: RuntimeDriver, id: string, opts: RemoveOptions, record: (call: Promise<CallRecord>) => Promise<CallRecord> = (c) => c,
): Promise<boolean> {
  const call = { timeoutMs: opts.callTimeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) };
  const status = async (): Promise<string | undefined> => {
    const r = await record(driver.state(id, call));
    if (r.exitCode !== 0) return undefined;
    const p = parseState(r.stdout);
    return p.kind === 'not-json' ? 'unknown' : String(p.doc.status);
  };
  let st = await status();
  if (st === undefined) return true;
  if (st !== 'stopped') {
    await record(driver.kill(id, 'KILL', call));
    st = await pollUntil(async () => {
      const s = await status();
      return s === undefined || s === 'stopped' ? (s ?? 'gone') : undefined;
    }, { timeoutMs: opts.waitTimeoutMs, signal: opts.signal });
  }
  if (st !== 'gone') await record(driver.delete(id, call));
  return (await status()) === undefined;
}
