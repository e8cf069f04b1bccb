/**
 * Broken cgroup runtimes inside the cgroup v1 VM: hugetlb, which this host's
 * v1 hierarchies lack, and runc's baseline on pure v1.
 * Emulated runs are slow, so each broken run is narrowed to its case.
 */
import t from 'tap';
import { join } from 'node:path';
import { failures, run, RUNTIMES, vmSkip, whyNoResults } from './helpers/suite.js';

const skip = await vmSkip();

t.test('inside the cgroup v1 VM (hugetlb)', { skip }, async (t) => {
  // Spec 1.0.2: hugepage limits are usage limits, which runc applies (it sets no reservation limit, a 1.1.0 rule).
  const args = ['--only', 'cgroups', '--spec-version', '1.0.2', '--vm', 'cgroup1'];
  const base = await run('runc', args, (m) => t.comment(m));
  t.ok(base.doc, 'the baseline run wrote its results document', whyNoResults(base));
  const baseline = failures(base.doc);
  t.same(baseline, [], 'runc passes every cgroup MUST of 1.0.2 on a pure v1 host');
  for (const id of ['cgroups.hugepages.usage', 'cgroups.blkio.throttle', 'cgroups.cpu.shares']) {
    t.ok(base.doc?.results.some((x) => x.requirement === id && x.status === 'pass'), `${id} is judged and passes`);
  }
  const broken = async (name: string, expected: string[], only: string): Promise<void> => {
    const r = await run(join(RUNTIMES, 'broken-cgroups', name), ['--only', only, ...args.slice(2)], (m) => t.comment(m));
    t.ok(r.doc, `${name}: the run wrote its results document`, whyNoResults(r));
    t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...expected].sort(), `${name} fails exactly: ${expected.join(', ')}`);
  };
  await broken('drop-hugepage-limits', ['cgroups/hugepages cgroups.hugepages.usage'], 'cgroups/hugepages');
});
