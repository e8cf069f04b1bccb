/**
 * Broken cgroup runtimes inside the cgroup v2 VM: the v2 files. Emulated runs
 * are slow, so each broken run is narrowed to the cases it breaks (and the
 * v1 VM's runs are a file of their own, each file under the per-file limit).
 */
import t from 'tap';
import { findVmHost } from '../src/vm/host.js';
import { failures, onPath, run, whyNoResults } from './helpers/suite.js';
import { judge, SWAP_NEEDS_LIMIT } from './helpers/broken-cgroups.js';

const skipRunc = onPath('runc') ? false : 'runc is not on PATH';
const vm = await findVmHost();

t.test('inside the cgroup v2 VM (v2 files)', { skip: skipRunc || (vm.host ? false : `no VM here: ${vm.missing.map((m) => m.what).join(', ')}`) }, async (t) => {
  const used = ['memory', 'memory-swap', 'unified', 'blkio-throttle', 'ownership-delegated', 'ownership-read-only', 'pids', 'cpu', 'path-absolute', 'path-relative'];
  const base = await run('runc', ['--only', used.map((c) => `cgroups/${c}`).join(','), '--spec-version', '1.3.0', '--vm', 'cgroup2'], (m) => t.comment(m));
  t.ok(base.doc, 'the baseline run wrote its results document', whyNoResults(base));
  const baseline = failures(base.doc);
  const v2 = (only: string): { mode: string; only: string } => ({ mode: 'cgroup2', only });
  await t.test('drop-memory-limit', (t) => judge(t, baseline, 'drop-memory-limit', ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT], v2('cgroups/memory,cgroups/memory-swap')));
  await t.test('unified-off-by-one', (t) => judge(t, baseline, 'unified-off-by-one', ['cgroups/unified cgroups.unified.write'], v2('cgroups/unified')));
  await t.test('drop-blkio-throttle', (t) => judge(t, baseline, 'drop-blkio-throttle', ['cgroups/blkio-throttle cgroups.blkio.throttle'], v2('cgroups/blkio-throttle')));
  await t.test('chowns-cgroup-to-user', (t) => judge(t, baseline, 'chowns-cgroup-to-user', ['cgroups/ownership-delegated cgroups.ownership.others-kept', 'cgroups/ownership-read-only cgroups.ownership.only-if-writable'], v2('cgroups/ownership-delegated,cgroups/ownership-read-only')));
  await t.test('drop-pids-limit', (t) => judge(t, baseline, 'drop-pids-limit', ['cgroups/pids cgroups.pids.limit'], v2('cgroups/pids')));
  await t.test('drop-cpu-quota', (t) => judge(t, baseline, 'drop-cpu-quota', ['cgroups/cpu cgroups.cpu.quota'], v2('cgroups/cpu')));
  await t.test('ignore-cgroupsPath', (t) => judge(t, baseline, 'ignore-cgroupsPath', ['cgroups/path-absolute cgroups.path.absolute', 'cgroups/path-relative cgroups.path.relative'], v2('cgroups/path-absolute,cgroups/path-relative')));
});
