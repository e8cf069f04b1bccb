/**
 * Every process requirement can fail: each broken runtime wraps runc and
 * breaks one rule of config.md's process; the process cases must fail exactly
 * the (case, requirement) pairs that rule stands for, on top of what runc
 * itself fails. Judged against spec 1.3.0, where an unknown capability is a
 * warning (a SHOULD NOT fail) rather than an error.
 */
import t from 'tap';
import { join } from 'node:path';
import { failures, onPath, runAlone, RUNTIMES } from './helpers/suite.js';

const ARGS = ['--spec-version', '1.3.0'];

/**
 * Per broken runtime: the process cases its rule bears on (each is run on
 * those only, to keep the file fast) and the (case, requirement) pairs that
 * must fail there, every other requirement of those cases passing.
 */
const BROKEN: Record<string, { cases: string[]; fails: string[] }> = {
  'argv0-rewritten': { cases: ['identity'], fails: ['process/identity process.args'] },
  'drop-env-var': { cases: ['identity'], fails: ['process/identity process.env'] },
  // config.md says nothing of variables a runtime adds
  'leak-env': { cases: ['identity'], fails: [] },
  'wrong-cwd': { cases: ['identity', 'invalid-cwd-relative'], fails: ['process/identity process.cwd'] },
  'wrong-uid': { cases: ['identity', 'capabilities'], fails: ['process/capabilities process.user.uid'] },
  'wrong-gid': { cases: ['identity', 'capabilities'], fails: ['process/capabilities process.user.gid', 'process/identity process.user.gid'] },
  'ignore-umask': { cases: ['identity'], fails: ['process/identity process.user.umask'] },
  'drop-additional-gids': { cases: ['identity'], fails: ['process/identity process.user.additional-gids'] },
  'extra-capability': { cases: ['capabilities', 'unknown-capability-tolerated'], fails: ['process/capabilities process.capabilities'] },
  'soft-as-hard': { cases: ['limits'], fails: ['process/limits process.rlimits'] },
  'no-nnp': { cases: ['limits'], fails: ['process/limits process.no-new-privileges'] },
  'ignore-oom-score-adj': { cases: ['limits', 'identity'], fails: ['process/limits process.oom-score-adj'] },
  'oom-score-adj-when-unset': { cases: ['limits', 'identity'], fails: ['process/identity process.oom-score-adj.unset'] },
  'accepts-invalid': {
    cases: ['invalid-cwd-relative', 'invalid-rlimit-unknown', 'invalid-rlimit-duplicate'],
    fails: ['process/invalid-cwd-relative process.cwd.relative-refused', 'process/invalid-rlimit-unknown process.rlimits.unknown-refused'],
  },
  'refuses-unknown-capability': { cases: ['unknown-capability-tolerated', 'capabilities'], fails: ['process/unknown-capability-tolerated process.capabilities.unknown-not-fatal'] },
};

/** runc 1.1.5's own deviation here (expectations/runc.yaml). */
const RUNC_FAILS = ['process/invalid-rlimit-duplicate process.rlimits.duplicate-refused'];

t.test('broken process runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const baseline = await runAlone('runc', ['process'], ARGS);
  const known = failures(baseline.doc);
  t.same(known, RUNC_FAILS, 'runc fails only its recorded deviation');
  t.same(baseline.left, [], 'runc: nothing left behind');
  const names = Object.keys(BROKEN);
  // Three at a time: each run is mostly waiting on runc.
  for (let i = 0; i < names.length; i += 3) {
    const batch = names.slice(i, i + 3);
    const outcomes = await Promise.all(batch.map((name) => runAlone(join(RUNTIMES, 'broken-process', name), BROKEN[name]!.cases.map((c) => `process/${c}`), ARGS)));
    batch.forEach((name, j) => {
      const { doc, left } = outcomes[j]!;
      const { cases, fails } = BROKEN[name]!;
      t.ok(doc, `${name}: the run wrote its results document`);
      t.same(new Set(doc?.results.map((r) => r.case)), new Set(cases.map((c) => `process/${c}`)), `${name}: ran ${cases.join(', ')}`);
      t.same(failures(doc).filter((f) => !known.includes(f)), [...fails].sort(), `${name} fails exactly: ${fails.join(', ') || 'nothing'}`);
      t.same([...(doc?.leftovers ?? []), ...left], [], `${name}: nothing left behind`);
    });
  }
});
