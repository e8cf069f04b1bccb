/**
 * Every kind of cgroup check can fail: broken runtimes that drop limits,
 * ignore cgroupsPath or write unified keys wrongly fail exactly the
 * requirements they break, judged on this host (v1 or hybrid: the v1 files)
 * and, for the v2 files, inside the cgroup v2 VM. Spec 1.3.0: every cgroup
 * rule applies.
 */
import t from 'tap';
import { join } from 'node:path';
import { cgroupMode } from '../src/host/cgroups.js';
import { findVmHost } from '../src/vm/host.js';
import { failures, onPath, run, RUNTIMES } from './helpers/suite.js';

const ARGS = ['--only', 'cgroups', '--spec-version', '1.3.0'];
const skipRunc = onPath('runc') ? false : 'runc is not on PATH';
const v1Host = (await cgroupMode()) !== 'v2';
const vm = await findVmHost();

/** runc without swap limit support of its own: a swap limit without a memory limit is refused. */
const SWAP_NEEDS_LIMIT = 'cgroups/memory-swap cgroups.memory.swap';

/**
 * Runs a broken runtime and compares its failures beyond the baseline's.
 * In a VM (slow: emulated) `vmOnly` narrows the run to the cases it breaks.
 */
async function judge(t: Tap, baseline: string[], name: string, expected: string[], vmOnly?: { mode: string; only: string }): Promise<void> {
  const args = vmOnly ? ['--only', vmOnly.only, '--spec-version', '1.3.0', '--vm', vmOnly.mode] : ARGS;
  const r = await run(join(RUNTIMES, 'broken-cgroups', name), args);
  t.ok(r.doc, 'the run wrote its results document');
  t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('on this host (v1 files)', { skip: skipRunc || (v1Host ? false : 'this host is v2') }, async (t) => {
  const baseline = failures((await run('runc', ARGS)).doc);
  const cases: Record<string, string[]> = {
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

t.test('inside the cgroup v2 VM (v2 files)', { skip: skipRunc || (vm.host ? false : `no VM here: ${vm.missing.map((m) => m.what).join(', ')}`) }, async (t) => {
  const baseline = failures((await run('runc', [...ARGS, '--vm', 'cgroup2'])).doc);
  const v2 = (only: string): { mode: string; only: string } => ({ mode: 'cgroup2', only });
  await t.test('drop-memory-limit', (t) => judge(t, baseline, 'drop-memory-limit', ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT], v2('cgroups/memory,cgroups/memory-swap')));
  await t.test('unified-off-by-one', (t) => judge(t, baseline, 'unified-off-by-one', ['cgroups/unified cgroups.unified.write'], v2('cgroups/unified')));
  await t.test('drop-blkio-throttle', (t) => judge(t, baseline, 'drop-blkio-throttle', ['cgroups/blkio-throttle cgroups.blkio.throttle'], v2('cgroups/blkio-throttle')));
  await t.test('chowns-cgroup-to-user', (t) => judge(t, baseline, 'chowns-cgroup-to-user', ['cgroups/ownership-delegated cgroups.ownership.others-kept', 'cgroups/ownership-read-only cgroups.ownership.only-if-writable'], v2('cgroups/ownership-delegated,cgroups/ownership-read-only')));
  await t.test('drop-pids-limit', (t) => judge(t, baseline, 'drop-pids-limit', ['cgroups/pids cgroups.pids.limit'], v2('cgroups/pids')));
  await t.test('drop-cpu-quota', (t) => judge(t, baseline, 'drop-cpu-quota', ['cgroups/cpu cgroups.cpu.quota'], v2('cgroups/cpu')));
  await t.test('ignore-cgroupsPath', (t) => judge(t, baseline, 'ignore-cgroupsPath', ['cgroups/path-absolute cgroups.path.absolute', 'cgroups/path-relative cgroups.path.relative'], v2('cgroups/path-absolute,cgroups/path-relative')));
});

t.test('inside the cgroup v1 VM (hugetlb, BFQ weight)', { skip: skipRunc || (vm.host ? false : `no VM here: ${vm.missing.map((m) => m.what).join(', ')}`) }, async (t) => {
  // Spec 1.0.2: hugepage limits are usage limits, which runc applies (it sets no reservation limit, a 1.1.0 rule).
  const args = ['--only', 'cgroups', '--spec-version', '1.0.2', '--vm', 'cgroup1'];
  const base = await run('runc', args);
  const baseline = failures(base.doc);
  t.same(baseline, [], 'runc passes every cgroup MUST of 1.0.2 on a pure v1 host');
  for (const id of ['cgroups.hugepages.usage', 'cgroups.blkio.weight', 'cgroups.cpu.shares']) {
    t.ok(base.doc?.results.some((x) => x.requirement === id && x.status === 'pass'), `${id} is judged and passes`);
  }
  const broken = async (name: string, expected: string[], only: string): Promise<void> => {
    const r = await run(join(RUNTIMES, 'broken-cgroups', name), ['--only', only, ...args.slice(2)]);
    t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...expected].sort(), `${name} fails exactly: ${expected.join(', ')}`);
  };
  await broken('drop-hugepage-limits', ['cgroups/hugepages cgroups.hugepages.usage'], 'cgroups/hugepages');
  await broken('drop-blkio-weight', ['cgroups/blkio-weight cgroups.blkio.weight'], 'cgroups/blkio-weight');
});
