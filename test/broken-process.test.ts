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

/** The cases of the scheduling properties, and what the invalid ones judge. */
const SCHED_CASES = ['scheduler', 'scheduler-unset', 'io-priority', 'personality'];
const SCHED_INVALID_REQUIREMENTS: Record<string, string> = {
  'invalid-scheduler-policy': 'process.scheduler.invalid-refused',
  'invalid-scheduler-flag': 'process.scheduler.invalid-refused',
  'invalid-scheduler-priority': 'process.scheduler.invalid-refused',
  'invalid-io-priority-class': 'process.io-priority.invalid-refused',
  'invalid-io-priority-level': 'process.io-priority.invalid-refused',
  'invalid-exec-cpu-affinity': 'process.exec-cpu-affinity.invalid-refused',
  'invalid-personality-domain': 'personality.invalid-refused',
};
const SCHED_INVALID = Object.keys(SCHED_INVALID_REQUIREMENTS);
const SCHED_INVALID_FAILS = Object.entries(SCHED_INVALID_REQUIREMENTS).map(([c, r]) => `process/${c} ${r}`).sort();

/**
 * Per broken runtime: the process cases its rule bears on (each is run on
 * those only, to keep the file fast) and the (case, requirement) pairs that
 * must fail there, every other requirement of those cases passing.
 */
const BROKEN: BrokenTable = {
  'argv0-rewritten': { cases: ['identity'], fails: ['process/identity process.args'] },
  'no-path-lookup': { cases: ['args-path-lookup', 'identity'], fails: ['process/args-path-lookup process.args.path-lookup'] },
  'searches-root-first': { cases: ['args-path-lookup'], fails: ['process/args-path-lookup process.args.path-lookup'] },
  'fills-empty-args': {
    cases: ['invalid-args-empty', 'invalid-args-absent', 'identity'],
    fails: ['process/invalid-args-absent process.args.empty-refused', 'process/invalid-args-empty process.args.empty-refused'],
  },
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
  'ignore-console-size': { cases: ['terminal', 'console-size-without-terminal'], fails: ['process/terminal process.console-size'] },
  // without a terminal there is no /dev/console to judge and no size to measure: those are skipped, not failed
  'no-terminal': { cases: ['terminal'], fails: ['process/terminal process.terminal', 'process/terminal process.terminal.console-socket'] },
  // runtime-linux.md lets a runtime pass more descriptors: a failed MAY, information only
  'leak-fd': { cases: ['terminal', 'console-size-without-terminal'], fails: ['process/console-size-without-terminal process.fds', 'process/terminal process.fds'] },
  'refuses-unknown-capability': { cases: ['unknown-capability-tolerated', 'capabilities'], fails: ['process/unknown-capability-tolerated process.capabilities.unknown-not-fatal'] },
  // runc 1.1.5 predates scheduler and ioPriority and ignores personality: these rows wrap
  // test/runtimes/sched-applier.mjs, which does what config.md asks around runc, and are
  // strict (every failure counts, runc's own included), the reference failing nothing.
  'sched-applied': { cases: [...SCHED_CASES, ...SCHED_INVALID], fails: [], strict: true },
  'ignores-scheduler': { cases: ['scheduler', 'io-priority'], fails: ['process/scheduler process.scheduler'], strict: true },
  'nice-when-unset': { cases: ['scheduler-unset', 'scheduler'], fails: ['process/scheduler-unset process.scheduler'], strict: true },
  'wrong-io-priority': { cases: ['io-priority', 'scheduler'], fails: ['process/io-priority process.io-priority'], strict: true },
  'ignores-personality': { cases: ['personality', 'invalid-personality-domain'], fails: ['process/personality personality'], strict: true },
  'accepts-invalid-sched': { cases: SCHED_INVALID, fails: SCHED_INVALID_FAILS, strict: true },
  // a refused valid value is an unsupported one: skipped, never a pass or a failure
  'refuses-io-priority': { cases: ['io-priority'], fails: [], strict: true, skips: ['process/io-priority process.io-priority'] },
};

/** runc 1.1.5's own deviations here (expectations/runc.yaml): it predates scheduler, ioPriority and execCPUAffinity and ignores personality. */
const RUNC_FAILS = [
  'process/invalid-rlimit-duplicate process.rlimits.duplicate-refused',
  ...SCHED_INVALID_FAILS,
  'process/io-priority process.io-priority', 'process/personality personality', 'process/scheduler process.scheduler',
  'process/scheduler-unset process.scheduler',
].sort();

t.test('broken process runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const baseline = await runAlone('runc', ['process'], ARGS);
  t.ok(baseline.doc, 'runc: the run wrote its results document', baseline.why);
  const known = failures(baseline.doc);
  t.same(known, RUNC_FAILS, 'runc fails only its recorded deviation');
  t.same(baseline.left, [], 'runc: nothing left behind');
  await judgeBroken(t, 'process', 'broken-process', BROKEN, known, ARGS);
});
