/**
 * The cgroup cases in the cgroup v2 VM against runc and crun, with each
 * one's known deviations (a file of its own: emulated runs are slow; one
 * boot serves both runtimes, and the VM mode's own checks on three runc cases).
 */
import t from 'tap';
import { findVmHost } from '../src/vm/host.js';
import { failures, onPath, outcomeOf, runMany, vmSkip, whyNoResults } from './helpers/suite.js';
import { checkVmMode, VM_MODE_CASES } from './helpers/vm-mode.js';

const skip = await vmSkip();

const INVALID = ['invalid-cpus', 'invalid-mems', 'invalid-period', 'invalid-quota'];
const UNCONVERTIBLE = ['unconvertible-leaf-weight', 'unconvertible-oom-killer', 'unconvertible-realtime', 'unconvertible-swappiness'];

/**
 * Known deviations in the v2 VM at 1.3.0. Both treat a pids limit of 0 as no
 * limit (a SHOULD), set no HugeTLB reservation limit and do not hand a
 * delegated cgroup to the container's user (a SHOULD); runc accepts v1
 * settings v2 has no place for; crun refuses them but leaves the container's
 * empty cgroup behind after every failed create. crun runs on a pure v2 host
 * without any wrapper.
 */
const V2_KNOWN: Record<string, string[]> = {
  runc: [
    'cgroups/hugepages cgroups.hugepages.reservation', 'cgroups/pids-zero cgroups.pids.zero', 'cgroups/ownership-delegated cgroups.ownership.delegated',
    ...UNCONVERTIBLE.map((c) => `cgroups/${c} cgroups.unified.unconvertible`),
  ],
  crun: [
    'cgroups/hugepages cgroups.hugepages.reservation', 'cgroups/pids-zero cgroups.pids.zero', 'cgroups/ownership-delegated cgroups.ownership.delegated',
    ...[...INVALID, ...UNCONVERTIBLE, 'unified-unknown-controller'].map((c) => `cgroups/${c} create.error-leaves-nothing`),
  ],
};

t.test('the cgroup cases in the v2 VM, against runc and crun (one boot)', { skip }, async (t) => {
  const runtimes = ['runc', 'crun'].filter(onPath);
  const only = ['cgroups', ...VM_MODE_CASES.map((c) => `runc:${c}`)];
  const many = await runMany(runtimes, ['--vm', 'cgroup2', '--only', only.join(','), '--spec-version', '1.3.0'], (m) => t.comment(m));
  await checkVmMode(t, many, 'cgroup2', (await findVmHost()).host!.kernelVersion);
  for (const runtime of runtimes) {
    const r = outcomeOf(many, runtime);
    t.equal(r.doc?.host.cgroup, 'v2', `${runtime}: judged on v2`, whyNoResults(r));
    if (!r.doc) continue;
    t.same(failures(r.doc).filter((f) => f.startsWith('cgroups/')), [...V2_KNOWN[runtime]!].sort(), `${runtime}: only its known deviations`);
    for (const id of ['cgroups.unified.write', 'cgroups.blkio.throttle', 'cgroups.blkio.weight-v2', 'cgroups.memory.limit']) {
      t.ok(r.doc!.results.some((x) => x.requirement === id && x.status === 'pass'), `${runtime}: ${id} is judged and passes`);
    }
  }
});
