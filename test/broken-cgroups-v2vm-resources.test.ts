/**
 * Broken cgroup runtimes inside the cgroup v2 VM, part one: memory, unified,
 * block I/O and ownership. Emulated runs are slow, so one boot serves runc
 * and every broken runtime, each broken run narrowed to the cases it breaks,
 * and the VM's broken runtimes are spread over files that each stay well
 * under the per-file time limit.
 */
import t from 'tap';
import { vmSkip } from './helpers/suite.js';
import { judgeInV2Vm, SWAP_NEEDS_LIMIT } from './helpers/broken-cgroups.js';

const skip = await vmSkip();

t.test('inside the cgroup v2 VM: memory, unified, block I/O, ownership', { skip }, (t) => judgeInV2Vm(t, [
  { name: 'drop-memory-limit', cases: ['memory', 'memory-swap'], expected: ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT] },
  { name: 'unified-off-by-one', cases: ['unified'], expected: ['cgroups/unified cgroups.unified.write'] },
  { name: 'no-controller-enable', cases: ['unified-nested'], expected: ['cgroups/unified-nested cgroups.unified.controllers-enabled'] },
  { name: 'drop-blkio-throttle', cases: ['blkio-throttle'], expected: ['cgroups/blkio-throttle cgroups.blkio.throttle'] },
  { name: 'chowns-cgroup-to-user', cases: ['ownership-delegated', 'ownership-read-only'], expected: ['cgroups/ownership-delegated cgroups.ownership.others-kept', 'cgroups/ownership-read-only cgroups.ownership.only-if-writable'] },
]));
