/**
 * Every kind of hook check can fail: each broken runtime wraps runc and
 * breaks one hook rule; the hook cases must fail exactly the requirements
 * that rule stands for, on top of what runc itself fails. Judged against
 * spec 1.1.0, where every hook type exists and prestart runs during create.
 * The broken runtimes run together with runc in one run of the suite, each
 * on the cases that judge its rule.
 */
import t from 'tap';
import { join } from 'node:path';
import { casesOf, failures, onPath, outcomeOf, run, runNarrowed, RUNTIMES, whyNoResults, type Outcome } from './helpers/suite.js';
import type { Tap } from './helpers/broken-cgroups.js';

/** Every hook type exists at 1.1.0, and prestart runs during create. */
const SPEC = ['--spec-version', '1.1.0'];

/**
 * `roots`: per case, the failures that follow from no other; every other new
 * failure of that case must name one of them in followsFrom. A hook type that
 * never ran is one root per case, however many checks it fails.
 */
const BROKEN: Record<string, { expected: string[]; args?: string[]; roots?: Record<string, string[]> }> = {
  'drop-createRuntime': {
    roots: { 'hooks/lifecycle': ['hooks.createRuntime.during-create'] },
    expected: [
      'hooks/lifecycle hooks.createRuntime.during-create',
      // with no createRuntime hook, neither order that involves it can be seen
      'hooks/lifecycle hooks.order.types', 'hooks/lifecycle hooks.order.prestart-first',
      'hooks/fail-createRuntime hooks.failure.create', 'hooks/fail-createRuntime hooks.failure.destroyed', 'hooks/fail-createRuntime hooks.failure.poststop-runs',
      'hooks/timeout hooks.timeout', 'hooks/timeout hooks.failure.destroyed', 'hooks/timeout hooks.failure.poststop-runs',
    ],
  },
  'reverse-hook-order': {
    expected: [
      'hooks/lifecycle hooks.order.in-array',
      // the hook after the failing one runs, the one before it does not
      'hooks/fail-prestart hooks.failure.create', 'hooks/fail-createRuntime hooks.failure.create', 'hooks/fail-createContainer hooks.failure.create',
    ],
  },
  'ignore-failing-createRuntime': {
    expected: ['hooks/fail-createRuntime hooks.failure.create', 'hooks/fail-createRuntime hooks.failure.destroyed', 'hooks/fail-createRuntime hooks.failure.poststop-runs'],
  },
  'skip-poststop': {
    expected: [
      'hooks/lifecycle hooks.poststop.during-delete',
      'hooks/fail-prestart hooks.failure.poststop-runs', 'hooks/fail-createRuntime hooks.failure.poststop-runs',
      'hooks/fail-createContainer hooks.failure.poststop-runs', 'hooks/timeout hooks.failure.poststop-runs',
    ],
  },
  'env-ignored': { expected: ['hooks/context hooks.env'] },
  'argv0-is-path': { expected: ['hooks/context hooks.args'] },
  'state-id-lies': { expected: ['hooks/context hooks.state.stdin'] },
  'createRuntime-in-container-net': { expected: ['hooks/context hooks.namespace.runtime'] },
  'startContainer-in-runtime-ns': {
    expected: [
      'hooks/context hooks.namespace.container', 'hooks/context hooks.state.pid.container-namespace',
      // run from the host, the hook's log path had to be rewritten to the host's
      'hooks/context hooks.args',
    ],
  },
  'createRuntime-after-createContainer': {
    expected: [
      'hooks/lifecycle hooks.order.types',
      // run as createContainer hooks, they run in the container namespace and see its pid
      'hooks/context hooks.namespace.runtime', 'hooks/context hooks.state.pid.runtime-namespace',
    ],
  },
  'drop-all-hooks': {
    roots: {
      'hooks/lifecycle': ['prestart.during-create', 'createRuntime.during-create', 'createContainer.during-create',
        'startContainer.during-start', 'poststop.during-delete'].map((r) => `hooks.${r}`),
      // path.resolution finds createContainer and startContainer missing, state.stdin the other four types
      'hooks/context': ['hooks.path.resolution', 'hooks.state.stdin'],
    },
    // every hook requirement runc passes, the information ones included: they fail when no hook ran
    expected: [
      ...['args', 'cwd.observed', 'env', 'env-unset.observed', 'namespace.container', 'namespace.runtime', 'path.resolution',
        'state.pid.container-namespace', 'state.pid.runtime-namespace', 'state.stdin'].map((r) => `hooks/context hooks.${r}`),
      ...['fail-prestart', 'fail-createRuntime', 'fail-createContainer'].flatMap((c) =>
        ['create', 'destroyed', 'poststop-runs'].map((r) => `hooks/${c} hooks.failure.${r}`)),
      ...['createContainer.during-create', 'createRuntime.during-create', 'order.in-array', 'order.prestart-first', 'order.types',
        'poststop.during-delete', 'prestart.during-create', 'startContainer.during-start'].map((r) => `hooks/lifecycle hooks.${r}`),
      'hooks/timeout hooks.timeout', 'hooks/timeout hooks.failure.destroyed', 'hooks/timeout hooks.failure.poststop-runs',
    ],
  },
  // A create that returns 3 s after the hook started passed the old bound on the call's
  // duration (timeout plus 3 s); the hook's own record of how long it lived does not.
  'late-timeout': { expected: ['hooks/timeout hooks.timeout'] },
  'no-timeout': {
    // The call deadline (4 s) ends the create the hook keeps waiting. That create has no
    // outcome, so whether the runtime would have destroyed the container is not judged to the end.
    args: ['--timeout', '4000'],
    expected: ['hooks/timeout hooks.timeout', 'hooks/timeout hooks.failure.destroyed', 'hooks/timeout hooks.failure.poststop-runs'],
  },
};

t.test('poststart hooks run before the program', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  // runc 1.1.5 runs poststart during create, so the reference is a wrapper that runs
  // them itself once the program executes; the broken one runs them before start.
  const reference = join(RUNTIMES, 'broken-hooks', 'poststart-by-wrapper');
  const broken = join(RUNTIMES, 'broken-hooks', 'poststart-before-program');
  const many = await runNarrowed(reference, ['hooks'], [{ runtime: broken, cases: ['hooks/lifecycle'] }], SPEC);
  const known = failures(outcomeOf(many, reference).doc);
  t.ok(outcomeOf(many, reference).doc, 'the reference run wrote its results document', whyNoResults(outcomeOf(many, reference)));
  t.notOk(known.includes('hooks/lifecycle hooks.poststart.during-start'), 'the reference passes hooks.poststart.during-start');
  const r = outcomeOf(many, broken);
  t.same(failures(r.doc).filter((f) => !known.includes(f)), ['hooks/lifecycle hooks.poststart.during-start'], 'fails exactly hooks.poststart.during-start');
});

/** Judges one broken hook runtime's document against runc's failures. */
function judgeHooks(t: Tap, r: Outcome, known: readonly string[], { expected, roots = {} }: { expected: string[]; roots?: Record<string, string[]> }): void {
  t.ok(r.doc, 'the run wrote its results document', whyNoResults(r));
  t.same(failures(r.doc).filter((f) => !known.includes(f)), [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
  for (const f of expected) t.notOk(known.includes(f), `runc passes ${f}`);
  for (const [id, want] of Object.entries(roots)) {
    const failed = (r.doc?.results ?? []).filter((x) => x.case === id && x.status === 'fail' && !known.includes(`${x.case} ${x.requirement}`));
    t.same(failed.filter((x) => !x.followsFrom).map((x) => x.requirement).sort(), [...want].sort(), `${id}: the root causes are ${want.join(', ')}`);
    for (const x of failed.filter((x) => x.followsFrom)) t.ok(want.includes(x.followsFrom!), `${id} ${x.requirement} follows from ${x.followsFrom}, a root cause`);
  }
}

t.test('broken hook runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  // One run: runc on every hook case, each broken runtime on the cases of its rule;
  // those that need options of their own run apart.
  const together = Object.entries(BROKEN).filter(([, b]) => !b.args);
  const many = await runNarrowed('runc', ['hooks'], together.map(([name, b]) => ({ runtime: join(RUNTIMES, 'broken-hooks', name), cases: casesOf(b.expected) })), SPEC);
  const baseline = outcomeOf(many, 'runc');
  const known = failures(baseline.doc);
  t.ok(baseline.doc?.results.some((r) => r.case === 'hooks/lifecycle' && r.requirement === 'hooks.poststart.during-start'
    && r.status === 'fail' && /before the program started/.test(r.message)), 'runc 1.1.5 runs poststart before the program: hooks-vs-program can fail');
  for (const [name, b] of Object.entries(BROKEN)) {
    await t.test(name, async (t) => {
      const runtime = join(RUNTIMES, 'broken-hooks', name);
      const r = b.args ? await run(runtime, ['--only', casesOf(b.expected).join(','), ...SPEC, ...b.args]) : outcomeOf(many, name);
      judgeHooks(t, r, known, b);
    });
  }
});
