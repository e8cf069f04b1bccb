/**
 * The engine's own judgements of an operation step, as pure functions: each
 * passes and fails on hand-made call records. (The broken runtimes in
 * test/runtimes/broken/ fail them through real runs.)
 */
import t from 'tap';
import type { CallRecord } from '../src/results.js';
import { exitStatusVerdict, noEffectVerdict, outcomeVerdict } from '../src/engine/op-verdicts.js';

const call = (exitCode: number | null, extra: Partial<CallRecord> = {}): CallRecord =>
  ({ argv: ['runtime', 'create', 'x'], exitCode, signal: exitCode === null ? 'SIGKILL' : null, timedOut: false, stdout: '', stderr: '', durationMs: 5, ...extra }) as CallRecord;

t.test('exit status of an operation that must succeed', async (t) => {
  const step = { op: 'create' as const, expect: 'success' as const, exitStatus: ['cli.exit-status'] };
  t.equal(exitStatusVerdict(step, call(0), false, undefined)?.ok, true, 'exit 0 and the effect is there: pass');
  t.equal(exitStatusVerdict(step, call(0), false, 'state does not know it')?.ok, false, 'exit 0 without the effect: fail');
  t.equal(exitStatusVerdict(step, call(1), false, undefined)?.ok, false, 'exit 1: fail');
  t.equal(exitStatusVerdict(step, call(0, { timedOut: true }), false, undefined)?.ok, false, 'past its deadline: fail');
  t.equal(exitStatusVerdict({ ...step, exitStatus: [] }, call(1), false, undefined), undefined, 'no exitStatus requirement: not judged');
});

t.test('exit status of an operation that must fail', async (t) => {
  const step = { op: 'delete' as const, expect: 'error' as const, exitStatus: ['cli.exit-status'] };
  t.equal(exitStatusVerdict(step, call(1), false, undefined)?.ok, true, 'non-zero: pass');
  t.equal(exitStatusVerdict(step, call(0), true, undefined)?.ok, true, 'exit 0 and it did take effect: the status told the truth');
  t.equal(exitStatusVerdict(step, call(0), false, undefined)?.ok, false, 'exit 0 and nothing happened: fail');
  t.equal(exitStatusVerdict(step, call(null), false, undefined)?.ok, false, 'killed by a signal: no error was generated');
});

t.test('outcome of an operation', async (t) => {
  t.equal(outcomeVerdict({ op: 'start', expect: 'success' }, call(0), undefined)?.ok, true, 'success as expected');
  t.equal(outcomeVerdict({ op: 'create', expect: 'success' }, call(0), 'state does not know it')?.ok, false, 'exit 0 without its effect fails');
  t.equal(outcomeVerdict({ op: 'kill', expect: 'error' }, call(0), undefined)?.ok, false, 'an expected error that exited 0 fails');
  t.equal(outcomeVerdict({ op: 'kill', expect: 'error' }, call(2), undefined)?.ok, true, 'an expected error');
  t.equal(outcomeVerdict({ op: 'kill', expect: 'any' }, call(2), undefined), undefined, 'expect: any judges nothing');
});

t.test('an operation expected to fail has no effect', async (t) => {
  const before = new Map([['main', 'state ok, status created']]);
  t.equal(noEffectVerdict('delete', before, new Map(before), call(1)).ok, true, 'nothing changed: pass');
  const v = noEffectVerdict('delete', before, new Map([['main', 'state error']]), call(0));
  t.equal(v.ok, false, 'a container changed: fail');
  t.same(v.changed, ['main: state ok, status created -> state error'], 'and says what changed');
});
