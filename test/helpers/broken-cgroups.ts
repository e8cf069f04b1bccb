/** Shared by the broken cgroup runtime tests: broken runs judged against runc's. */
import t from 'tap';
import { join } from 'node:path';
import { failures, outcomeOf, runMany, RUNTIMES, whyNoResults } from './suite.js';

export type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

/** runc without swap limit support of its own: a swap limit without a memory limit is refused. */
export const SWAP_NEEDS_LIMIT = 'cgroups/memory-swap cgroups.memory.swap';

/** A broken runtime, the cases (of area cgroups) that judge the rule it breaks, and what it must fail there. */
export interface BrokenInVm {
  readonly name: string;
  readonly cases: readonly string[];
  readonly expected: readonly string[];
}

/**
 * runc and the broken runtimes in one boot of the cgroup v2 VM (emulated:
 * slow), each broken one narrowed to the cases it breaks, runc to all of
 * them; each broken runtime must fail exactly `expected` beyond runc.
 */
export async function judgeInV2Vm(t: Tap, broken: readonly BrokenInVm[]): Promise<void> {
  const all = [...new Set(broken.flatMap((b) => b.cases))];
  const only = [...all.map((c) => `runc:cgroups/${c}`), ...broken.flatMap((b) => b.cases.map((c) => `${b.name}:cgroups/${c}`))];
  const many = await runMany(['runc', ...broken.map((b) => join(RUNTIMES, 'broken-cgroups', b.name))],
    ['--only', only.join(','), '--spec-version', '1.3.0', '--vm', 'cgroup2', '--vm-timeout', '540000'], (m) => t.comment(m));
  const base = outcomeOf(many, 'runc');
  t.ok(base.doc, 'the baseline run wrote its results document', whyNoResults(base));
  const baseline = failures(base.doc);
  for (const b of broken) {
    await t.test(b.name, async (t) => {
      const r = outcomeOf(many, b.name);
      t.ok(r.doc, 'the run wrote its results document', whyNoResults(r));
      t.same(failures(r.doc).filter((f) => !baseline.includes(f)), [...b.expected].sort(), `fails exactly: ${b.expected.join(', ')}`);
    });
  }
}
