/**
 * What every VM run shows of the VM mode itself, checked on runc's three
 * lifecycle cases that share the boot of a file's other runs (each emulated
 * boot costs half a minute).
 */
import { failures, outcomeOf, whyNoResults, type ManyOutcome } from './suite.js';
import type { Tap } from './broken-cgroups.js';

/** Run with runc as `runc:TERM` beside a file's other cases; their verdicts are the host's. */
export const VM_MODE_CASES = ['lifecycle/create-start', 'delete/stopped', 'errors/delete-created'];

export async function checkVmMode(t: Tap, many: ManyOutcome, mode: 'cgroup2' | 'cgroup1', kernel: string): Promise<void> {
  const cgroup = mode === 'cgroup2' ? 'v2' : 'v1';
  await t.test(`--vm ${mode}: the suite runs on a pure ${cgroup} host`, async (t) => {
    const r = outcomeOf(many, 'runc');
    t.equal(r.doc?.host.cgroup, cgroup, `the results say the host is ${cgroup}`, whyNoResults(r));
    t.match((r.doc as unknown as { vm?: { mode: string; bootMs: number } }).vm, { mode, kernel }, 'the results carry the VM facts');
    const own = failures(r.doc).filter((f) => VM_MODE_CASES.includes(f.split(' ')[0]!));
    t.same(own, ['errors/delete-created delete.not-stopped'], 'the same verdicts as on the host');
    t.equal(many.code, 1, 'the exit status of the run inside');
    t.match(many.stdout, /^TAP version 13/m, 'TAP comes back');
    t.match(many.stderr, new RegExp(`${mode} VM \\(kernel .*\\): booted in \\d+ ms`), 'boot and total time are reported');
  });
}
