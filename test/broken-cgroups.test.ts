/**
 * Every kind of cgroup check can fail: broken runtimes that drop limits,
 * ignore cgroupsPath, write unified keys wrongly, accept invalid values or
 * leave cgroups behind fail exactly the requirements they break, judged on
 * this host (v1 or hybrid: the v1 files), all in one run of the suite, each
 * on the cases that judge its rule. The v2 files and the VM-only controllers
 * are in broken-cgroups-v2vm-*.test.ts and broken-cgroups-v1vm.test.ts.
 */
import t from 'tap';
import { cgroupMode } from '../src/host/cgroups.js';
import { join } from 'node:path';
import { casesOf, failures, onPath, outcomeOf, runNarrowed, RUNTIMES, whyNoResults } from './helpers/suite.js';
import { SWAP_NEEDS_LIMIT } from './helpers/broken-cgroups.js';

/** Every cgroup rule applies at 1.3.0. */
const SPEC = ['--spec-version', '1.3.0'];

const skipRunc = onPath('runc') ? false : 'runc is not on PATH';
const v1Host = (await cgroupMode()) !== 'v2';


/** What each broken runtime fails beyond runc, on the cases of its rule. */
const EXPECTED: Record<string, string[]> = {
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

t.test('on this host (v1 files)', { skip: skipRunc || (v1Host ? false : 'this host is v2') }, async (t) => {
  // One run: runc on every cgroup case, each broken runtime on the cases of its rule
  // (drop-cgroup-mount's: every case that checks mounts.cgroup).
  const rules: Record<string, string[]> = { ...Object.fromEntries(Object.entries(EXPECTED).map(([name, expected]) => [name, casesOf(expected)])), 'drop-cgroup-mount': ['mounts.cgroup'] };
  const many = await runNarrowed('runc', ['cgroups'], Object.entries(rules).map(([name, cases]) => ({ runtime: join(RUNTIMES, 'broken-cgroups', name), cases })), SPEC);
  const runcDoc = outcomeOf(many, 'runc').doc;
  const baseline = failures(runcDoc);
  // The cases where runc's container saw its cgroup through its mount (hugetlb, blkio depend on the host).
  const cgroupSeen = (runcDoc?.results ?? []).filter((r) => r.requirement === 'mounts.cgroup' && r.status === 'pass').map((r) => `${r.case} mounts.cgroup`).sort();
  t.ok(['cpu', 'memory', 'pids'].every((c) => cgroupSeen.includes(`cgroups/${c} mounts.cgroup`)), `runc passes mounts.cgroup where the host has the controller: ${cgroupSeen.join(', ')}`);
  // The weight file exists only with BFQ (v1 blkio.bfq.weight) or CFQ (blkio.weight); where
  // runc's own weight is not judged on this host there is nothing for the broken one to drop.
  const weightJudged = (runcDoc?.results ?? []).some((r) => r.case === 'cgroups/blkio-weight' && r.requirement === 'cgroups.blkio.weight' && r.status === 'pass');
  // Without the mount the limits still hold on the host: only the container's view fails.
  const cases: Record<string, string[]> = { 'drop-cgroup-mount': cgroupSeen, ...EXPECTED, ...(weightJudged ? {} : { 'drop-blkio-weight': [] }) };
  for (const [name, expected] of Object.entries(cases)) {
    await t.test(name, async (t) => {
      const r = outcomeOf(many, name);
      t.ok(r.doc, 'the run wrote its results document', whyNoResults(r));
      t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
    });
  }
});
