/**
 * The suite against the real runtimes: each fails exactly the requirements
 * that README.md lists as its known deviations (per target spec version),
 * and nothing else.
 */
import t from 'tap';
import { join } from 'node:path';
import { failures, onPath, run, RUNTIMES } from './helpers/suite.js';
import { cgroupMode } from '../src/host/cgroups.js';

const INVALID_HOOK_CONFIG = [
  'hooks/invalid-relative-path hooks.invalid-config', 'hooks/invalid-timeout-negative hooks.invalid-config', 'hooks/invalid-timeout-zero hooks.invalid-config',
];

interface Expectation {
  readonly args: string[];
  /** Fails every time. */
  readonly known: string[];
  /** A race in the runtime: may fail or pass from run to run. */
  readonly racy?: string[];
  /** 1 when a MUST among `known` fails, 0 when only SHOULDs do. */
  readonly exit: 0 | 1;
}

const RUNC: Expectation[] = [
  {
    args: [], // target 1.0.2, from runc features
    known: [
      'errors/delete-created delete.not-stopped',
      'hooks/lifecycle hooks.prestart.during-start',
      'hooks/lifecycle hooks.poststart.during-start',
      'hooks/fail-poststart-warns hooks.failure.poststart-warns',
      'hooks/fail-poststop hooks.failure.poststop-warns',
      'hooks/fail-startContainer hooks.failure.start', 'hooks/fail-startContainer hooks.failure.destroyed', 'hooks/fail-startContainer hooks.failure.poststop-runs',
      ...INVALID_HOOK_CONFIG,
    ],
    exit: 1,
  },
  {
    args: ['--spec-version', '1.3.0', '--only', 'hooks'],
    known: [
      'hooks/lifecycle hooks.poststart.during-start',
      // runc runs poststart during create, so the failing hook fails create instead
      'hooks/fail-poststart-errors hooks.failure.poststart-errors', 'hooks/fail-poststart-errors hooks.failure.destroyed', 'hooks/fail-poststart-errors hooks.failure.poststop-runs',
      'hooks/fail-poststop hooks.failure.poststop-warns',
      'hooks/fail-startContainer hooks.failure.start', 'hooks/fail-startContainer hooks.failure.destroyed', 'hooks/fail-startContainer hooks.failure.poststop-runs',
      ...INVALID_HOOK_CONFIG,
    ],
    exit: 1,
  },
  {
    args: ['--spec-version', '1.1.0', '--only', 'seccomp,devices'],
    // config-linux.md: on an action without errno "the runtime MUST print and error and fail"
    known: ['seccomp/invalid-errno-on-allow seccomp.errno-on-action-without-errno', 'seccomp/invalid-metadata-without-listener seccomp.invalid-listener-config'],
    exit: 1,
  },
];

RUNC.push({
  args: ['--spec-version', '1.3.0', '--only', 'cgroups'],
  // runc treats a pids limit of 0 as no limit (a SHOULD since 1.3.0)
  known: ['cgroups/pids-zero cgroups.pids.zero'],
  exit: 0,
});

/** crun 1.8.1 leaves the container's (empty) cgroup directories behind when create fails on a cgroup value. */
const CRUN_LEFTOVERS = ['invalid-cpus', 'invalid-mems', 'invalid-period', 'invalid-quota'].map((c) => `cgroups/${c} create.error-leaves-nothing`);

const CRUN: Expectation[] = [
  {
    args: [], // target 1.0.0, from crun --version
    known: ['errors/delete-created delete.not-stopped', 'hooks/lifecycle hooks.prestart.during-start', ...INVALID_HOOK_CONFIG, ...CRUN_LEFTOVERS],
    exit: 1,
  },
  {
    args: ['--spec-version', '1.3.0', '--only', 'hooks'],
    known: [
      'hooks/context hooks.state.stdin', 'hooks/context hooks.state.pid.container-namespace',
      'hooks/fail-prestart hooks.failure.poststop-runs', 'hooks/fail-createRuntime hooks.failure.poststop-runs',
      'hooks/fail-createContainer hooks.failure.poststop-runs', 'hooks/timeout hooks.failure.poststop-runs',
      'hooks/fail-poststart-errors hooks.failure.poststart-errors', 'hooks/fail-poststart-errors hooks.failure.destroyed', 'hooks/fail-poststart-errors hooks.failure.poststop-runs',
      'hooks/fail-startContainer hooks.failure.start', 'hooks/fail-startContainer hooks.failure.destroyed', 'hooks/fail-startContainer hooks.failure.poststop-runs',
      ...INVALID_HOOK_CONFIG,
    ],
    // crun runs poststart hooks while its init is still on the way to exec
    racy: ['hooks/lifecycle hooks.poststart.during-start'],
    exit: 1,
  },
  {
    args: ['--spec-version', '1.1.0', '--only', 'seccomp,devices'],
    known: ['seccomp/invalid-metadata-without-listener seccomp.invalid-listener-config'],
    exit: 0,
  },
  // crun 1.8.1 treats 0 as no limit, and on a v1 host refuses -1 (it writes it to pids.max as is)
  (await cgroupMode()) === 'v2'
    ? {
      args: ['--spec-version', '1.3.0', '--only', 'cgroups'],
      known: ['cgroups/pids-zero cgroups.pids.zero', ...CRUN_LEFTOVERS, ...['unconvertible-leaf-weight', 'unconvertible-oom-killer', 'unconvertible-realtime', 'unconvertible-swappiness', 'unified-unknown-controller'].map((c) => `cgroups/${c} create.error-leaves-nothing`)],
      exit: 1,
    }
    : {
      args: ['--spec-version', '1.3.0', '--only', 'cgroups'],
      known: ['cgroups/pids-zero cgroups.pids.zero', 'cgroups/pids-unlimited cgroups.pids.unlimited', ...CRUN_LEFTOVERS, 'cgroups/unified-on-v1 create.error-leaves-nothing'],
      exit: 1,
    },
];

async function check(t: Tap, runtime: string, expectations: Expectation[]): Promise<void> {
  for (const e of expectations) {
    await t.test(e.args.join(' ') || 'default spec version', async (t) => {
      const r = await run(runtime, e.args);
      const failed = failures(r.doc);
      const racy = e.racy ?? [];
      t.same(failed.filter((f) => !racy.includes(f)), [...e.known].sort(), 'fails exactly its known deviations');
      t.equal(r.code, e.exit, e.exit === 1 ? 'a failed MUST: exit 1' : 'no failed MUST: exit 0');
      t.ok((r.doc?.timing?.runtimeCalls ?? 0) > 0, 'runtime calls are counted');
      t.equal(r.doc?.host.cgroup, await cgroupMode(), 'the host cgroup mode is reported');
    });
  }
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('runc', { skip: onPath('runc') ? false : 'runc is not on PATH' }, (t) => check(t, 'runc', RUNC));

t.test('crun', { skip: onPath('crun') ? false : 'crun is not on PATH' }, async (t) => {
  // crun 1.8.1 refuses hybrid hosts; the fixture hides the empty v2 mount from it.
  const runtime = (await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun';
  await check(t, runtime, CRUN);
});
