/**
 * Broken cgroup runtimes inside the cgroup v2 VM, part two: pids, cpu and
 * cgroupsPath (see the resources file for why the VM's runs are split).
 */
import t from 'tap';
import { vmSkip } from './helpers/suite.js';
import { inV2Vm, judge, v2VmBaseline } from './helpers/broken-cgroups.js';

const skip = await vmSkip();

t.test('inside the cgroup v2 VM: pids, cpu, cgroupsPath', { skip }, async (t) => {
  const baseline = await v2VmBaseline(t, ['pids', 'cpu', 'path-absolute', 'path-relative']);
  await t.test('drop-pids-limit', (t) => judge(t, baseline, 'drop-pids-limit', ['cgroups/pids cgroups.pids.limit'], inV2Vm(['pids'])));
  await t.test('drop-cpu-quota', (t) => judge(t, baseline, 'drop-cpu-quota', ['cgroups/cpu cgroups.cpu.quota'], inV2Vm(['cpu'])));
  await t.test('ignore-cgroupsPath', (t) => judge(t, baseline, 'ignore-cgroupsPath', ['cgroups/path-absolute cgroups.path.absolute', 'cgroups/path-relative cgroups.path.relative'], inV2Vm(['path-absolute', 'path-relative'])));
});
