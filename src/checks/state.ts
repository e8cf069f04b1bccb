/** Checks on the state document a runtime prints. */
import { realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { ContainerStatus } from '../cases/types.js';
import { stateFields } from '../engine/context.js';
import { executableId, fileId, identify, namespaceInode } from '../host/proc.js';
import { observeProcess } from '../engine/observe.js';
import { readReport } from '../engine/probe-report.js';
import { describeOutcome } from '../runtime/driver.js';
import { pollUntil } from '../util/poll.js';
import type { CheckDefinition } from './check.js';
import { NO_PARAMS, judge } from './check.js';

const STATUSES = ['creating', 'created', 'running', 'stopped'];

export const stateStatus: CheckDefinition = {
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
};

export const stateErrors: CheckDefinition = {
  name: 'state-errors',
  description: 'state of the container is an error (it does not exist).',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { call } = await ctx.queryState(c);
    const ok = !call.timedOut && call.exitCode !== null && call.exitCode !== 0;
    judge(ctx, step, ok, ok ? `state of ${c.id} is an error` : `state of ${c.id} ${describeOutcome(call)}`,
      { expected: 'non-zero exit status', actual: call.timedOut ? 'deadline passed' : `exit status ${call.exitCode}` });
  },
};

export const stateSchema: CheckDefinition = {
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
};

export const stateId: CheckDefinition = {
  name: 'state-id',
  description: "The state's id is the ID the container was created with.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { call, parsed } = await ctx.currentState(c);
    const id = stateFields(parsed)?.id;
    judge(ctx, step, id === c.id, id === c.id ? 'id matches' : call.exitCode !== 0 ? `state ${describeOutcome(call)}` : `id is ${JSON.stringify(id)}`,
      { expected: c.id, actual: id });
  },
};

export const stateBundle: CheckDefinition = {
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
};

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

export const stateAnnotations: CheckDefinition = {
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
};

export const statePid: CheckDefinition = {
  name: 'state-pid',
  description: "While created or running, pid is the container process on the host: alive, in the container's namespaces, the same process from create to start, and (once started) the one executing the program.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const { parsed } = await ctx.currentState(c);
    const doc = stateFields(parsed);
    const pid = doc?.pid;
    if (typeof pid !== 'number' || pid <= 0) return judge(ctx, step, false, `state has no pid while ${String(doc?.status)}`, { actual: pid });
    await observeProcess(c, parsed);
    const problems: string[] = [];
    const identity = await identify(pid);
    if (!identity) problems.push(`no live process has pid ${pid}`);
    else if (!c.process) problems.push(`pid ${pid} is not in a mount namespace of its own, so it is not the container process`);
    else if (c.process.pid !== pid || c.process.startTime !== identity.startTime) problems.push(`pid ${pid} is not the process first reported (${c.process.pid})`);
    const report = await readReport(c.paths.report);
    if (identity && report.kind === 'report') {
      // Once the program runs, the pid must be the very process that runs it.
      const [pidNs, exe, probe] = await Promise.all([namespaceInode(pid, 'pid'), executableId(pid), fileId(c.paths.probeInRootfs)]);
      if (pidNs !== report.report.namespaces['pid']) problems.push(`pid ${pid} is not in the program's pid namespace`);
      if (doc?.status === 'running' && exe !== probe) problems.push(`pid ${pid} is not executing the program`);
    }
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `pid ${pid} is the container process` : problems.join('; '),
      { expected: c.process ? `pid ${c.process.pid}` : 'the container process', actual: pid });
  },
};
