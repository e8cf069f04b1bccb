/** The operation steps: each drives the runtime once and judges its outcome. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fingerprintBundle } from '../bundle/fingerprint.js';
import { mergeConfig } from '../bundle/config.js';
import type { EditConfigStep, OpStep } from '../cases/types.js';
import { isAlive } from '../host/proc.js';
import type { CallRecord } from '../results.js';
import { describeOutcome, succeeded } from '../runtime/driver.js';
import type { CaseContext, Container } from './context.js';
import { CaseAborted } from './context.js';
import { exitStatusVerdict, generatedError, noEffectVerdict, outcomeVerdict } from './op-verdicts.js';
import { observeProcess } from './observe.js';

export async function runOp(ctx: CaseContext, step: OpStep): Promise<void> {
  const c = ctx.container(step.container);
  const watched = step.expect === 'error' && step.noEffect.length > 0 ? await snapshot(ctx) : undefined;
  ctx.generation++;
  const call = await invoke(ctx, step, c);

  if (succeeded(call)) {
    if (step.op === 'create' || step.op === 'run') c.createdOk = true;
    if (step.op === 'delete') c.deleted = true;
    if (step.op === 'state' && step.id === undefined) await observeProcess(c, c.latestState!.parsed);
  }
  // A valid value the runtime refuses is one it does not support (config.md, Valid values): nothing of the case can be judged.
  if (step.refused === 'unsupported' && generatedError(call)) {
    ctx.skipRequirements(ctx.testCase.requirements.map((r) => r.id), `not supported by the runtime: it refused a valid value (config.md, Valid values: a runtime MAY support a subset of the valid values and MUST refuse the rest); ${step.op} ${describeOutcome(call)}`);
    throw new CaseAborted(`step ${step.index} (${step.op} ${step.container}) refused a valid value: not supported`, call);
  }
  if (step.refused === 'config' && generatedError(call)) {
    ctx.skipRequirements(ctx.testCase.requirements.map((r) => r.id), `not judged: the runtime refused the config: ${step.op} ${describeOutcome(call)}`);
    throw new CaseAborted(`step ${step.index} (${step.op} ${step.container}) refused the config`, call);
  }
  let changed: string[] = [];
  if (watched !== undefined) {
    const v = noEffectVerdict(step.op, watched, await snapshot(ctx), call);
    changed = v.changed;
    ctx.assert(step.noEffect, v.ok, v.message, v);
  }
  const missingEffect = step.expect === 'success' && succeeded(call) ? await effectMissing(ctx, step, c) : undefined;
  const exitStatus = exitStatusVerdict(step, call, changed.length > 0, missingEffect);
  if (exitStatus) ctx.assert(step.exitStatus, exitStatus.ok, exitStatus.message, exitStatus);
  const outcome = outcomeVerdict(step, call, missingEffect);
  if (outcome && step.requirements.length > 0) ctx.assert(step.requirements, outcome.ok, outcome.message, outcome);
  // Without a successful operation the rest of the case has nothing to stand on.
  if (outcome && !outcome.ok && step.expect === 'success') throw new CaseAborted(`step ${step.index} (${step.op} ${step.container}) ${missingEffect ?? describeOutcome(call)}`, call);
  // A call that never ended has no outcome: nothing after it can be judged on it, and
  // nothing it should have done or not done (create nothing, run no hook) can pass.
  if (call.timedOut || (call.exitCode === null && call.signal !== null)) {
    throw new CaseAborted(`step ${step.index} (${step.op} ${step.container}) ${describeOutcome(call)}, so it has no outcome to judge`, call);
  }
}

/**
 * An operation is judged by its effect, not by its exit status alone: a
 * "runtime" that exits 0 and does nothing must not pass. After create, the
 * runtime must answer `state` for the container (runtime.md, Create: a new
 * container exists; Query State answers for the containers the runtime
 * knows), so an error there is create's failure. A `state` that exits 0 but
 * prints no state document shows nothing either way: create's requirements
 * are then not judged (the state requirements judge the document), never
 * passed. `run` is left out: once its process has ended, a runtime may already
 * have deleted the container, so no later observation can show it existed.
 * Returns what is missing, or undefined when the effect is there.
 */
async function effectMissing(ctx: CaseContext, step: OpStep, c: Container): Promise<string | undefined> {
  if (step.op !== 'create') return undefined;
  const shown = await ctx.queryState(c);
  if (!succeeded(shown.call)) return `create exited 0, but then \`state ${c.id}\` ${describeOutcome(shown.call)}: the runtime does not know the container`;
  if (shown.parsed.kind === 'not-json') {
    ctx.skipRequirements([...step.requirements, ...step.exitStatus], `not judged: after create exited 0, \`state ${c.id}\` printed no state document, so whether a container was made cannot be seen (${shown.parsed.error})`);
  }
  return undefined;
}

/** The bundle path a create or run is given (see OpStep.bundle). */
async function bundleFor(step: OpStep, c: Container): Promise<string> {
  if (step.bundle === 'missing') return join(c.paths.bundle, 'does-not-exist');
  if (step.bundle !== 'without-config') return c.paths.bundle;
  // Beside the bundle, in the case's own directory, so the bundle stays as written and teardown removes it.
  const empty = join(dirname(c.paths.bundle), 'bundle-without-config');
  await mkdir(empty, { recursive: true, mode: 0o700 });
  return empty;
}

async function invoke(ctx: CaseContext, step: OpStep, c: Container): Promise<CallRecord> {
  const opts = ctx.callOptions();
  const bundle = await bundleFor(step, c);
  if (step.id === 'omitted') {
    // The command line's operands without the ID: kill's signal is optional (default TERM), so kill gets none either.
    if (step.op === 'create') await ctx.journal(c);
    return ctx.record(ctx.driver.call(step.op === 'create' ? ['create', '--bundle', bundle] : [step.op], opts));
  }
  switch (step.op) {
    case 'create':
    case 'run':
      c.bundleFingerprint ??= await fingerprintBundle(c.paths.bundle);
      await ctx.journal(c);
      return ctx.record(step.op === 'create' ? ctx.driver.create(c.id, bundle, { ...opts, consoleSocket: c.console?.socket }) : ctx.driver.run(c.id, bundle, opts));
    case 'start':
      return ctx.record(ctx.driver.start(c.id, opts));
    case 'kill':
      return ctx.record(ctx.driver.kill(c.id, step.signal ?? 'TERM', opts));
    case 'delete':
      return ctx.record(ctx.driver.delete(c.id, opts));
    case 'state':
      return (await ctx.queryState(c)).call;
  }
}

/** Status, pid and process liveness of every container the case has touched. */
async function snapshot(ctx: CaseContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [alias, c] of ctx.containers) {
    const { call, parsed } = await ctx.queryState(c);
    let s = call.exitCode === 0 ? 'state ok' : 'state error';
    if (parsed.kind !== 'not-json') s += `, status ${parsed.doc.status ?? '?'}, pid ${parsed.doc.pid ?? '-'}`;
    if (c.process) s += (await isAlive(c.process)) ? ', process alive' : ', process gone';
    out.set(alias, s);
  }
  return out;
}

/** Rewrites config.json on disk after create; the container's recorded config stays as created. */
export async function editConfig(ctx: CaseContext, step: EditConfigStep): Promise<void> {
  const c = ctx.container(step.container);
  const file = join(c.paths.bundle, 'config.json');
  const current = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify(mergeConfig(current, step.patch), null, 2));
}
