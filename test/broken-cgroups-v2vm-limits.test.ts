/**
 * Broken cgroup runtimes inside the cgroup v2 VM, part two: pids, cpu and
 * cgroupsPath (see the resources file for why the VM's runs are split).
 */
import t from 'tap';
import { vmSkip } from './helpers/suite.js';
import { judgeInV2Vm } from './helpers/broken-cgroups.js';

const skip = await vmSkip();

t.test('inside the cgroup v2 VM: pids, cpu, cgroupsPath', { skip }, (t) => judgeInV2Vm(t, [
  { name: 'drop-pids-limit', cases: ['pids'], expected: ['cgroups/pids cgroups.pids.limit'] },
  { name: 'drop-cpu-quota', cases: ['cpu'], expected: ['cgroups/cpu cgroups.cpu.quota'] },
  { name: 'ignore-cgroupsPath', cases: ['path-absolute', 'path-relative'], expected: ['cgroups/path-absolute cgroups.path.absolute', 'cgroups/path-relative cgroups.path.relative'] },
]));
