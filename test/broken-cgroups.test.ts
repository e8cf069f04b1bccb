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

async function judge(t: Tap, baseline: string[], name: string, expected: string[], extra: string[] = []): Promise<void> {
  const r = await run(join(RUNTIMES, 'broken-cgroups', name), [...ARGS, ...extra]);
  t.ok(r.doc, 'the run wrote its results document');
  t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('on this host (v1 files)', { skip: skipRunc || (v1Host ? false : 'this host is v2') }, async (t) => {
  const baseline = failures((await run('runc', ARGS)).doc);
  const cases: Record<string, string[]> = {
    'drop-memory-limit': ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT],
    'drop-pids-limit': ['cgroups/pids cgroups.pids.limit'],
    'drop-cpu-quota': ['cgroups/cpu cgroups.cpu.quota'],
    'ignore-cgroupsPath': ['cgroups/path-absolute cgroups.path.absolute', 'cgroups/path-relative cgroups.path.relative'],
    'writes-unset-pids': ['cgroups/untouched cgroups.unset-untouched'],
    'deletes-parent-cgroup': ['cgroups/untouched delete.keeps-foreign-resources'],
  };
  for (const [name, expected] of Object.entries(cases)) await t.test(name, (t) => judge(t, baseline, name, expected));
});

t.test('inside the cgroup v2 VM (v2 files)', { skip: skipRunc || (vm.host ? false : `no VM here: ${vm.missing.map((m) => m.what).join(', ')}`) }, async (t) => {
  const baseline = failures((await run('runc', [...ARGS, '--vm', 'cgroup2'])).doc);
  await t.test('drop-memory-limit', (t) => judge(t, baseline, 'drop-memory-limit', ['cgroups/memory cgroups.memory.limit', SWAP_NEEDS_LIMIT], ['--vm', 'cgroup2']));
  await t.test('unified-off-by-one', (t) => judge(t, baseline, 'unified-off-by-one', ['cgroups/unified cgroups.unified.write'], ['--vm', 'cgroup2']));
});
