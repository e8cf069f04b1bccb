/**
 * The VM is torn down on every path: Ctrl-C, SIGKILL of the harness, and a
 * guest that stops giving signs of life (a locked-up emulated kernel) is
 * stopped long before the run's deadline.
 */
import t from 'tap';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { freshDir, RUNTIMES, start, vmSkip } from './helpers/suite.js';
import type { Tap } from './helpers/broken-cgroups.js';

const skip = await vmSkip();

async function qemuProcesses(): Promise<number[]> {
  const out: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('qemu-system') || cmd.includes('/qemu-system-x86_64\0')) out.push(Number(p));
  }
  return out;
}

/** Polls until qemu is running (or not), up to `ms`. */
async function qemuUntil(running: boolean, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let pids = await qemuProcesses();
  while ((pids.length > 0) !== running && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    pids = await qemuProcesses();
  }
  return pids;
}

/** A whole-suite VM run in a work dir of the test's own, once its qemu is up. */
async function vmRunStarted(t: Tap, name: string): Promise<{ work: string; child: ReturnType<typeof start>['child']; done: ReturnType<typeof start>['done']; qemu: number[] }> {
  const dir = await freshDir(name);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const { child, done } = start(['run', '--runtime', 'runc', '--vm', 'cgroup2', '--reporter', 'tap', '--work-dir', work]);
  const qemu = await qemuUntil(true, 30_000);
  t.ok(qemu.length > 0, 'qemu runs');
  return { work, child, done, qemu };
}

const runDirs = async (work: string): Promise<string[]> => (await readdir(work).catch(() => [])).filter((n) => n.startsWith('run-'));

t.test('SIGINT tears the VM down', { skip }, async (t) => {
  const { work, child, done } = await vmRunStarted(t, 'vm-int');
  process.kill(child.pid!, 'SIGINT');
  const r = await done;
  t.equal(r.code, 130, 'exit status 130');
  t.same(await qemuProcesses(), [], 'no qemu left');
  t.same(await runDirs(work), [], 'no VM results directory left');
});

t.test('SIGKILL of the harness takes the VM with it', { skip }, async (t) => {
  const { work, done, qemu } = await vmRunStarted(t, 'vm-kill');
  // Only the harness process that started qemu (its parent): no handler of it runs.
  const parent = Number(/^PPid:\s+(\d+)/m.exec(await readFile(`/proc/${qemu[0]}/status`, 'utf8'))?.[1]);
  t.match(await readFile(`/proc/${parent}/cmdline`, 'utf8'), /ocicomply/, 'its parent is the harness');
  process.kill(parent, 'SIGKILL');
  t.same(await qemuUntil(false, 10_000), [], 'qemu died with its parent');
  await done;
  const c = await start(['clean', '--work-dir', work]).done;
  t.equal(c.code, 0, 'clean succeeds');
  t.same(await runDirs(work), [], 'clean removed the VM run directory');
});

t.test('a guest that stops giving signs of life is stopped well before the deadline', { skip }, async (t) => {
  const dir = await freshDir('vm-stall');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const began = Date.now();
  const r = await start(['run', '--runtime', join(RUNTIMES, 'stalls-guest'), '--vm', 'cgroup2', '--only', 'lifecycle/create-start', '--vm-timeout', '400000', '--work-dir', work]).done;
  const took = Date.now() - began;
  t.equal(r.code, 2, 'an environment error');
  t.match(r.stderr, /the cgroup2 VM ended without a result \(stopped: the guest gave no sign of life for 60 s\)/, 'says the guest stalled');
  t.match(r.stderr, /its last sign of life \d+ s before the end \(uptime, then its processes\):\n[\d.]+ [\d.]+\n/, 'with its last sign of life');
  t.match(r.stderr, /its console ended with:/, 'and the end of its console');
  t.ok(took < 200_000, `stopped long before the deadline (${took} ms)`);
  t.same(await qemuProcesses(), [], 'no qemu left');
  t.same(await runDirs(work), [], 'no VM results directory left');
});

