/**
 * How an operation step is judged, as pure functions of what was seen: the
 * call record, whether the operation visibly took effect, and what changed.
 * The engine (ops.ts) observes and records; these decide.
 */
import type { OpStep } from '../cases/types.js';
import type { CallRecord } from '../results.js';
import { describeOutcome } from '../results.js';
import type { Verdict } from './check.js';

/** True when the call is a proper error: the runtime exited by itself, non-zero. */
export function generatedError(call: CallRecord): boolean {
  return !call.timedOut && call.exitCode !== null && call.exitCode !== 0;
}

export function succeededCall(call: CallRecord): boolean {
  return !call.timedOut && call.exitCode === 0;
}

function statusOf(call: CallRecord): string {
  return call.timedOut ? 'no exit status (deadline passed)' : call.exitCode === null ? `no exit status (killed by ${call.signal})` : `exit status ${call.exitCode}`;
}

/**
 * The exit status must tell what happened. For an operation that should have
 * failed, exit 0 is only a lie when nothing happened either; when the
 * operation took effect, exit 0 is the truth and the step's requirement
 * carries the failure. Undefined when the step judges no exit status.
 */
export function exitStatusVerdict(step: Pick<OpStep, 'op' | 'expect' | 'exitStatus'>, call: CallRecord, tookEffect: boolean, missingEffect: string | undefined): Verdict | undefined {
  if (step.exitStatus.length === 0 || step.expect === 'any') return undefined;
  const status = statusOf(call);
  if (step.expect === 'success') {
    // Exit 0 from an operation that did not happen claims a success that is not there.
    const ok = succeededCall(call) && !missingEffect;
    const message = !succeededCall(call) ? `${step.op} that should succeed gave ${status}`
      : missingEffect ? `${step.op} gave exit status 0 though it did not take effect: ${missingEffect}`
        : `${step.op} gave exit status 0 and took effect`;
    return { ok, message, expected: 'exit status 0 for an operation that took effect', actual: status, call };
  }
  const ok = generatedError(call) || (succeededCall(call) && tookEffect);
  const message = generatedError(call)
    ? `${step.op} reported its error with ${status}`
    : succeededCall(call) && tookEffect
      ? `${step.op} exited 0 and did take effect, so the exit status is truthful`
      : `${step.op} gave ${status} though it did nothing`;
  return { ok, message, expected: 'non-zero exit status', actual: status, call };
}

/** Whether the operation succeeded or failed as the step expects (undefined for `expect: any`). */
export function outcomeVerdict(step: Pick<OpStep, 'op' | 'expect'>, call: CallRecord, missingEffect: string | undefined): Verdict | undefined {
  if (step.expect === 'any') return undefined;
  const ok = step.expect === 'success' ? succeededCall(call) && !missingEffect : generatedError(call);
  const wanted = step.expect === 'success' ? 'succeed' : 'fail';
  const message = missingEffect ?? (ok ? `${step.op} ${step.expect === 'success' ? 'succeeded' : 'failed'} as required: it ${describeOutcome(call)}` : `${step.op} should ${wanted} but it ${describeOutcome(call)}`);
  const status = call.timedOut ? 'deadline passed' : call.exitCode === null ? `killed by ${call.signal}` : `exit status ${call.exitCode}`;
  return {
    ok, message, call,
    expected: step.expect === 'error' ? 'non-zero exit status' : step.op === 'create' ? 'exit status 0, and `state` answers for the container' : 'exit status 0',
    actual: missingEffect ? `${status}, and \`state\` does not answer for the container` : status,
  };
}

/** An operation expected to fail must leave every container as it was: `before` and `after` describe each by alias. */
export function noEffectVerdict(op: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, call: CallRecord): Verdict & { changed: string[] } {
  const changed = [...after].filter(([alias, s]) => before.get(alias) !== s).map(([alias, s]) => `${alias}: ${before.get(alias)} -> ${s}`);
  return {
    ok: changed.length === 0,
    message: changed.length === 0 ? `${op} left every container as it was` : `${op} changed the environment: ${changed.join('; ')}`,
    expected: Object.fromEntries(before), actual: Object.fromEntries(after), call, changed,
  };
}
