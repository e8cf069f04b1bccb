/**
 * Checks on hooks, judged from the hook log the probe writes (one line per
 * hook run) against the hooks the case configured.
 */
import { readFile, realpath } from 'node:fs/promises';
import type { CheckStep, HookSpec, HookType } from '../cases/types.js';
import { CONTAINER_NAMESPACE_HOOKS, HOOK_TYPE_SINCE, HOOK_TYPES } from '../cases/types.js';
import type { CaseContext, Container } from '../engine/context.js';
import { readHookLog, type HookRecord } from '../engine/hook-log.js';
import { readReport } from '../engine/probe-report.js';
import { placeHook, placementEvidence, programStart, type Placement } from './hook-placement.js';
import { parseState } from '../engine/state-document.js';
import { hookArgs, IN_CONTAINER } from '../bundle/config.js';
import { commandLine, COMPARED_NAMESPACES, fileId, identify, namespacesOf } from '../host/proc.js';
import { inRange } from '../spec/version.js';
import { judge, legacyCheck } from './check.js';

interface Configured {
  readonly type: HookType;
  readonly index: number;
  readonly hook: HookSpec;
}

const selector = {
  types: { type: 'array', minItems: 1, items: { enum: [...HOOK_TYPES] } },
  labels: { type: 'array', minItems: 1, items: { type: 'string' } },
} as const;

const selectorParams = { type: 'object', additionalProperties: false, minProperties: 1, properties: selector } as const;

/** Parameters of a check that names hooks by type or by label, plus its own. */
function withSelector(own: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    type: 'object', additionalProperties: false, required,
    properties: { ...selector, ...own },
    anyOf: [{ required: ['types'] }, { required: ['labels'] }],
  };
}

/** Does the target spec version define this hook type? Bundles leave out the ones it does not. */
export function hookTypeDefined(type: HookType, specVersion: string): boolean {
  return inRange(specVersion, `>=${HOOK_TYPE_SINCE[type]}`);
}

/**
 * The configured hooks a step names by type or label, in configuration
 * order, leaving out types the target version does not define. When that
 * leaves nothing, the step's requirements are skipped and undefined returned.
 */
function select(ctx: CaseContext, c: Container, step: CheckStep): Configured[] | undefined {
  const all = configured(c, step);
  const defined = all.filter((h) => hookTypeDefined(h.type, ctx.specVersion));
  if (defined.length === 0) {
    ctx.skipRequirements(step.requirements, `no hook named here exists in spec ${ctx.specVersion} (${[...new Set(all.map((h) => h.type))].join(', ') || describe(step)})`);
    return undefined;
  }
  return defined;
}

function configured(c: Container, step: CheckStep): Configured[] {
  const types = step.params['types'] as HookType[] | undefined;
  const labels = step.params['labels'] as string[] | undefined;
  const out: Configured[] = [];
  for (const type of HOOK_TYPES) {
    (c.spec.hooks[type] ?? []).forEach((hook, index) => {
      if ((types && types.includes(type)) || (labels && labels.includes(hook.label))) out.push({ type, index, hook });
    });
  }
  return out;
}

/** The log's records, or a failure message when the log cannot be read. */
async function records(c: Container): Promise<readonly HookRecord[] | string> {
  const log = await readHookLog(c.paths.hookLog);
  return log.kind === 'ok' ? log.records : log.error;
}

/**
 * The step's hooks and the log's records, or undefined when the step has
 * already been settled (skipped: no such hook in this version; failed: the
 * log cannot be read).
 */
async function selectWithRecords(ctx: CaseContext, c: Container, step: CheckStep): Promise<{ chosen: Configured[]; recs: readonly HookRecord[] } | undefined> {
  const chosen = select(ctx, c, step);
  if (!chosen) return undefined;
  const recs = await records(c);
  if (typeof recs === 'string') {
    judge(ctx, step, false, recs);
    return undefined;
  }
  return { chosen, recs };
}

/** Runs `each` for every configured hook of the step that has a record; judges once. */
async function judgeEach(ctx: CaseContext, step: CheckStep, c: Container, what: string,
  each: (h: Configured, r: HookRecord, line: number) => Promise<string | undefined> | string | undefined): Promise<void> {
  const got = await selectWithRecords(ctx, c, step);
  if (!got) return;
  const { chosen, recs } = got;
  const problems: string[] = [];
  let seen = 0;
  for (const h of chosen) {
    const line = recs.findIndex((x) => x.label === h.hook.label);
    if (line < 0) continue;
    seen++;
    const p = await each(h, recs[line]!, line);
    if (p) problems.push(`${h.type} hook ${h.hook.label}: ${p}`);
  }
  if (seen === 0) return judge(ctx, step, false, `no hook of ${describe(step)} ran, so ${what} cannot be seen`, { missingHookTypes: typesOf(chosen) });
  judge(ctx, step, problems.length === 0, problems.length === 0 ? `${what}: as required for ${seen} hook(s)` : problems.join('; '));
}

/** The distinct hook types of these hooks, in order. */
function typesOf(hooks: readonly Configured[]): HookType[] {
  return [...new Set(hooks.map((h) => h.type))];
}

/** Types none of whose hooks (among these) has a record. */
function typesNeverRun(hooks: readonly Configured[], recs: readonly HookRecord[]): HookType[] {
  return typesOf(hooks).filter((t) => hooks.every((h) => h.type !== t || !recs.some((r) => r.label === h.hook.label)));
}

function describe(step: CheckStep): string {
  const t = step.params['types'] as string[] | undefined;
  return t ? t.join(', ') : (step.params['labels'] as string[]).join(', ');
}

export const hooksRan = legacyCheck({
  name: 'hooks-ran',
  description: 'Every named hook has run, exactly once, by now.',
  params: selectorParams,
  async run(ctx, step, c) {
    const got = await selectWithRecords(ctx, c, step);
    if (!got) return;
    const { chosen, recs } = got;
    const missing = typesNeverRun(chosen, recs);
    let explained = true;
    const problems = chosen.flatMap(({ type, hook }) => {
      const n = recs.filter((r) => r.label === hook.label).length;
      if (n !== 1 && !missing.includes(type)) explained = false;
      return n === 1 ? [] : [`${type} hook ${hook.label} ran ${n} times`];
    });
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `${describe(step)} hooks ran, each once` : problems.join('; '),
      { expected: chosen.map((h) => h.hook.label), actual: recs.map((r) => r.label), ...(explained ? { missingHookTypes: missing } : {}) });
  },
});

export const hooksNotRun = legacyCheck({
  name: 'hooks-not-run',
  description: 'None of the named hooks has run (yet).',
  params: selectorParams,
  async run(ctx, step, c) {
    const got = await selectWithRecords(ctx, c, step);
    if (!got) return;
    const { chosen, recs } = got;
    const ran = chosen.filter(({ hook }) => recs.some((r) => r.label === hook.label)).map((h) => `${h.type} hook ${h.hook.label}`);
    judge(ctx, step, ran.length === 0, ran.length === 0 ? `no ${describe(step)} hook has run` : `ran when it must not have: ${ran.join(', ')}`,
      { expected: [], actual: ran });
  },
});

export const hooksInArrayOrder = legacyCheck({
  name: 'hooks-in-array-order',
  description: 'The hooks of each named type ran in the order of their array (types of which fewer than two ran are left to the checks on when hooks run).',
  params: { type: 'object', additionalProperties: false, required: ['types'], properties: { types: selector.types } },
  async run(ctx, step, c) {
    const recs = await records(c);
    if (typeof recs === 'string') return judge(ctx, step, false, recs);
    const types = (step.params['types'] as HookType[]).filter((t) => hookTypeDefined(t, ctx.specVersion));
    if (types.length === 0) return ctx.skipRequirements(step.requirements, `none of these hook types exists in spec ${ctx.specVersion}`);
    const problems: string[] = [];
    const judged: string[] = [];
    for (const type of types) {
      const want = (c.spec.hooks[type] ?? []).map((h) => h.label);
      const got = recs.map((r) => r.label).filter((l) => want.includes(l));
      if (got.length < 2) continue;
      judged.push(type);
      if (JSON.stringify(got) !== JSON.stringify(want.filter((l) => got.includes(l)))) problems.push(`${type} hooks ran as ${got.join(', ')}; configured ${want.join(', ')}`);
    }
    const neverRan = types.filter((type) => !recs.some((r) => (c.spec.hooks[type] ?? []).some((h) => h.label === r.label)));
    if (judged.length === 0) return judge(ctx, step, false, 'no hook type ran two hooks or more, so no order can be seen', { missingHookTypes: neverRan });
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `${judged.join(', ')} hooks ran in array order` : problems.join('; '));
  },
});

export const hooksInTypeOrder = legacyCheck({
  name: 'hooks-in-type-order',
  description: 'Every hook of each named type ran before every hook of the next named type (pairs where a type did not run are left to the checks on when hooks run).',
  params: { type: 'object', additionalProperties: false, required: ['types'], properties: { types: { ...selector.types, minItems: 2 } } },
  async run(ctx, step, c) {
    const recs = await records(c);
    if (typeof recs === 'string') return judge(ctx, step, false, recs);
    const types = (step.params['types'] as HookType[]).filter((t) => hookTypeDefined(t, ctx.specVersion));
    if (types.length < 2) return ctx.skipRequirements(step.requirements, `fewer than two of these hook types exist in spec ${ctx.specVersion}`);
    // Positions in the one log, whose lines hooks append as they start: an order
    // seen in one place, so no clock (the host's or a container's) is compared.
    const positions = types.map((type) => {
      const labels = (c.spec.hooks[type] ?? []).map((h) => h.label);
      return recs.flatMap((r, i) => (labels.includes(r.label) ? [i] : []));
    });
    const problems: string[] = [];
    let judged = 0;
    for (let i = 0; i + 1 < types.length; i++) {
      const a = positions[i]!, b = positions[i + 1]!;
      if (a.length === 0 || b.length === 0) continue;
      judged++;
      if (Math.max(...a) > Math.min(...b)) problems.push(`a ${types[i + 1]} hook ran before a ${types[i]} hook`);
    }
    if (judged === 0) return judge(ctx, step, false, `not both of ${types.join(', ')} ran, so their order cannot be seen`, { missingHookTypes: types.filter((_t, i) => positions[i]!.length === 0) });
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `ran in the order ${types.join(' < ')}` : problems.join('; '),
      { expected: types.join(' < '), actual: recs.map((r) => r.label) });
  },
});

export const hooksVsProgram = legacyCheck({
  name: 'hooks-vs-program',
  description: 'Each named hook ran before (or after) the user program started, by the lines the hook log had when the program started.',
  params: withSelector({ ran: { enum: ['before', 'after'] } }, ['ran']),
  async run(ctx, step, c) {
    const report = await readReport(c.paths.report);
    if (report.kind !== 'report') return judge(ctx, step, false, 'the program has not started, so hooks cannot be placed against it');
    const start = programStart(report, await fileId(c.paths.probeInRootfs));
    const want: Placement = step.params['ran'] === 'before' ? 'before' : 'after';
    await judgeEach(ctx, step, c, `ran ${want} the program started`, (_h, r, line) => {
      const placed = placeHook(line, r, start);
      if (placed === want) return undefined;
      if (placed === undefined) return 'cannot be placed against the program: the program could not read the hook log, and the hook did not see it executing';
      return `ran ${placed} the program started (${placementEvidence(line, start)})`;
    });
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

export const hooksState = legacyCheck({
  name: 'hooks-state',
  description: "Each named hook read the container's state on stdin: valid, its id and bundle, and a status true to the moment it ran.",
  params: withSelector({}),
  async run(ctx, step, c) {
    const start = programStart(await readReport(c.paths.report), await fileId(c.paths.probeInRootfs));
    const bundle = await realpath(c.paths.bundle);
    const notes: string[] = [];
    await judgeEach(ctx, step, c, 'state on stdin', async (h, r, line) => {
      const parsed = parseState(r.stdin);
      if (parsed.kind === 'not-json') return `stdin is not a state document: ${parsed.error}`;
      const doc = parsed.doc;
      const errors = parsed.kind === 'invalid' ? parsed.errors.filter((e) => !(e.startsWith('/status') && typeof doc.status === 'string')) : [];
      if (errors.length) return `state is not valid: ${errors.join('; ')}`;
      if (doc.id !== c.id) return `id is ${JSON.stringify(doc.id)}, not ${c.id}`;
      if (doc.bundle !== bundle && doc.bundle !== c.paths.bundle) return `bundle is ${JSON.stringify(doc.bundle)}, not ${bundle}`;
      const status = String(doc.status);
      if (!STANDARD.has(status)) {
        // runtime.md lets a runtime define statuses for states it adds.
        notes.push(`${h.hook.label} saw runtime-defined status "${status}"`);
        return undefined;
      }
      const allowed = allowedStatuses(h.type, placeHook(line, r, start));
      return allowed.includes(status) ? undefined : `status is ${status} where ${allowed.join(' or ')} is true at that moment`;
    });
    if (notes.length) judge(ctx, step, true, notes.join('; '));
  },
});

export const hooksStatePid = legacyCheck({
  name: 'hooks-state-pid',
  description: "The pid in each named hook's state is the container process as seen from the hook's namespace: for runtime-namespace hooks the host pid state names, for container-namespace hooks the pid the program reports of itself.",
  params: withSelector({}),
  async run(ctx, step, c) {
    const inContainerTypes = new Set(configured(c, step).map((h) => CONTAINER_NAMESPACE_HOOKS.has(h.type)));
    if (inContainerTypes.has(false) && !c.process) return ctx.skipRequirements(step.requirements, 'cannot be judged: no state named the container process (see state.pid)');
    // A container-namespace hook sees the container's pids, under the same kernel as the program (the host's, or a
    // sandbox's own), so its pid is compared with the program's report rather than with anything seen from the host.
    const report = await readReport(c.paths.report);
    const programPid = report.kind === 'report' ? report.report.pid : undefined;
    if (inContainerTypes.has(true) && programPid === undefined) return ctx.skipRequirements(step.requirements, 'cannot be judged: the program never reported its pid (see program-started)');
    await judgeEach(ctx, step, c, 'pid in state', (h, r) => {
      const parsed = parseState(r.stdin);
      const pid = parsed.kind === 'not-json' ? undefined : parsed.doc.pid;
      const inContainer = CONTAINER_NAMESPACE_HOOKS.has(h.type);
      const want = inContainer ? programPid : c.process!.pid;
      return pid === want ? undefined : `pid is ${String(pid)}, not ${String(want)} (the container process as seen from the ${inContainer ? 'container' : 'runtime'} namespace)`;
    });
  },
});

export const hooksNamespace = legacyCheck({
  name: 'hooks-namespace',
  description: "Each named hook ran in the runtime namespace (the harness's pid, net, uts and ipc namespaces, not the container's mount namespace) or in the container namespace (the mnt, pid, net, uts and ipc namespaces the program reports of itself).",
  params: withSelector({ namespace: { enum: ['runtime', 'container'] } }, ['namespace']),
  async run(ctx, step, c) {
    const container = step.params['namespace'] === 'container';
    // The container's namespaces as the program reports them: a hook in the container namespace reports its own
    // under the same kernel (the host's, or a sandbox's own), where the host's view of state.pid may not reach.
    const report = await readReport(c.paths.report);
    const theirs = report.kind === 'report' ? report.report.namespaces : undefined;
    if (container && !theirs) return ctx.skipRequirements(step.requirements, 'cannot be judged: the program never reported its namespaces (see program-started)');
    if (!container && !c.namespaces) return ctx.skipRequirements(step.requirements, 'cannot be judged: the container process was never observed (see state.pid)');
    const ours = await namespacesOf('self');
    await judgeEach(ctx, step, c, `ran in the ${container ? 'container' : 'runtime'} namespace`, (h, r) => {
      const differs: string[] = [];
      for (const ns of COMPARED_NAMESPACES) {
        const got = r.namespaces[ns];
        if (container) {
          if (got !== theirs![ns]) differs.push(`${ns} is not the container's`);
        } else if (ns === 'mnt') {
          // A runtime may itself run in a mount namespace of its own; it must not be the
          // container's. Once the container is gone (poststop) its namespace inode can be
          // handed to a new namespace, so the comparison means nothing there.
          if (h.type !== 'poststop' && got === c.namespaces!['mnt']) differs.push('mnt is the container\'s');
        } else if (got !== ours[ns]) differs.push(`${ns} is not the runtime's`);
      }
      return differs.length ? differs.join(', ') : undefined;
    });
  },
});

export const hooksArgv = legacyCheck({
  name: 'hooks-argv',
  description: 'Each named hook got exactly the configured args as its argv, argv[0] included.',
  params: withSelector({}),
  async run(ctx, step, c) {
    await judgeEach(ctx, step, c, 'argv', (h, r) => {
      const want = hookArgs(h.hook, h.type === 'startContainer' ? IN_CONTAINER.hookLog : c.paths.hookLog);
      return JSON.stringify(r.argv) === JSON.stringify(want) ? undefined : `argv is ${JSON.stringify(r.argv)}, not ${JSON.stringify(want)}`;
    });
  },
});

export const hooksEnv = legacyCheck({
  name: 'hooks-env',
  description: 'Each named hook whose entry sets env saw exactly that environment.',
  params: withSelector({}),
  async run(ctx, step, c) {
    await judgeEach(ctx, step, c, 'env', (h, r) => {
      if (h.hook.env === undefined) return 'the case sets no env for this hook';
      const want = [...h.hook.env].sort();
      const got = [...r.env].sort();
      return JSON.stringify(got) === JSON.stringify(want) ? undefined : `env is ${JSON.stringify(r.env)}, not ${JSON.stringify(h.hook.env)}`;
    });
  },
});

export const hooksObserved = legacyCheck({
  name: 'hooks-observed',
  description: 'Reports what the named hooks saw where the spec is silent (cwd, the environment when env is unset). Information: it fails only when no such hook ran.',
  params: withSelector({ what: { enum: ['cwd', 'env'] } }, ['what']),
  async run(ctx, step, c) {
    const seen: string[] = [];
    await judgeEach(ctx, step, c, `${String(step.params['what'])} reported`, (h, r) => {
      seen.push(step.params['what'] === 'cwd' ? `${h.hook.label}: cwd ${JSON.stringify(r.cwd)}` : `${h.hook.label}: ${r.env.length} variable(s)${r.env.length ? ` (${r.env.slice(0, 5).map((e) => e.split('=')[0]).join(', ')}${r.env.length > 5 ? ', ...' : ''})` : ''}`);
      return undefined;
    });
    if (seen.length) judge(ctx, step, true, seen.join('; '));
  },
});

export const hookAborted = legacyCheck({
  name: 'hook-aborted',
  description: 'The named hooks (runtime namespace) outlived their timeout and were aborted: their process is gone, the last runtime call returned before its deadline, and by its own clock no hook lived longer than its timeout plus `withinMs`.',
  params: { type: 'object', additionalProperties: false, required: ['labels', 'withinMs'], properties: { labels: selector.labels, withinMs: { type: 'integer', minimum: 0 } } },
  async run(ctx, step, c) {
    const got = await selectWithRecords(ctx, c, step);
    if (!got) return;
    const { chosen: hooks, recs } = got;
    const problems: string[] = [];
    const within = step.params['withinMs'] as number;
    const last = ctx.calls.at(-1);
    if (!last) problems.push('no runtime call was made');
    // How long the call took is no measure: on a loaded machine the runtime's own
    // set-up and tear-down can take seconds. The hook's own record of how long it
    // lived is, and it can only come out short, never long, under load.
    else if (last.timedOut) problems.push(`the operation was still running at its deadline (${Math.round(last.durationMs)} ms)`);
    const lived: string[] = [];
    const neverRan: HookType[] = [];
    for (const h of hooks) {
      const r = recs.find((x) => x.label === h.hook.label);
      if (!r) { problems.push(`${h.hook.label} never ran`); neverRan.push(h.type); continue; }
      if (CONTAINER_NAMESPACE_HOOKS.has(h.type)) { problems.push(`${h.hook.label}: only runtime-namespace hooks can be followed from the host`); continue; }
      if (await runsHook(r.pid, h.hook.label)) { problems.push(`${h.hook.label}: its process ${r.pid} is still running`); continue; }
      const ms = await livedMs(c.paths.hookLog, r.pid);
      const limit = (h.hook.timeout ?? 0) * 1000 + within;
      if (ms === undefined) problems.push(`${h.hook.label}: left no record of how long it lived`);
      else if (ms > limit) problems.push(`${h.hook.label} lived ${ms} ms by its own clock, more than its timeout plus ${within} ms (${limit} ms)`);
      else lived.push(`${h.hook.label} lived ${ms} ms (limit ${limit} ms)`);
    }
    // only a hook that never ran explains the failure when nothing else went wrong
    const onlyNeverRan = problems.length === neverRan.length;
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `aborted: ${lived.join('; ')}` : problems.join('; '),
      onlyNeverRan ? { missingHookTypes: [...new Set(neverRan)] } : {});
  },
});

/**
 * The milliseconds a sleeping hook had lived when it last wrote LOG.alive.PID
 * (bundles/probe.c), or undefined when there is no such record.
 */
async function livedMs(hookLog: string, pid: number): Promise<number | undefined> {
  try {
    const ms = Number((await readFile(`${hookLog}.alive.${pid}`, 'utf8')).trim());
    return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Is `pid` (still) the probe running hook `label`? A recycled pid runs something else. */
async function runsHook(pid: number, label: string): Promise<boolean> {
  if (!(await identify(pid))) return false;
  const argv = await commandLine(pid);
  return argv[1] === 'hook' && argv[2] === label;
}
