/** Observations of the container process as it runs: the probe's report of itself, and what the harness knew of its own process. */
import { readFile } from 'node:fs/promises';
import { readConfig, type ConfigRead } from '../../spec/config.js';
import { pollUntil } from '../../util/poll.js';
import type { CaseContext, Container } from '../context.js';
import type { ProbeReport } from '../probe-report.js';
import { readReport } from '../probe-report.js';

export interface ProcessSeen {
  /** config.json's process as it was written for create (readConfig: invalid properties read as absent). */
  readonly configured: NonNullable<ReturnType<typeof readConfig>['process']>;
  /** The whole config as read, for what of the process lives outside `process` (linux.personality); absent in older observations. */
  readonly config?: ReturnType<typeof readConfig>;
  /** The program's report of itself, or why there is none. */
  readonly report: ProbeReport | { readonly missing: string };
  /** The harness's own oom_score_adj: what the runtime it runs inherits (null: unreadable). */
  readonly callerOomScoreAdj: number | null;
  /** The harness's own PATH, which the runtime inherits (the driver extends the harness's environment); null: none; absent in older observations. */
  readonly callerPath?: string | null;
}

async function ownOomScoreAdj(): Promise<number | null> {
  try {
    const n = Number.parseInt(await readFile('/proc/self/oom_score_adj', 'utf8'), 10);
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** The program's whole report, waited for up to the case's deadline, or why there is none. */
export async function awaitWholeReport(ctx: CaseContext, c: Container): Promise<ProbeReport | { readonly missing: string }> {
  const got = await pollUntil(async () => {
    const r = await readReport(c.paths.report);
    return r.kind === 'absent' ? undefined : r;
  }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  return got === undefined ? { missing: `the program left no report within ${ctx.timing.waitTimeoutMs} ms` }
    : got.kind === 'report' ? got.report
      : { missing: `the program's report is not JSON: ${got.kind === 'garbled' ? got.text : ''}` };
}

/** Waits (up to the case's deadline) for the program's report. */
export async function observeProcessAsRun(ctx: CaseContext, c: Container): Promise<ProcessSeen> {
  const report = await awaitWholeReport(ctx, c);
  const config = readConfig(c.config);
  return { configured: config.process ?? {}, config, report, callerOomScoreAdj: await ownOomScoreAdj(), callerPath: process.env['PATH'] ?? null };
}
