/** Checks on the state document a runtime prints. */
import type { CallRecord } from '../results.js';
import { describeOutcome } from '../results.js';
import type { StateParse } from '../engine/state-document.js';
import type { PidSeen } from '../engine/observers/state.js';
import { currentState, freshState, observeAnnotations, observeBundle, observeStatePid, pollStatus } from '../engine/observers/state.js';
import { defineCheck, fail, NO_PARAMS, verdict } from './check.js';

export type { PidSeen } from '../engine/observers/state.js';

const STATUSES = ['creating', 'created', 'running', 'stopped'] as const;

/** The document's fields, whether or not it passed the schema. */
function fields(parsed: StateParse): Readonly<Record<string, unknown>> | undefined {
  return parsed.kind === 'not-json' ? undefined : { ...parsed.doc };
}

/** Why a state query gave no document, when it did not. */
function noDocument(call: CallRecord, parsed: StateParse): string | undefined {
  if (call.exitCode !== 0) return `state ${describeOutcome(call)}`;
  return parsed.kind === 'not-json' ? parsed.error : undefined;
}

export const stateStatus = defineCheck({
  name: 'state-status',
  description: 'state reports the given status: `is` now, or `becomes` it before the deadline (polled).',
  params: {
    type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1,
    properties: { is: { enum: STATUSES }, becomes: { enum: STATUSES } },
  } as const,
  observe: (ctx, params, c) => pollStatus(ctx, c, (params.is ?? params.becomes)!, params.becomes !== undefined),
  judge(_params, { wanted, waitedMs, seen }) {
    const found = seen.at(-1)?.status === wanted;
    return [verdict(found,
      found ? `status is ${wanted}` : `status is not ${wanted}${waitedMs > 0 ? ` within ${waitedMs} ms` : ''}: ${seen.map((s) => s.what).join(', then ')}`,
      { expected: wanted, actual: seen.at(-1)?.what })];
  },
});

export const stateErrors = defineCheck({
  name: 'state-errors',
  description: 'state of the container is an error (it does not exist).',
  params: NO_PARAMS,
  observe: async (ctx, _params, c) => ({ id: c.id, ...(await freshState(ctx, c)) }),
  judge(_params, { id, call }) {
    const ok = !call.timedOut && call.exitCode !== null && call.exitCode !== 0;
    return [verdict(ok, ok ? `state of ${id} is an error` : `state of ${id} ${describeOutcome(call)}`,
      { expected: 'non-zero exit status', actual: call.timedOut ? 'deadline passed' : `exit status ${call.exitCode}` })];
  },
});

export const stateSchema = defineCheck({
  name: 'state-schema',
  description: 'The state output is JSON valid against the state schema.',
  params: NO_PARAMS,
  observe: (ctx, _params, c) => currentState(ctx, c),
  judge(_params, { call, parsed }) {
    if (call.exitCode !== 0) return [fail(`state ${describeOutcome(call)}`)];
    return [verdict(parsed.kind === 'valid',
      parsed.kind === 'valid' ? 'state is valid against the state schema' : parsed.kind === 'invalid' ? `state is not valid: ${parsed.errors.join('; ')}` : parsed.error,
      { actual: call.stdout.slice(0, 2000) })];
  },
});

export const stateId = defineCheck({
  name: 'state-id',
  description: "The state's id is the ID the container was created with.",
  params: NO_PARAMS,
  observe: (ctx, _params, c) => currentState(ctx, c),
  judge(_params, { id: want, call, parsed }) {
    const id = fields(parsed)?.['id'];
    const ok = id === want;
    return [verdict(ok, ok ? 'id matches' : call.exitCode !== 0 ? `state ${describeOutcome(call)}` : `id is ${JSON.stringify(id)}`, { expected: want, actual: id })];
  },
});

export const stateBundle = defineCheck({
  name: 'state-bundle',
  description: "The state's bundle is the absolute path of the bundle directory.",
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeBundle(ctx, c),
  judge(_params, { reported, bundle, reportedResolved }) {
    const same = typeof reported === 'string' && reported.startsWith('/') && reportedResolved === bundle;
    return [verdict(same, same ? 'bundle is the absolute bundle path' : `bundle is ${JSON.stringify(reported)}, not the absolute path ${bundle}`,
      { expected: bundle, actual: reported })];
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

export const stateAnnotations = defineCheck({
  name: 'state-annotations',
  description: "If the state has annotations, every annotation of config.json is there with its value (the property itself is OPTIONAL).",
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeAnnotations(ctx, c),
  judge(_params, { configured, reported }) {
    const got = reported === null ? undefined : (reported as Record<string, string>);
    const v = annotationsVerdict(configured, got);
    return [verdict(v.ok, v.message, { expected: configured, actual: got })];
  },
});

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

export const statePid = defineCheck({
  name: 'state-pid',
  description: "While created or running, pid is the container process on the host: alive, in a mount namespace of its own, the same process from create to start, and, when the program runs under the host's kernel, the process in the program's pid namespace that (once started) executes the program. Under a kernel of its own (a sandbox) the last part cannot be observed from the host and is not judged.",
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeStatePid(ctx, c),
  judge(_params, seen) {
    if (seen.host === undefined) return [fail(`state has no pid while ${String(seen.status)}`, { actual: seen.pid })];
    const v = statePidVerdict(seen.host);
    return [verdict(v.ok, v.message, { expected: seen.firstReported !== null ? `pid ${seen.firstReported}` : 'the container process', actual: seen.pid })];
  },
});
