/** Observations of the state document a runtime prints, and of the process its pid names. */
import { realpath } from 'node:fs/promises';
import type { ContainerStatus } from '../../cases/types.js';
import { executableId, fileId, hostHasNamespace, identify, namespaceInode, pidInOwnNamespace } from '../../host/proc.js';
import type { CallRecord } from '../../results.js';
import { describeOutcome } from '../../results.js';
import { pollUntil } from '../../util/poll.js';
import { readConfig } from '../../spec/config.js';
import type { CaseContext, Container } from '../context.js';
import { stateFields } from '../context.js';
import { observeProcess } from '../observe.js';
import { readReport } from '../probe-report.js';
import type { StateParse } from '../state-document.js';

/** One state query: the call and what its output parsed as. */
export interface StateSeen {
  readonly call: CallRecord;
  readonly parsed: StateParse;
}

/** The state taken since the last operation (or a fresh one), with the container's id. */
export async function currentState(ctx: CaseContext, c: Container): Promise<StateSeen & { readonly id: string }> {
  const { call, parsed } = await ctx.currentState(c);
  return { id: c.id, call, parsed };
}

/** A fresh state query. */
export async function freshState(ctx: CaseContext, c: Container): Promise<StateSeen> {
  return ctx.queryState(c);
}

/** The statuses state reported, in order (each change once), while polling for `wanted`. */
export interface StatusesSeen {
  readonly wanted: ContainerStatus;
  /** How long the status was waited for (0: asked once). */
  readonly waitedMs: number;
  /** Each different answer: a status, or why there was none. */
  readonly seen: readonly { readonly status: string | null; readonly what: string }[];
}

/** Queries state until it reports `wanted` or (when `poll`) the wait deadline passes. */
export async function pollStatus(ctx: CaseContext, c: Container, wanted: ContainerStatus, poll: boolean): Promise<StatusesSeen> {
  const seen: { status: string | null; what: string }[] = [];
  let first = true;
  await pollUntil(async () => {
    // The first look may be the state the last operation already took (create's check of its effect).
    const { call, parsed } = first ? await ctx.currentState(c) : await ctx.queryState(c);
    first = false;
    await observeProcess(c, parsed);
    const status = stateFields(parsed)?.status;
    const what = call.exitCode !== 0 ? `state ${describeOutcome(call)}` : parsed.kind === 'not-json' ? parsed.error : `status ${String(status)}`;
    if (seen.at(-1)?.what !== what) seen.push({ status: call.exitCode === 0 && typeof status === 'string' ? status : null, what });
    return status === wanted ? true : undefined;
  }, { timeoutMs: poll ? ctx.timing.waitTimeoutMs : 0, signal: ctx.signal });
  return { wanted, waitedMs: poll ? ctx.timing.waitTimeoutMs : 0, seen };
}

/** The state's bundle, and both it and the bundle directory resolved on the host. */
export interface BundleSeen {
  readonly reported: unknown;
  /** The bundle directory, resolved. */
  readonly bundle: string;
  /** The reported path resolved on the host (null: not an absolute path, or it does not resolve). */
  readonly reportedResolved: string | null;
}

export async function observeBundle(ctx: CaseContext, c: Container): Promise<BundleSeen> {
  const { parsed } = await ctx.currentState(c);
  const reported = stateFields(parsed)?.bundle;
  const bundle = await realpath(c.paths.bundle);
  const reportedResolved = typeof reported === 'string' && reported.startsWith('/') ? await realpath(reported).catch(() => null) : null;
  return { reported: reported ?? null, bundle, reportedResolved };
}

/** The annotations config.json asked for, and what the state reports (null: no annotations property). */
export async function observeAnnotations(ctx: CaseContext, c: Container): Promise<{ configured: Record<string, string>; reported: unknown }> {
  const { parsed } = await ctx.currentState(c);
  return { configured: readConfig(c.config).annotations ?? {}, reported: stateFields(parsed)?.annotations ?? null };
}

/** What the host saw of the pid a state named while created or running, for statePidVerdict. */
export interface PidSeen {
  readonly pid: number;
  /** A live (not zombie) host process has this pid. */
  readonly alive: boolean;
  /** The container process as first adopted (a live pid in a mount namespace other than the harness's), and whether this is it. */
  readonly first: { readonly pid: number; readonly same: boolean } | undefined;
  /** What can be compared with the program's own report, once it wrote one. */
  readonly program?: {
    /** Some host process is in the pid namespace the program reports: it runs under the host's kernel. */
    readonly hostKernel: boolean;
    /** The pid's pid namespace, as the host sees it, is the one the program reports. */
    readonly inProgramPidNs: boolean;
    /** The pid the process has in its own pid namespace (NSpid) is the pid the program reports of itself. */
    readonly samePidInside: boolean;
    /** The pid executes the program file (judged once running; undefined while created). */
    readonly executingProgram: boolean | undefined;
  };
}

/** The state's pid (or what stood there) and, for a usable pid, what the host sees of it. */
export type StatePidSeen =
  | { readonly status: unknown; readonly pid: unknown; readonly host?: undefined }
  | { readonly status: unknown; readonly pid: number; readonly host: PidSeen; readonly firstReported: number | null };

export async function observeStatePid(ctx: CaseContext, c: Container): Promise<StatePidSeen> {
  const { parsed } = await ctx.currentState(c);
  const doc = stateFields(parsed);
  const pid = doc?.pid;
  if (typeof pid !== 'number' || pid <= 0) return { status: doc?.status ?? null, pid: pid ?? null };
  await observeProcess(c, parsed);
  const identity = await identify(pid);
  const first = c.process ? { pid: c.process.pid, same: identity !== undefined && c.process.pid === pid && c.process.startTime === identity.startTime } : undefined;
  const report = await readReport(c.paths.report);
  let program: PidSeen['program'];
  if (identity && report.kind === 'report') {
    const reported = report.report.namespaces['pid'];
    const [pidNs, inside, exe, probe] = await Promise.all([namespaceInode(pid, 'pid'), pidInOwnNamespace(pid), executableId(pid), fileId(c.paths.probeInRootfs)]);
    const inProgramPidNs = typeof reported === 'number' && pidNs === reported;
    program = {
      hostKernel: inProgramPidNs || (typeof reported === 'number' && (await hostHasNamespace('pid', reported))),
      inProgramPidNs,
      samePidInside: inside === report.report.pid,
      executingProgram: doc?.status === 'running' ? exe === probe : undefined,
    };
  }
  return { status: doc?.status ?? null, pid, host: { pid, alive: identity !== undefined, first, ...(program ? { program } : {}) }, firstReported: c.process?.pid ?? null };
}
