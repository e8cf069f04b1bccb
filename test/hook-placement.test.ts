/**
 * Hooks are placed against the program by the hook log alone: the program's
 * clock (inside the container) and the hooks' clock (where they ran) are never
 * compared, so a container with a clock of its own changes no verdict.
 */
import t from 'tap';
import { hooksVsProgram } from '../src/checks/hooks.js';
import { placeHook, programStart } from '../src/engine/hook-placement.js';
import { findingsOutcome } from '../src/engine/check.js';

const AT = { specVersion: '1.1.0', host: { kernel: '6.1', cgroup: 'v2', controllers: [], blockDevice: null } } as const;
const HOOKS = [{ type: 'startContainer', index: 0, label: 'startContainer-1' }, { type: 'poststart', index: 0, label: 'poststart-1' }];

/**
 * The verdicts of hooks-vs-program (startContainer before, poststart after) on a log of both hooks in that order
 * and a program that saw `linesAtStart` of its lines as it started, at `programUs` by the container's clock.
 */
function verdicts(linesAtStart: number | null, programUs: number): boolean[] {
  const start = programStart({ kind: 'report', report: { startedUs: programUs, hookLogLinesAtStart: linesAtStart } } as never, undefined);
  const log = { records: HOOKS.map(({ label }) => ({ label, targetExe: null })) };
  return [{ types: ['startContainer'], ran: 'before' }, { types: ['poststart'], ran: 'after' }].map((params) => {
    // what the observer records: the hooks the step names, and the whole log
    const seen = JSON.parse(JSON.stringify({ start, hooks: HOOKS.filter((h) => params.types.includes(h.type)), log }));
    return findingsOutcome(hooksVsProgram.judge(params, seen, AT)) === 'pass';
  });
}

t.test('a container clock far from the host clock changes no verdict', async (t) => {
  // the hooks logged at about 5 s by the host's clock
  // the program read one line (startContainer's) as it started: startContainer before, poststart after
  t.same(verdicts(1, 5_000_500), [true, true], 'clocks agree: both pass');
  t.same(verdicts(1, 916_822_018_000), [true, true], 'container clock far ahead: still both pass');
  t.same(verdicts(1, 3), [true, true], 'container clock far behind: still both pass');
  // the program read both lines: poststart ran before it, whatever either clock says
  t.same(verdicts(2, 3), [true, false], 'poststart logged before the program started fails, container clock behind');
  t.same(verdicts(2, 916_822_018_000), [true, false], 'and with the container clock ahead');
  // the program read nothing: startContainer ran after it
  t.same(verdicts(0, 916_822_018_000), [false, true], 'startContainer logged after the program started fails');
});

t.test('placeHook', async (t) => {
  const report = (lines: number | null | undefined) => ({ kind: 'report', report: { startedUs: 1, hookLogLinesAtStart: lines } }) as never;
  t.equal(placeHook(2, { targetExe: null }, programStart(report(3), 'p')), 'before', 'a line the program counted ran before');
  t.equal(placeHook(3, { targetExe: null }, programStart(report(3), 'p')), 'after', 'a later line ran after');
  t.equal(placeHook(0, { targetExe: 'p' }, programStart(report(1), 'p')), 'before', 'the count wins over what the hook saw executing');
  t.equal(placeHook(0, { targetExe: 'p' }, programStart(report(null), 'p')), 'after', 'without a count: seen executing the program is after');
  t.equal(placeHook(0, { targetExe: 'runc' }, programStart(report(null), 'p')), undefined, 'another executable proves nothing (a sandbox pid never executes the program)');
  t.equal(placeHook(0, { targetExe: null }, programStart({ kind: 'absent' }, 'p')), 'before', 'a program that never started: every hook before it');
});

t.test('followsFrom: the first failure to find a hook type missing is its root', async (t) => {
  const { followsFrom } = await import('../src/engine/follows-from.js');
  const fail = (requirement: string, missingHookTypes?: string[]) => ({ requirement, ok: false, message: 'm', ...(missingHookTypes ? { missingHookTypes } : {}) });
  const causes = followsFrom([
    fail('a.runs', ['createRuntime']),
    fail('b.order', ['createRuntime']),
    fail('c.state', ['createRuntime', 'poststop']),
    fail('d.env', ['poststop']),
    fail('e.own'),
    fail('f.mixed', ['createRuntime']),
    fail('f.mixed'),
    fail('a.runs', ['createRuntime']),
    { requirement: 'g.pass', ok: true, message: 'fine' },
  ]);
  t.equal(causes.get('b.order'), 'a.runs', 'a later failure on the same missing type follows from the first');
  t.notOk(causes.has('a.runs'), 'the root follows from nothing, even when it finds the type missing again');
  t.notOk(causes.has('c.state'), 'a failure that is first to find one of its types missing is a root');
  t.equal(causes.get('d.env'), 'c.state', 'and the root of that type');
  t.notOk(causes.has('e.own'), 'a failure that names no missing type stands on its own');
  t.notOk(causes.has('f.mixed'), 'a requirement with a failure of its own is a root, whatever its other failures');
  t.notOk(causes.has('g.pass'));
});
