/** The operation steps: each drives the runtime once and judges its outcome. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fingerprintBundle } from '../bundle/fingerprint.js';
import { mergeConfig } from '../bundle/config.js';
import type { EditConfigStep, OpStep } from '../cases/types.js';
import { isAlive } from '../host/proc.js';
import type { CallRecord } from '../results.js';
import { describeOutcome, succeeded } from '../runtime/driver.js';
import type { CaseContext, Container } from './context.js';
import { CaseAborted } from './context.js';
import { observeProcess } from './observe.js';

/** True when the call is a proper error: the runtime exited by itself, non-zero. */
function generatedError(call: CallRecord): boolean {
  return !call.timedOut && call.exitCode !== null && call.exitCode !== 0;
}

export async function runOp(ctx: CaseContext, step: OpStep): Promise<void> {
  const c = ctx.container(step.container);
  const watched = step.expect === 'error' && step.noEffect.length > 0 ? await snapshot(ctx) : undefined;
  ctx.generation++;
  const call = await invoke(ctx, step, c);

  if (succeeded(call)) {
    if (step.op === 'create' || step.op === 'run') c.createdOk = true;
    if (step.op === 'delete') c.deleted = true;
    if (step.op === 'state') await observeProcess(c, c.latestState!.parsed);
  }
  let changed: string[] = [];
  if (watched !== undefined) {
    const after = await snapshot(ctx);
    changed = [...after].filter(([alias, s]) => watched.get(alias) !== s).map(([alias, s]) => `${alias}: ${watched.get(alias)} -> ${s}`);
    ctx.assert(step.noEffect, changed.length === 0,
      changed.length === 0
        ? `${step.op} left every container as it was`
        : `${step.op} changed the environment: ${changed.join('; ')}`,
      { expected: Object.fromEntries(watched), actual: Object.fromEntries(after), call });
  }
  const missingEffect = step.expect === 'success' && succeeded(call) ? await effectMissing(ctx, step, c) : undefined;
  judgeExitStatus(ctx, step, call, changed.length > 0, missingEffect);
  judgeOutcome(ctx, step, call, missingEffect);
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

async function invoke(ctx: CaseContext, step: OpStep, c: Container): Promise<CallRecord> {
  const opts = ctx.callOptions();
  const bundle = step.missingBundle ? join(c.paths.bundle, 'does-not-exist') : c.paths.bundle;
  switch (step.op) {
    case 'create':
    case 'run':
      c.bundleFingerprint ??= await fingerprintBundle(c.paths.bundle);
      await ctx.journal(c);
      return ctx.record(step.op === 'create' ? ctx.driver.create(c.id, bundle, opts) : ctx.driver.run(c.id, bundle, opts));
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

/**
 * The exit status must tell what happened. For an operation that should have
 * failed, exit 0 is only a lie when nothing happened either; when the
 * operation took effect, exit 0 is the truth and `requirement` carries the
 * failure.
 */
function judgeExitStatus(ctx: CaseContext, step: OpStep, call: CallRecord, tookEffect: boolean, missingEffect: string | undefined): void {
  if (step.exitStatus.length === 0 || step.expect === 'any') return;
  const status = call.timedOut ? 'no exit status (deadline passed)' : call.exitCode === null ? `no exit status (killed by ${call.signal})` : `exit status ${call.exitCode}`;
  if (step.expect === 'success') {
    // Exit 0 from an operation that did not happen claims a success that is not there.
    const message = !succeeded(call) ? `${step.op} that should succeed gave ${status}`
      : missingEffect ? `${step.op} gave exit status 0 though it did not take effect: ${missingEffect}`
        : `${step.op} gave exit status 0 and took effect`;
    ctx.assert(step.exitStatus, succeeded(call) && !missingEffect, message, { expected: 'exit status 0 for an operation that took effect', actual: status, call });
    return;
  }
  const ok = generatedError(call) || (succeeded(call) && tookEffect);
  const message = generatedError(call)
    ? `${step.op} reported its error with ${status}`
    : succeeded(call) && tookEffect
      ? `${step.op} exited 0 and did take effect, so the exit status is truthful`
      : `${step.op} gave ${status} though it did nothing`;
  ctx.assert(step.exitStatus, ok, message, { expected: 'non-zero exit status', actual: status, call });
}

function judgeOutcome(ctx: CaseContext, step: OpStep, call: CallRecord, missingEffect: string | undefined): void {
  if (step.expect === 'any') return;
  const ok = step.expect === 'success' ? succeeded(call) && !missingEffect : generatedError(call);
  const wanted = step.expect === 'success' ? 'succeed' : 'fail';
  const message = missingEffect ?? (ok ? `${step.op} ${step.expect === 'success' ? 'succeeded' : 'failed'} as required: it ${describeOutcome(call)}` : `${step.op} should ${wanted} but it ${describeOutcome(call)}`);
  if (step.requirements.length > 0) {
    const status = call.timedOut ? 'deadline passed' : call.exitCode === null ? `killed by ${call.signal}` : `exit status ${call.exitCode}`;
    ctx.assert(step.requirements, ok, message, {
      expected: step.expect === 'error' ? 'non-zero exit status' : step.op === 'create' ? 'exit status 0, and `state` answers for the container' : 'exit status 0',
      actual: missingEffect ? `${status}, and \`state\` does not answer for the container` : status,
      call,
    });
  }
  // Without a successful operation the rest of the case has nothing to stand on.
  if (!ok && step.expect === 'success') throw new CaseAborted(`step ${step.index} (${step.op} ${step.container}) ${missingEffect ?? describeOutcome(call)}`, call);
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
