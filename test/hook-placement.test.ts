/**
 * Hooks are placed against the program by the hook log alone: the program's
 * clock (inside the container) and the hooks' clock (where they ran) are never
 * compared, so a container with a clock of its own changes no verdict.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hooksVsProgram } from '../src/checks/hooks.js';
import { placeHook, programStart } from '../src/checks/hook-placement.js';
import { CaseContext, type Container } from '../src/engine/context.js';
import { runCheck } from '../src/engine/run-check.js';
import type { Case, CheckStep, HookSpec } from '../src/cases/types.js';
import type { RuntimeDriver } from '../src/runtime/driver.js';

const hook = (label: string): HookSpec => ({ label, exit: 0, sleepMs: 0 }) as unknown as HookSpec;
const HOOKS = { startContainer: [hook('startContainer-1')], poststart: [hook('poststart-1')] };
const REQ = 'hooks.poststart.during-start';

/** The verdicts of hooks-vs-program for a log of these hooks (host clock `hookUs`) and a program that saw `linesAtStart` lines. */
async function verdicts(dir: string, linesAtStart: number | null, programUs: number, hookUs: (i: number) => number): Promise<boolean[]> {
  const paths = { report: join(dir, 'report.json'), hookLog: join(dir, 'hooks.log'), probeInRootfs: join(dir, 'no-probe') };
  const labels = ['startContainer-1', 'poststart-1'];
  await writeFile(paths.hookLog, labels.map((label, i) => JSON.stringify({ label, us: hookUs(i), pid: 1, targetExe: null }) + '\n').join(''));
  await writeFile(paths.report, JSON.stringify({ startedUs: programUs, hookLogLinesAtStart: linesAtStart }));
  const testCase = { id: 'hooks/unit', requirements: [{ id: REQ, level: 'MUST', versions: '*' }] } as unknown as Case;
  const c = { id: 'x', paths, spec: { hooks: HOOKS } } as unknown as Container;
  const ctx = new CaseContext(testCase, new Map([['main', c]]), {} as RuntimeDriver, { callTimeoutMs: 1, waitTimeoutMs: 1, settleMs: 1 }, '1.1.0', new AbortController().signal, async () => {});
  const step = (types: string[], ran: string): CheckStep => ({ kind: 'check', index: 0, container: 'main', check: 'hooks-vs-program', requirements: [REQ], params: { types, ran } }) as unknown as CheckStep;
  for (const s of [step(['startContainer'], 'before'), step(['poststart'], 'after')]) {
    ctx.currentStep = s;
    await runCheck(ctx, s, hooksVsProgram, { specVersion: '1.1.0', host: { kernel: '6.1', cgroup: 'v2', controllers: [], blockDevice: null } });
  }
  return ctx.assertions.map((a) => a.ok);
}

t.test('a container clock far from the host clock changes no verdict', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-placement-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const host = (i: number) => 5_000_000 + i * 1000;
  // the program read one line (startContainer's) as it started: startContainer before, poststart after
  t.same(await verdicts(dir, 1, 5_000_500, host), [true, true], 'clocks agree: both pass');
  t.same(await verdicts(dir, 1, 916_822_018_000, host), [true, true], 'container clock far ahead: still both pass');
  t.same(await verdicts(dir, 1, 3, host), [true, true], 'container clock far behind: still both pass');
  // the program read both lines: poststart ran before it, whatever either clock says
  t.same(await verdicts(dir, 2, 3, host), [true, false], 'poststart logged before the program started fails, container clock behind');
  t.same(await verdicts(dir, 2, 916_822_018_000, host), [true, false], 'and with the container clock ahead');
  // the program read nothing: startContainer ran after it
  t.same(await verdicts(dir, 0, 916_822_018_000, host), [false, true], 'startContainer logged after the program started fails');
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
