/**
 * Broken cgroup runtimes inside the cgroup v2 VM, part one: memory, unified,
 * block I/O and ownership. Emulated runs are slow, so each broken run is
 * narrowed to the cases it breaks, and the VM's broken runs are spread over
 * files that each stay well under the per-file time limit.
 */
import t from 'tap';
import { vmSkip } from './helpers/suite.js';
import { inV2Vm, judge, SWAP_NEEDS_LIMIT, v2VmBaseline } from './helpers/broken-cgroups.js';

const skip = await vmSkip();

t.test('inside the cgroup v2 VM: memory, unified, block I/O, ownership', { skip }, async (t) => {
  const baseline = await v2VmBaseline(t, ['memory', 'memory-swap', 'unified', 'unified-nested', 'blkio-throttle', 'ownership-delegated', 'ownership-read-only']);
  await t.test('drop-memory-limit', (t) => judge(t, baseline, 'drop-memory-limit', ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT], inV2Vm(['memory', 'memory-swap'])));
  await t.test('unified-off-by-one', (t) => judge(t, baseline, 'unified-off-by-one', ['cgroups/unified cgroups.unified.write'], inV2Vm(['unified'])));
  await t.test('no-controller-enable', (t) => judge(t, baseline, 'no-controller-enable', ['cgroups/unified-nested cgroups.unified.controllers-enabled'], inV2Vm(['unified-nested'])));
  await t.test('drop-blkio-throttle', (t) => judge(t, baseline, 'drop-blkio-throttle', ['cgroups/blkio-throttle cgroups.blkio.throttle'], inV2Vm(['blkio-throttle'])));
  await t.test('chowns-cgroup-to-user', (t) => judge(t, baseline, 'chowns-cgroup-to-user', ['cgroups/ownership-delegated cgroups.ownership.others-kept', 'cgroups/ownership-read-only cgroups.ownership.only-if-writable'], inV2Vm(['ownership-delegated', 'ownership-read-only'])));
});
