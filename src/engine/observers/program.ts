/** Observations of the user program: the probe's report and signal log, and what the container process executes. */
import { executableId, fileId } from '../../host/proc.js';
import { pollUntil } from '../../util/poll.js';
import { signalNumber } from '../../util/signals.js';
import type { CaseContext, Container } from '../context.js';
import { stateFields } from '../context.js';
import { readReport, readSignals } from '../probe-report.js';

/** What the program left of its report: none, a file that is not JSON, or the fields the checks compare. */
export type ReportSeen =
  | { readonly kind: 'absent' }
  | { readonly kind: 'garbled'; readonly text: string }
  | { readonly kind: 'report'; readonly pid: number; readonly args: readonly string[]; readonly env: readonly string[] };

/** The report, once the program wrote it or the wait deadline passed. */
export interface AwaitedReport {
  /** How long the report was waited for at most. */
  readonly waitedMs: number;
  readonly report: ReportSeen;
}

export async function awaitReport(ctx: CaseContext, c: Container): Promise<AwaitedReport> {
  const waitedMs = ctx.timing.waitTimeoutMs;
  const got = await pollUntil(async () => {
    const r = await readReport(c.paths.report);
    return r.kind === 'absent' ? undefined : r;
  }, { timeoutMs: waitedMs, signal: ctx.signal });
  if (!got) return { waitedMs, report: { kind: 'absent' } };
  if (got.kind !== 'report') return { waitedMs, report: got };
  const { pid, args, env } = got.report;
  return { waitedMs, report: { kind: 'report', pid, args, env } };
}

/** The report, with the process args and env config.json held at create. */
export async function observeAsConfigured(ctx: CaseContext, c: Container): Promise<AwaitedReport & { readonly configured: { readonly args: readonly string[]; readonly env: readonly string[] } }> {
  const proc = c.config['process'] as { args: string[]; env: string[] };
  return { ...(await awaitReport(ctx, c)), configured: { args: proc.args, env: proc.env } };
}

/** Whether the program showed any sign of running over the settle window. */
export interface NotStartedSeen {
  readonly watchedMs: number;
  readonly reportWritten: boolean;
  /** The container process's pid, when it was seen executing the program. */
  readonly executingPid: number | null;
}

export async function observeNotStarted(ctx: CaseContext, c: Container): Promise<NotStartedSeen> {
  const probeFile = await fileId(c.paths.probeInRootfs);
  const watchedMs = ctx.timing.settleMs;
  const seen = await pollUntil(async () => {
    if ((await readReport(c.paths.report)).kind !== 'absent') return { reportWritten: true, executingPid: null };
    if (c.process && probeFile && (await executableId(c.process.pid)) === probeFile) return { reportWritten: false, executingPid: c.process.pid };
    return undefined;
  }, { timeoutMs: watchedMs, signal: ctx.signal });
  return { watchedMs, ...(seen ?? { reportWritten: false, executingPid: null }) };
}

/** The signals the program recorded after a kill with `name`, and (for KILL) whether the container stopped. */
export interface SignalsSeen {
  readonly name: string;
  /** The signal's number on this host (null: no such signal). */
  readonly number: number | null;
  readonly waitedMs: number;
  readonly received: readonly number[];
  /** KILL only: state reported stopped before the deadline. */
  readonly stopped?: boolean;
}

export async function observeSignals(ctx: CaseContext, c: Container, name: string): Promise<SignalsSeen> {
  const number = signalNumber(name) ?? null;
  const waitedMs = ctx.timing.waitTimeoutMs;
  if (number === null) return { name, number, waitedMs: 0, received: [] };
  if (name === 'KILL') {
    // KILL cannot be caught: wait for the container to stop, then see what the probe recorded instead
    const stopped = await pollUntil(async () => {
      const { parsed } = await ctx.queryState(c);
      return stateFields(parsed)?.status === 'stopped' ? true : undefined;
    }, { timeoutMs: waitedMs, signal: ctx.signal });
    return { name, number, waitedMs, received: await readSignals(c.paths.signals), stopped: stopped === true };
  }
  const received = await pollUntil(async () => {
    const s = await readSignals(c.paths.signals);
    return s.length > 0 ? s : undefined;
  }, { timeoutMs: waitedMs, signal: ctx.signal }) ?? [];
  return { name, number, waitedMs, received };
}
