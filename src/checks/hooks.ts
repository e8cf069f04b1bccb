/**
 * Checks on hooks, judged from the hook log the probe writes (one line per
 * hook run) against the hooks the case configured. The observers are in
 * src/engine/observers/hooks.ts.
 */
import type { HookType } from '../cases/types.js';
import { CONTAINER_NAMESPACE_HOOKS, HOOK_TYPE_SINCE, HOOK_TYPES } from '../cases/types.js';
import type { HookLogSeen, HooksSeen, NamedHook } from '../engine/observers/hooks.js';
import {
  observeHookArgv, observeHookEnv, observeHookNamespaces, observeHookReports, observeHookRuns, observeHooksAborted,
  observeHookStatePids, observeHookStates, observeHooksVsProgram,
} from '../engine/observers/hooks.js';
import { parseState } from '../engine/state-document.js';
import { placeHook, placementEvidence, type Placement } from '../engine/hook-placement.js';
import { inRange } from '../spec/version.js';
import { defineCheck, fail, pass, unjudged, verdict, type Finding } from './check.js';

const selector = {
  types: { type: 'array', minItems: 1, items: { enum: HOOK_TYPES } },
  labels: { type: 'array', minItems: 1, items: { type: 'string' } },
} as const;

const selectorParams = { type: 'object', additionalProperties: false, minProperties: 1, properties: selector } as const;

/** How a step names hooks (its parameters as the schema types them). */
interface Selector {
  readonly types?: readonly HookType[];
  readonly labels?: readonly string[];
}

/** Does the target spec version define this hook type? Bundles leave out the ones it does not. */
export function hookTypeDefined(type: HookType, specVersion: string): boolean {
  return inRange(specVersion, `>=${HOOK_TYPE_SINCE[type]}`);
}

function describe(params: Selector): string {
  return params.types ? params.types.join(', ') : (params.labels ?? []).join(', ');
}

/**
 * The named hooks the target version defines, in configuration order, and
 * the log's records; or the one finding that settles the step: a skip when
 * no named hook exists in this version, a failure when the log cannot be read.
 */
function selectWithRecords<R extends { readonly label: string }, H>(params: Selector, seen: HooksSeen<R, H>, specVersion: string):
  { chosen: (NamedHook & H)[]; recs: readonly R[] } | Finding {
  const defined = seen.hooks.filter((h) => hookTypeDefined(h.type, specVersion));
  if (defined.length === 0) {
    return unjudged(`no hook named here exists in spec ${specVersion} (${[...new Set(seen.hooks.map((h) => h.type))].join(', ') || describe(params)})`);
  }
  if ('error' in seen.log) return fail(seen.log.error);
  return { chosen: defined, recs: seen.log.records };
}

/** Judges `each` for every named hook that has a record (its first line): one verdict for them all. */
function judgeEach<R extends { readonly label: string }, H>(params: Selector, seen: HooksSeen<R, H>, specVersion: string, what: string,
  each: (h: NamedHook & H, r: R, line: number) => string | undefined): Finding {
  const got = selectWithRecords(params, seen, specVersion);
  if (!('chosen' in got)) return got;
  const { chosen, recs } = got;
  const problems: string[] = [];
  let ran = 0;
  for (const h of chosen) {
    const line = recs.findIndex((x) => x.label === h.label);
    if (line < 0) continue;
    ran++;
    const p = each(h, recs[line]!, line);
    if (p) problems.push(`${h.type} hook ${h.label}: ${p}`);
  }
  if (ran === 0) return fail(`no hook of ${describe(params)} ran, so ${what} cannot be seen`, { missingHookTypes: typesOf(chosen) });
  return verdict(problems.length === 0, problems.length === 0 ? `${what}: as required for ${ran} hook(s)` : problems.join('; '));
}

/** The distinct hook types of these hooks, in order. */
function typesOf(hooks: readonly NamedHook[]): HookType[] {
  return [...new Set(hooks.map((h) => h.type))];
}

/** Types none of whose hooks (among these) has a record. */
function typesNeverRun(hooks: readonly NamedHook[], recs: readonly { readonly label: string }[]): HookType[] {
  return typesOf(hooks).filter((t) => hooks.every((h) => h.type !== t || !recs.some((r) => r.label === h.label)));
}

/** The labels of the log, or the failure when it cannot be read. */
function logLabels(log: HookLogSeen<{ readonly label: string }>): string[] | Finding {
  return 'error' in log ? fail(log.error) : log.records.map((r) => r.label);
}

/** The configured labels of a hook type, in array order. */
function labelsOf(hooks: readonly NamedHook[], type: HookType): string[] {
  return hooks.filter((h) => h.type === type).map((h) => h.label);
}

export const hooksRan = defineCheck({
  name: 'hooks-ran',
  description: 'Every named hook has run, exactly once, by now.',
  params: selectorParams,
  observe: (_ctx, params, c) => observeHookRuns(c, params),
  judge(params, seen, at) {
    const got = selectWithRecords(params, seen, at.specVersion);
    if (!('chosen' in got)) return [got];
    const { chosen, recs } = got;
    const missing = typesNeverRun(chosen, recs);
    let explained = true;
    const problems = chosen.flatMap(({ type, label }) => {
      const n = recs.filter((r) => r.label === label).length;
      if (n !== 1 && !missing.includes(type)) explained = false;
      return n === 1 ? [] : [`${type} hook ${label} ran ${n} times`];
    });
    return [verdict(problems.length === 0, problems.length === 0 ? `${describe(params)} hooks ran, each once` : problems.join('; '),
      { expected: chosen.map((h) => h.label), actual: recs.map((r) => r.label), ...(explained ? { missingHookTypes: missing } : {}) })];
  },
});

export const hooksNotRun = defineCheck({
  name: 'hooks-not-run',
  description: 'None of the named hooks has run (yet).',
  params: selectorParams,
  observe: (_ctx, params, c) => observeHookRuns(c, params),
  judge(params, seen, at) {
    const got = selectWithRecords(params, seen, at.specVersion);
    if (!('chosen' in got)) return [got];
    const { chosen, recs } = got;
    const ran = chosen.filter(({ label }) => recs.some((r) => r.label === label)).map((h) => `${h.type} hook ${h.label}`);
    return [verdict(ran.length === 0, ran.length === 0 ? `no ${describe(params)} hook has run` : `ran when it must not have: ${ran.join(', ')}`,
      { expected: [], actual: ran })];
  },
});

export const hooksInArrayOrder = defineCheck({
  name: 'hooks-in-array-order',
  description: 'The hooks of each named type ran in the order of their array (types of which fewer than two ran are left to the checks on when hooks run).',
  params: { type: 'object', additionalProperties: false, required: ['types'], properties: { types: selector.types } } as const,
  observe: (_ctx, params, c) => observeHookRuns(c, params),
  judge(params, seen, at) {
    const logged = logLabels(seen.log);
    if (!Array.isArray(logged)) return [logged];
    const types = params.types.filter((t) => hookTypeDefined(t, at.specVersion));
    if (types.length === 0) return [unjudged(`none of these hook types exists in spec ${at.specVersion}`)];
    const problems: string[] = [];
    const judged: string[] = [];
    for (const type of types) {
      const want = labelsOf(seen.hooks, type);
      const got = logged.filter((l) => want.includes(l));
      if (got.length < 2) continue;
      judged.push(type);
      if (JSON.stringify(got) !== JSON.stringify(want.filter((l) => got.includes(l)))) problems.push(`${type} hooks ran as ${got.join(', ')}; configured ${want.join(', ')}`);
    }
    const neverRan = types.filter((type) => !logged.some((l) => labelsOf(seen.hooks, type).includes(l)));
    if (judged.length === 0) return [fail('no hook type ran two hooks or more, so no order can be seen', { missingHookTypes: neverRan })];
    return [verdict(problems.length === 0, problems.length === 0 ? `${judged.join(', ')} hooks ran in array order` : problems.join('; '))];
  },
});

export const hooksInTypeOrder = defineCheck({
  name: 'hooks-in-type-order',
  description: 'Every hook of each named type ran before every hook of the next named type (pairs where a type did not run are left to the checks on when hooks run).',
  params: { type: 'object', additionalProperties: false, required: ['types'], properties: { types: { ...selector.types, minItems: 2 } } } as const,
  observe: (_ctx, params, c) => observeHookRuns(c, params),
  judge(params, seen, at) {
    const logged = logLabels(seen.log);
    if (!Array.isArray(logged)) return [logged];
    const types = params.types.filter((t) => hookTypeDefined(t, at.specVersion));
    if (types.length < 2) return [unjudged(`fewer than two of these hook types exist in spec ${at.specVersion}`)];
    // Positions in the one log, whose lines hooks append as they start: an order
    // seen in one place, so no clock (the host's or a container's) is compared.
    const positions = types.map((type) => {
      const labels = labelsOf(seen.hooks, type);
      return logged.flatMap((l, i) => (labels.includes(l) ? [i] : []));
    });
    const problems: string[] = [];
    let judged = 0;
    for (let i = 0; i + 1 < types.length; i++) {
      const a = positions[i]!, b = positions[i + 1]!;
      if (a.length === 0 || b.length === 0) continue;
      judged++;
      if (Math.max(...a) > Math.min(...b)) problems.push(`a ${types[i + 1]} hook ran before a ${types[i]} hook`);
    }
    if (judged === 0) return [fail(`not both of ${types.join(', ')} ran, so their order cannot be seen`, { missingHookTypes: types.filter((_t, i) => positions[i]!.length === 0) })];
    return [verdict(problems.length === 0, problems.length === 0 ? `ran in the order ${types.join(' < ')}` : problems.join('; '),
      { expected: types.join(' < '), actual: logged })];
  },
});

const ranParams = {
  type: 'object', additionalProperties: false, required: ['ran'],
  properties: { ...selector, ran: { enum: ['before', 'after'] } },
  anyOf: [{ required: ['types'] }, { required: ['labels'] }],
} as const;

export const hooksVsProgram = defineCheck({
  name: 'hooks-vs-program',
  description: 'Each named hook ran before (or after) the user program started, by the lines the hook log had when the program started.',
  params: ranParams,
  observe: (_ctx, params, c) => observeHooksVsProgram(c, params),
  judge(params, seen, at) {
    const { start } = seen;
    if (!start.started) return [fail('the program has not started, so hooks cannot be placed against it')];
    const want: Placement = params.ran === 'before' ? 'before' : 'after';
    return [judgeEach(params, seen, at.specVersion, `ran ${want} the program started`, (_h, r, line) => {
      const placed = placeHook(line, r, start);
      if (placed === want) return undefined;
      if (placed === undefined) return 'cannot be placed against the program: the program could not read the hook log, and the hook did not see it executing';
      return `ran ${placed} the program started (${placementEvidence(line, start)})`;
    })];
  },
});

/**
 * Statuses a hook may see: what its type's phase implies, or the truth at the
 * moment it ran when a runtime runs it at another time (that timing is judged
 * by the "when" requirements, not here). A hook that cannot be placed against
 * the program is held to its phase.
 */
function allowedStatuses(type: HookType, placed: Placement | undefined): string[] {
  if (type === 'poststop') return ['stopped'];
  const nominal = ['prestart', 'createRuntime', 'createContainer', 'startContainer'].includes(type) ? ['creating', 'created'] : ['running'];
  const truth = placed === undefined ? [] : placed === 'before' ? ['creating', 'created'] : ['running'];
  return [...new Set([...nominal, ...truth])];
}

const STANDARD = new Set(['creating', 'created', 'running', 'stopped']);

const namedParams = {
  type: 'object', additionalProperties: false, properties: selector,
  anyOf: [{ required: ['types'] }, { required: ['labels'] }],
} as const;

export const hooksState = defineCheck({
  name: 'hooks-state',
  description: "Each named hook read the container's state on stdin: valid, its id and bundle, and a status true to the moment it ran.",
  params: namedParams,
  observe: (_ctx, params, c) => observeHookStates(c, params),
  judge(params, seen, at) {
    const { id, bundle, start } = seen;
    const notes: string[] = [];
    const each = judgeEach(params, seen, at.specVersion, 'state on stdin', (h, r, line) => {
      const parsed = parseState(r.stdin);
      if (parsed.kind === 'not-json') return `stdin is not a state document: ${parsed.error}`;
      const doc = parsed.doc;
      const errors = parsed.kind === 'invalid' ? parsed.errors.filter((e) => !(e.startsWith('/status') && typeof doc.status === 'string')) : [];
      if (errors.length) return `state is not valid: ${errors.join('; ')}`;
      if (doc.id !== id) return `id is ${JSON.stringify(doc.id)}, not ${id}`;
      if (doc.bundle !== bundle.resolved && doc.bundle !== bundle.path) return `bundle is ${JSON.stringify(doc.bundle)}, not ${bundle.resolved}`;
      const status = String(doc.status);
      if (!STANDARD.has(status)) {
        // runtime.md lets a runtime define statuses for states it adds.
        notes.push(`${h.label} saw runtime-defined status "${status}"`);
        return undefined;
      }
      const allowed = allowedStatuses(h.type, placeHook(line, r, start));
      return allowed.includes(status) ? undefined : `status is ${status} where ${allowed.join(' or ')} is true at that moment`;
    });
    return notes.length ? [each, pass(notes.join('; '))] : [each];
  },
});

export const hooksStatePid = defineCheck({
  name: 'hooks-state-pid',
  description: "The pid in each named hook's state is the container process as seen from the hook's namespace: for runtime-namespace hooks the host pid state names, for container-namespace hooks the pid the program reports of itself.",
  params: namedParams,
  observe: (_ctx, params, c) => observeHookStatePids(c, params),
  judge(params, seen, at) {
    const inContainerTypes = new Set(seen.hooks.map((h) => CONTAINER_NAMESPACE_HOOKS.has(h.type)));
    if (inContainerTypes.has(false) && seen.hostPid === null) return [unjudged('cannot be judged: no state named the container process (see state.pid)')];
    // A container-namespace hook sees the container's pids, under the same kernel as the program (the host's, or a
    // sandbox's own), so its pid is compared with the program's report rather than with anything seen from the host.
    if (inContainerTypes.has(true) && seen.programPid === null) return [unjudged('cannot be judged: the program never reported its pid (see program-started)')];
    return [judgeEach(params, seen, at.specVersion, 'pid in state', (h, r) => {
      const parsed = parseState(r.stdin);
      const pid = parsed.kind === 'not-json' ? undefined : parsed.doc.pid;
      const inContainer = CONTAINER_NAMESPACE_HOOKS.has(h.type);
      const want = inContainer ? seen.programPid : seen.hostPid;
      return pid === want ? undefined : `pid is ${String(pid)}, not ${String(want)} (the container process as seen from the ${inContainer ? 'container' : 'runtime'} namespace)`;
    })];
  },
});

export const hooksNamespace = defineCheck({
  name: 'hooks-namespace',
  description: "Each named hook ran in the runtime namespace (the harness's pid, net, uts and ipc namespaces, not the container's mount namespace) or in the container namespace (the mnt, pid, net, uts and ipc namespaces the program reports of itself).",
  params: {
    type: 'object', additionalProperties: false, required: ['namespace'],
    properties: { ...selector, namespace: { enum: ['runtime', 'container'] } },
    anyOf: [{ required: ['types'] }, { required: ['labels'] }],
  } as const,
  observe: (_ctx, params, c) => observeHookNamespaces(c, params),
  judge(params, seen, at) {
    const inContainer = params.namespace === 'container';
    // The container's namespaces as the program reports them: a hook in the container namespace reports its own
    // under the same kernel (the host's, or a sandbox's own), where the host's view of state.pid may not reach.
    const theirs = seen.program;
    const container = seen.container;
    if (inContainer && !theirs) return [unjudged('cannot be judged: the program never reported its namespaces (see program-started)')];
    if (!inContainer && !container) return [unjudged('cannot be judged: the container process was never observed (see state.pid)')];
    const ours = seen.harness;
    return [judgeEach(params, seen, at.specVersion, `ran in the ${inContainer ? 'container' : 'runtime'} namespace`, (h, r) => {
      const differs: string[] = [];
      for (const ns of Object.keys(ours)) {
        const got = r.namespaces[ns];
        if (inContainer) {
          if (got !== theirs![ns]) differs.push(`${ns} is not the container's`);
        } else if (ns === 'mnt') {
          // A runtime may itself run in a mount namespace of its own; it must not be the
          // container's. Once the container is gone (poststop) its namespace inode can be
          // handed to a new namespace, so the comparison means nothing there.
          if (h.type !== 'poststop' && got === container!['mnt']) differs.push('mnt is the container\'s');
        } else if (got !== ours[ns]) differs.push(`${ns} is not the runtime's`);
      }
      return differs.length ? differs.join(', ') : undefined;
    })];
  },
});

export const hooksArgv = defineCheck({
  name: 'hooks-argv',
  description: 'Each named hook got exactly the configured args as its argv, argv[0] included.',
  params: namedParams,
  observe: (_ctx, params, c) => observeHookArgv(c, params),
  judge(params, seen, at) {
    return [judgeEach(params, seen, at.specVersion, 'argv', (h, r) =>
      (JSON.stringify(r.argv) === JSON.stringify(h.args) ? undefined : `argv is ${JSON.stringify(r.argv)}, not ${JSON.stringify(h.args)}`))];
  },
});

export const hooksEnv = defineCheck({
  name: 'hooks-env',
  description: 'Each named hook whose entry sets env saw exactly that environment.',
  params: namedParams,
  observe: (_ctx, params, c) => observeHookEnv(c, params),
  judge(params, seen, at) {
    return [judgeEach(params, seen, at.specVersion, 'env', (h, r) => {
      if (h.env === undefined) return 'the case sets no env for this hook';
      const want = [...h.env].sort();
      const got = [...r.env].sort();
      return JSON.stringify(got) === JSON.stringify(want) ? undefined : `env is ${JSON.stringify(r.env)}, not ${JSON.stringify(h.env)}`;
    })];
  },
});

export const hooksObserved = defineCheck({
  name: 'hooks-observed',
  description: 'Reports what the named hooks saw where the spec is silent (cwd, the environment when env is unset). Information: it fails only when no such hook ran.',
  params: {
    type: 'object', additionalProperties: false, required: ['what'],
    properties: { ...selector, what: { enum: ['cwd', 'env'] } },
    anyOf: [{ required: ['types'] }, { required: ['labels'] }],
  } as const,
  observe: (_ctx, params, c) => observeHookReports(c, params, params.what),
  judge(params, seen, at) {
    const reported: string[] = [];
    const each = judgeEach(params, seen, at.specVersion, `${params.what} reported`, (h, r) => {
      const names = r.envNames ?? [];
      reported.push(params.what === 'cwd' ? `${h.label}: cwd ${JSON.stringify(r.cwd)}` : `${h.label}: ${names.length} variable(s)${names.length ? ` (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})` : ''}`);
      return undefined;
    });
    return reported.length ? [each, pass(reported.join('; '))] : [each];
  },
});

export const hookAborted = defineCheck({
  name: 'hook-aborted',
  description: 'The named hooks (runtime namespace) outlived their timeout and were aborted: their process is gone, the last runtime call returned before its deadline, and by its own clock no hook lived longer than its timeout plus `withinMs`.',
  params: { type: 'object', additionalProperties: false, required: ['labels', 'withinMs'], properties: { labels: selector.labels, withinMs: { type: 'integer', minimum: 0 } } } as const,
  observe: (ctx, params, c) => observeHooksAborted(ctx, c, params),
  judge(params, seen, at) {
    const got = selectWithRecords(params, seen, at.specVersion);
    if (!('chosen' in got)) return [got];
    const { chosen: hooks, recs } = got;
    const problems: string[] = [];
    const within = params.withinMs;
    const last = seen.lastCall;
    if (!last) problems.push('no runtime call was made');
    // How long the call took is no measure: on a loaded machine the runtime's own
    // set-up and tear-down can take seconds. The hook's own record of how long it
    // lived is, and it can only come out short, never long, under load.
    else if (last.timedOut) problems.push(`the operation was still running at its deadline (${Math.round(last.durationMs)} ms)`);
    const lived: string[] = [];
    const neverRan: HookType[] = [];
    for (const h of hooks) {
      if (!recs.some((x) => x.label === h.label)) { problems.push(`${h.label} never ran`); neverRan.push(h.type); continue; }
      if (CONTAINER_NAMESPACE_HOOKS.has(h.type) || !h.process) { problems.push(`${h.label}: only runtime-namespace hooks can be followed from the host`); continue; }
      if (h.process.running) { problems.push(`${h.label}: its process ${h.process.pid} is still running`); continue; }
      const ms = h.process.livedMs;
      const limit = (h.timeout ?? 0) * 1000 + within;
      if (ms === undefined) problems.push(`${h.label}: left no record of how long it lived`);
      else if (ms > limit) problems.push(`${h.label} lived ${ms} ms by its own clock, more than its timeout plus ${within} ms (${limit} ms)`);
      else lived.push(`${h.label} lived ${ms} ms (limit ${limit} ms)`);
    }
    // only a hook that never ran explains the failure when nothing else went wrong
    const onlyNeverRan = problems.length === neverRan.length;
    return [verdict(problems.length === 0, problems.length === 0 ? `aborted: ${lived.join('; ')}` : problems.join('; '),
      onlyNeverRan ? { missingHookTypes: [...new Set(neverRan)] } : {})];
  },
});
