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

