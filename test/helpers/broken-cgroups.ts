/** Shared by the broken cgroup runtime tests: one broken run judged against a baseline. */
import t from 'tap';
import { join } from 'node:path';
import { failures, run, RUNTIMES, whyNoResults } from './suite.js';

export type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

/** Every cgroup rule applies at 1.3.0. */
export const ARGS = ['--only', 'cgroups', '--spec-version', '1.3.0'];

/** runc without swap limit support of its own: a swap limit without a memory limit is refused. */
export const SWAP_NEEDS_LIMIT = 'cgroups/memory-swap cgroups.memory.swap';

/**
 * Runs a broken runtime and compares its failures beyond the baseline's.
 * In a VM (slow: emulated) `vmOnly` narrows the run to the cases it breaks.
 */
export async function judge(t: Tap, baseline: string[], name: string, expected: string[], vmOnly?: { mode: string; only: string }): Promise<void> {
  const args = vmOnly ? ['--only', vmOnly.only, '--spec-version', '1.3.0', '--vm', vmOnly.mode] : ARGS;
  const r = await run(join(RUNTIMES, 'broken-cgroups', name), args, (m) => t.comment(m));
  t.ok(r.doc, 'the run wrote its results document', whyNoResults(r));
  t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
}


/**
 * runc's failures on these cases inside the cgroup v2 VM: the baseline its
 * broken wrappers are judged against there.
 */
export async function v2VmBaseline(t: Tap, cases: readonly string[]): Promise<string[]> {
  const base = await run('runc', ['--only', cases.map((c) => `cgroups/${c}`).join(','), '--spec-version', '1.3.0', '--vm', 'cgroup2'], (m) => t.comment(m));
  t.ok(base.doc, 'the baseline run wrote its results document', whyNoResults(base));
  return failures(base.doc);
}

/** In the v2 VM, a broken run is narrowed to the cases it breaks. */
export function inV2Vm(cases: readonly string[]): { mode: string; only: string } {
  return { mode: 'cgroup2', only: cases.map((c) => `cgroups/${c}`).join(',') };
}
