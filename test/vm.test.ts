/**
 * The VM mode: the device cases judged on v2 (eBPF device control), two
 * runtimes in one boot, and doctor. That the suite runs on a pure v2 and v1
 * host, with TAP and JSON brought back marked with the VM's cgroup mode, is
 * checked on the boots of vm-cgroups.test.ts and broken-cgroups-v1vm.test.ts
 * (test/helpers/vm-mode.ts).
 */
import t from 'tap';
import { findVmHost } from '../src/vm/host.js';
import { failures, onPath, outcomeOf, runMany, start, vmSkip, whyNoResults } from './helpers/suite.js';

const { host } = await findVmHost();
const skip = await vmSkip();


t.test('the device cases in the v2 VM (eBPF device control), against runc and crun in one boot', { skip }, async (t) => {
  const runtimes = ['runc', 'crun'].filter(onPath);
  const many = await runMany(runtimes, ['--vm', 'cgroup2', '--only', 'devices', '--spec-version', '1.1.0'], (m) => t.comment(m));
  t.equal(many.code, 0, 'exit status 0: no MUST failed for any runtime');
  t.same([...many.docs.keys()].sort(), [...runtimes].sort(), 'one results document per runtime, named after it');
  t.equal((many.stderr.match(/cgroup2 VM \(kernel .*\): booted in \d+ ms/g) ?? []).length, 1, 'one VM boot for all of them');
  for (const runtime of runtimes) {
    const r = outcomeOf(many, runtime);
    t.equal(r.doc?.host.cgroup, 'v2', `${runtime}: judged on v2`, whyNoResults(r));
    if (!r.doc) continue;
    t.match(r.doc.runtime.path, new RegExp(`/${runtime}$`), `${runtime}: its own document`);
    t.match((r.doc as unknown as { vm?: { mode: string } }).vm, { mode: 'cgroup2', kernel: host!.kernelVersion }, `${runtime}: the results carry the VM facts`);
    t.same(failures(r.doc), [], `${runtime}: the allowed device list holds on v2 too`);
    t.ok(r.doc.results.some((x) => x.requirement === 'devices.allow-list' && x.status === 'pass'), `${runtime}: the allow list was judged`);
  }
});

t.test('doctor says what the VM mode needs', async (t) => {
  const r = await start(['doctor']).done;
  t.match(r.stdout, host ? /^ok {6}--vm: qemu /m : /^missing --vm: /m);
});
