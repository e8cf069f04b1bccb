/**
 * Every process requirement can fail: each broken runtime wraps runc and
 * breaks one rule of config.md's process; the process cases must fail exactly
 * the (case, requirement) pairs that rule stands for, on top of what runc
 * itself fails. Judged against spec 1.3.0, where an unknown capability is a
 * warning (a SHOULD NOT fail) rather than an error.
 */
import t from 'tap';
import { failures, onPath, runAlone } from './helpers/suite.js';
import { judgeBroken, type BrokenTable } from './helpers/broken-area.js';

const ARGS = ['--spec-version', '1.3.0'];

/**
 * Per broken runtime: the process cases its rule bears on (each is run on
 * those only, to keep the file fast) and the (case, requirement) pairs that
 * must fail there, every other requirement of those cases passing.
 */
const BROKEN: BrokenTable = {
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
  await judgeBroken(t, 'process', 'broken-process', BROKEN, known, ARGS);
});
