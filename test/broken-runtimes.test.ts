/**
 * Every kind of check can fail: each broken runtime wraps runc and breaks
 * exactly one rule, and the suite must fail exactly the requirements that
 * rule stands for, on top of what runc itself fails. All of them run in one
 * run of the suite, each on the cases that judge its rule.
 */
import t from 'tap';
import { join } from 'node:path';
import { casesOf, failures, onPath, outcomeOf, runNarrowed, RUNTIMES, whyNoResults } from './helpers/suite.js';

/** What runc 1.1.5 really fails (see README, known deviations). */
// The config cases come in through their cli.exit-status requirement (the `cli` term).
const RUNC_DEVIATIONS = [
  'config/invalid-annotation-key-empty config.annotations.empty-key-refused',
  'config/invalid-mount-destination-relative config.mounts.relative-destination-refused',
  'config/invalid-oci-version config.oci-version.invalid-refused',
  'errors/delete-created delete.not-stopped',
];

const BROKEN: Record<string, string[]> = {
  'state-status-lies': ['lifecycle/create-start state.status.created'],
  'state-pid-lies': ['state/created state.pid', 'state/running state.pid'],
  // A live host process in a mount namespace of its own: before the program runs nothing tells it from the
  // container's; once it runs, the program's pid namespace (a host one) is not the decoy's.
  'state-pid-decoy': ['state/running state.pid'],
  'state-id-lies': ['state/created state.id', 'state/running state.id', 'state/stopped state.id'],
  'state-bundle-relative': ['state/created state.bundle', 'state/running state.bundle', 'state/stopped state.bundle'],
  'state-no-ociversion': ['state/created state.schema', 'state/running state.schema', 'state/stopped state.schema'],
  // The property is OPTIONAL: leaving it out is no failure; reporting other annotations is.
  'state-no-annotations': [],
  'state-annotations-replaced': ['state/created state.annotations', 'state/running state.annotations'],
  'start-error-exits-zero': [
    'errors/start-running start.not-created', 'errors/start-running cli.exit-status',
    'errors/start-stopped start.not-created', 'errors/start-stopped cli.exit-status',
    'errors/start-unknown start.not-created', 'errors/start-unknown cli.exit-status',
  ],
  'create-also-starts': [
    'lifecycle/create-start create.no-user-program', 'lifecycle/create-start state.status.created',
    'kill/created-kill create.no-user-program', 'kill/created-term create.no-user-program',
  ],
  'kill-wrong-signal': ['kill/kill kill.sends-signal', 'kill/term kill.sends-signal', 'kill/usr1 kill.sends-signal'],
  // A created container's process before start is the runtime's own: only KILL has an effect the spec fixes.
  'kill-ignores-created': ['kill/created-kill kill.sends-signal', 'kill/created-kill state.status.stopped'],
  // --only delete also takes in the cgroup cases that judge delete.removes-resources
  'delete-keeps-cgroup': ['delete/stopped delete.removes-resources', 'cgroups/path-absolute delete.removes-resources', 'cgroups/path-relative delete.removes-resources'],
  'delete-removes-bundle': ['delete/stopped delete.keeps-foreign-resources'],
  'delete-kills-running': ['errors/delete-running delete.not-stopped'],
  'duplicate-create-replaces': ['errors/create-duplicate-id create.duplicate-id'],
};

/**
 * Cases that judge a runtime's rule without failing, beyond those its
 * expected failures name: each broken runtime runs only on the cases of its rule.
 */
const ALSO_JUDGED: Record<string, string[]> = {
  'state-no-annotations': ['state/created', 'state/running', 'state/stopped'],
  'kill-ignores-created': ['kill/created-term'],
};

/** The areas these runtimes break, on which runc is the baseline; hooks have their own broken runtimes. */
const AREAS = ['lifecycle', 'state', 'errors', 'kill', 'delete', 'cli'];

const missing = ['runc'].filter((r) => !onPath(r));

t.test('broken runtimes', { skip: missing.length ? `not on PATH: ${missing.join(', ')}` : false }, async (t) => {
  // One run: runc on every case of the areas, each broken runtime on the cases of its rule.
  const many = await runNarrowed('runc', AREAS, Object.entries(BROKEN).map(([name, expected]) => ({
    runtime: join(RUNTIMES, 'broken', name), cases: [...casesOf(expected), ...(ALSO_JUDGED[name] ?? [])],
  })));
  const baseline = outcomeOf(many, 'runc');
  t.same(failures(baseline.doc), RUNC_DEVIATIONS, 'runc fails only its known deviations');
  t.equal(many.code, 1, 'a failed MUST makes the run exit 1');

  for (const [name, expected] of Object.entries(BROKEN)) {
    await t.test(name, async (t) => {
      const r = outcomeOf(many, name);
      t.ok(r.doc, 'the run wrote its results document', whyNoResults(r));
      const extra = failures(r.doc).filter((f) => !RUNC_DEVIATIONS.includes(f));
      t.same(extra, [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
      for (const f of expected) t.notOk(RUNC_DEVIATIONS.includes(f), `runc passes ${f}`);
    });
  }
});
