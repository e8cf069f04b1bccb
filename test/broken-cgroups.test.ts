/**
 * Every kind of cgroup check can fail: broken runtimes that drop limits,
 * ignore cgroupsPath, write unified keys wrongly, accept invalid values or
 * leave cgroups behind fail exactly the requirements they break, judged on
 * this host (v1 or hybrid: the v1 files). The v2 files and the VM-only
 * controllers are in broken-cgroups-vm.test.ts.
 */
import t from 'tap';
import { cgroupMode } from '../src/host/cgroups.js';
import { failures, onPath, run } from './helpers/suite.js';
import { ARGS, judge, SWAP_NEEDS_LIMIT } from './helpers/broken-cgroups.js';

const skipRunc = onPath('runc') ? false : 'runc is not on PATH';
const v1Host = (await cgroupMode()) !== 'v2';


t.test('on this host (v1 files)', { skip: skipRunc || (v1Host ? false : 'this host is v2') }, async (t) => {
  const runcDoc = (await run('runc', ARGS)).doc;
  const baseline = failures(runcDoc);
  // The cases where runc's container saw its cgroup through its mount (hugetlb, blkio depend on the host).
  const cgroupSeen = (runcDoc?.results ?? []).filter((r) => r.requirement === 'mounts.cgroup' && r.status === 'pass').map((r) => `${r.case} mounts.cgroup`).sort();
  t.ok(['cpu', 'memory', 'pids'].every((c) => cgroupSeen.includes(`cgroups/${c} mounts.cgroup`)), `runc passes mounts.cgroup where the host has the controller: ${cgroupSeen.join(', ')}`);
  const cases: Record<string, string[]> = {
    // Without the mount the limits still hold on the host: only the container's view fails.
    'drop-cgroup-mount': cgroupSeen,
    'drop-memory-limit': ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT],
    'drop-pids-limit': ['cgroups/pids cgroups.pids.limit'],
    // dropping every quota also drops the ones the kernel would refuse
    'drop-cpu-quota': ['cgroups/cpu cgroups.cpu.quota', 'cgroups/invalid-period create.config-not-applicable', 'cgroups/invalid-quota create.config-not-applicable'],
    'ignore-cgroupsPath': ['cgroups/path-absolute cgroups.path.absolute', 'cgroups/path-relative cgroups.path.relative'],
    'writes-unset-pids': ['cgroups/untouched cgroups.unset-untouched'],
    'deletes-parent-cgroup': ['cgroups/untouched delete.keeps-foreign-resources'],
    'drop-blkio-throttle': ['cgroups/blkio-throttle cgroups.blkio.throttle'],
    'drop-blkio-weight': ['cgroups/blkio-weight cgroups.blkio.weight'],
    'clamps-cpu-quota': ['cgroups/invalid-quota create.config-not-applicable'],
    'chowns-cgroup-to-user': ['cgroups/ownership-v1 cgroups.ownership.not-on-v1', 'cgroups/ownership-read-only cgroups.ownership.only-if-writable'],
    'leaves-cgroup-on-error': [...['invalid-cpus', 'invalid-mems', 'invalid-period', 'invalid-quota', 'unified-on-v1'].map((c) => `cgroups/${c} create.error-leaves-nothing`)],
  };
  for (const [name, expected] of Object.entries(cases)) await t.test(name, (t) => judge(t, baseline, name, expected));
});
