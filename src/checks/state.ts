/** Checks on the state document a runtime prints. */
import { realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { ContainerStatus } from '../cases/types.js';
import { stateFields } from '../engine/context.js';
import { executableId, fileId, hostHasNamespace, identify, namespaceInode, pidInOwnNamespace } from '../host/proc.js';
import { observeProcess } from '../engine/observe.js';
import { readReport } from '../engine/probe-report.js';
import { describeOutcome } from '../runtime/driver.js';
import { pollUntil } from '../util/poll.js';
import { NO_PARAMS, judge, legacyCheck } from './check.js';

const STATUSES = ['creating', 'created', 'running', 'stopped'];

export const stateStatus = legacyCheck({
  name: 'state-status',
  description: 'state reports the given status: `is` now, or `becomes` it before the deadline (polled).',
  params: {
    type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1,
    properties: { is: { enum: STATUSES }, becomes: { enum: STATUSES } },
  },
  async run(ctx, step, c) {
    const wanted = (step.params['is'] ?? step.params['becomes']) as ContainerStatus;
    const seen: string[] = [];
    const poll = 'becomes' in step.params;
    const found = await pollUntil(async () => {
      const { call, parsed } = await ctx.queryState(c);
      await observeProcess(c, parsed);
      const status = stateFields(parsed)?.status;
      const what = call.exitCode !== 0 ? `state ${describeOutcome(call)}` : parsed.kind === 'not-json' ? parsed.error : `status ${String(status)}`;
      if (seen.at(-1) !== what) seen.push(what);
      return status === wanted ? true : undefined;
    }, { timeoutMs: poll ? ctx.timing.waitTimeoutMs : 0, signal: ctx.signal });
    judge(ctx, step, found === true,
      found ? `status is ${wanted}` : `status is not ${wanted}${poll ? ` within ${ctx.timing.waitTimeoutMs} ms` : ''}: ${seen.join(', then ')}`,
      { expected: wanted, actual: seen.at(-1) });
  },
});

export const stateErrors = legacyCheck({
  name: 'state-errors',
  description: 'state of the container is an error (it does not exist).',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { call } = await ctx.queryState(c);
    const ok = !call.timedOut && call.exitCode !== null && call.exitCode !== 0;
    judge(ctx, step, ok, ok ? `state of ${c.id} is an error` : `state of ${c.id} ${describeOutcome(call)}`,
      { expected: 'non-zero exit status', actual: call.timedOut ? 'deadline passed' : `exit status ${call.exitCode}` });
  },
});

export const stateSchema = legacyCheck({
  name: 'state-schema',
  description: 'The state output is JSON valid against the state schema.',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { call, parsed } = await ctx.currentState(c);
    if (call.exitCode !== 0) return judge(ctx, step, false, `state ${describeOutcome(call)}`);
    judge(ctx, step, parsed.kind === 'valid',
      parsed.kind === 'valid' ? 'state is valid against the state schema' : parsed.kind === 'invalid' ? `state is not valid: ${parsed.errors.join('; ')}` : parsed.error,
      { actual: call.stdout.slice(0, 2000) });
  },
});

export const stateId = legacyCheck({
  name: 'state-id',
  description: "The state's id is the ID the container was created with.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { call, parsed } = await ctx.currentState(c);
    const id = stateFields(parsed)?.id;
    judge(ctx, step, id === c.id, id === c.id ? 'id matches' : call.exitCode !== 0 ? `state ${describeOutcome(call)}` : `id is ${JSON.stringify(id)}`,
      { expected: c.id, actual: id });
  },
});

export const stateBundle = legacyCheck({
  name: 'state-bundle',
  description: "The state's bundle is the absolute path of the bundle directory.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { parsed } = await ctx.currentState(c);
    const bundle = stateFields(parsed)?.bundle;
    const want = await realpath(c.paths.bundle);
    let same = false;
    if (typeof bundle === 'string' && isAbsolute(bundle)) {
      try {
        same = (await realpath(bundle)) === want;
      } catch {
        same = false;
      }
    }
    judge(ctx, step, same, same ? 'bundle is the absolute bundle path' : `bundle is ${JSON.stringify(bundle)}, not the absolute path ${want}`,
      { expected: want, actual: bundle });
  },
});

/**
 * The state's annotations property is OPTIONAL (runtime.md, State), so leaving it out is no failure; when the
 * runtime does report it, it "contains the list of annotations associated with the container", so every
 * annotation of config.json must be there with its value.
 */
export function annotationsVerdict(want: Readonly<Record<string, string>>, got: Readonly<Record<string, string>> | undefined): { ok: boolean; message: string } {
  if (got === undefined) return { ok: true, message: 'the state leaves out the OPTIONAL annotations property' };
  const differing = Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k]) => k);
  if (differing.length === 0) return { ok: true, message: 'annotations from config.json are in the state' };
  return { ok: false, message: `the state's annotations miss or change: ${differing.join(', ')}` };
}

export const stateAnnotations = legacyCheck({
  name: 'state-annotations',
  description: "If the state has annotations, every annotation of config.json is there with its value (the property itself is OPTIONAL).",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { parsed } = await ctx.currentState(c);
    const want = (c.config['annotations'] ?? {}) as Record<string, string>;
    const got = stateFields(parsed)?.annotations;
    const verdict = annotationsVerdict(want, got);
    judge(ctx, step, verdict.ok, verdict.message, { expected: want, actual: got });
  },
});

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

/**
 * runtime.md (State): pid "is the ID of the container process, as seen by the
 * host", REQUIRED while created or running on Linux. From the host it can
 * always be judged that the pid is a live process, set apart from the host
 * by a mount namespace of its own, and the same process from create to start.
 * Whether it is the process running the program can only be told when the
 * program runs under the host's kernel (its pid namespace is one the host's
 * processes are in): then its pid namespace, its pid inside it and its
 * executable must be the program's. A runtime that runs the container under a
 * kernel of its own (a sandbox) has no host process running the program; the
 * host process it names cannot be compared with a report from another kernel,
 * so that part is not judged, and the message says so.
 */
export function statePidVerdict(seen: PidSeen): { ok: boolean; message: string } {
  const { pid } = seen;
  if (!seen.alive) return { ok: false, message: `no live process has pid ${pid}` };
  if (!seen.first) return { ok: false, message: `pid ${pid} is not in a mount namespace of its own, so it is not the container process` };
  if (!seen.first.same) return { ok: false, message: `pid ${pid} is not the process first reported (${seen.first.pid})` };
  const p = seen.program;
  if (!p) return { ok: true, message: `pid ${pid} is a live host process in a mount namespace of its own, the same since it was first reported` };
  if (!p.hostKernel) {
    return {
      ok: true,
      message: `pid ${pid} is a live host process in a mount namespace of its own, the same since it was first reported; the program reports a pid namespace no host process is in, so it runs under a kernel of its own (a sandbox), and whether pid ${pid} is the process that runs it cannot be told from the host (not judged)`,
    };
  }
  const problems = [
    ...(p.inProgramPidNs ? [] : [`pid ${pid} is not in the program's pid namespace`]),
    ...(p.inProgramPidNs && !p.samePidInside ? [`pid ${pid} is not the program's process in its pid namespace`] : []),
    ...(p.executingProgram === false ? [`pid ${pid} is not executing the program`] : []),
  ];
  return problems.length === 0 ? { ok: true, message: `pid ${pid} is the container process` } : { ok: false, message: problems.join('; ') };
}

export const statePid = legacyCheck({
  name: 'state-pid',
  description: "While created or running, pid is the container process on the host: alive, in a mount namespace of its own, the same process from create to start, and, when the program runs under the host's kernel, the process in the program's pid namespace that (once started) executes the program. Under a kernel of its own (a sandbox) the last part cannot be observed from the host and is not judged.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { parsed } = await ctx.currentState(c);
    const doc = stateFields(parsed);
    const pid = doc?.pid;
    if (typeof pid !== 'number' || pid <= 0) return judge(ctx, step, false, `state has no pid while ${String(doc?.status)}`, { actual: pid });
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
    const verdict = statePidVerdict({ pid, alive: identity !== undefined, first, ...(program ? { program } : {}) });
    judge(ctx, step, verdict.ok, verdict.message, { expected: c.process ? `pid ${c.process.pid}` : 'the container process', actual: pid });
  },
});
