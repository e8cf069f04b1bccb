/**
 * Broken cgroup runtimes inside the cgroup v1 VM: hugetlb, which this host's
 * v1 hierarchies lack, and runc's baseline on pure v1. Emulated runs are
 * slow, so one boot serves both and the VM mode's own checks on three runc
 * cases, and the broken run is narrowed to its case.
 */
import t from 'tap';
import { join } from 'node:path';
import { findVmHost } from '../src/vm/host.js';
import { failures, outcomeOf, runMany, RUNTIMES, vmSkip, whyNoResults } from './helpers/suite.js';
import { checkVmMode, VM_MODE_CASES } from './helpers/vm-mode.js';

const skip = await vmSkip();

t.test('inside the cgroup v1 VM (hugetlb)', { skip }, async (t) => {
  // Spec 1.0.2: hugepage limits are usage limits, which runc applies (it sets no reservation limit, a 1.1.0 rule).
  const broken = join(RUNTIMES, 'broken-cgroups', 'drop-hugepage-limits');
  const only = ['runc:cgroups', ...VM_MODE_CASES.map((c) => `runc:${c}`), 'drop-hugepage-limits:cgroups/hugepages'];
  const many = await runMany(['runc', broken], ['--only', only.join(','), '--spec-version', '1.0.2', '--vm', 'cgroup1'], (m) => t.comment(m));
  await checkVmMode(t, many, 'cgroup1', (await findVmHost()).host!.kernelVersion);
  const base = outcomeOf(many, 'runc');
  t.ok(base.doc, 'the baseline run wrote its results document', whyNoResults(base));
  const baseline = failures(base.doc).filter((f) => f.startsWith('cgroups/'));
  t.same(baseline, [], 'runc passes every cgroup MUST of 1.0.2 on a pure v1 host');
  for (const id of ['cgroups.hugepages.usage', 'cgroups.blkio.throttle', 'cgroups.cpu.shares']) {
    t.ok(base.doc?.results.some((x) => x.requirement === id && x.status === 'pass'), `${id} is judged and passes`);
  }
  const r = outcomeOf(many, broken);
  t.ok(r.doc, 'drop-hugepage-limits: the run wrote its results document', whyNoResults(r));
  t.same(r.doc?.results.map((x) => x.case).filter((c, i, all) => all.indexOf(c) === i), ['cgroups/hugepages'], 'drop-hugepage-limits ran only the case of its rule');
  const expected = ['cgroups/hugepages cgroups.hugepages.usage'];
  t.same(failures(r.doc).filter((f) => !baseline.includes(f)), expected, `drop-hugepage-limits fails exactly: ${expected.join(', ')}`);
});
