/**
 * Nothing outlives a run: interrupted with SIGINT or SIGTERM it removes every
 * container it made; killed with SIGKILL, the next `ocicomply clean` does.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freshDir, onPath, start, waitFor } from './helpers/suite.js';
import { cgroupDirs, mountsUnder, probeProcesses } from './helpers/leftovers.js';

async function assertNothingLeft(t: Tap.Test, work: string): Promise<void> {
  t.same(await probeProcesses(), [], 'no container process is left');
  t.same(await cgroupDirs(), [], 'no ocicomply cgroup directory is left');
  t.same(await mountsUnder(work), [], 'no mount under the work dir is left');
  t.same((await readdir(work).catch(() => [])).filter((n) => n.startsWith('run-')), [], 'no run directory (bundles, runtime root) is left');
}

type Tap = { Test: Parameters<Parameters<typeof t.test>[1]>[0] };

const skip = onPath('runc') ? false : 'runc is not on PATH';

t.test('leftovers of other runs before the tests', { skip }, async (t) => {
  t.same(await probeProcesses(), [], 'the host starts clean');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} during a run removes everything`, { skip }, async (t) => {
    const dir = await freshDir('sig');
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const work = join(dir, 'work');
    // One job, so that the run is still busy when the signal arrives.
    const { child, done } = start(['run', '--runtime', 'runc', '--reporter', 'tap', '--jobs', '1', '--work-dir', work]);
    await waitFor('a container program', async () => ((await probeProcesses()).length > 0 ? true : undefined));
    process.kill(child.pid!, signal);
    const r = await done;
    t.equal(r.code, signal === 'SIGINT' ? 130 : 143, `exit status tells the run was interrupted by ${signal}`);
    t.match(r.stderr, /stopping, removing every container/, 'says what it is doing');
    t.notMatch(r.stdout, /deadline passed|killed by/, 'calls cut short by the interrupt are not reported as failures');
    await assertNothingLeft(t, work);
  });
}

t.test('a run killed with SIGKILL is cleaned by ocicomply clean', { skip }, async (t) => {
  const dir = await freshDir('kill');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const { child, done } = start(['run', '--runtime', 'runc', '--reporter', 'tap', '--jobs', '2', '--work-dir', work]);
  // Kill while the runtime knows at least one container of the run.
  const list = (root: string): string[] => {
    try {
      return execFileSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const root = await waitFor('a container of the run', async () => {
    const run = (await readdir(work).catch(() => [])).find((n) => n.startsWith('run-'));
    const r = run && join(work, run, 'root');
    return r && list(r).length > 0 ? r : undefined;
  });
  // The whole process group: launcher, subreaper and the harness die at once.
  process.kill(-child.pid!, 'SIGKILL');
  await done;
  const runs = (await readdir(work)).filter((n) => n.startsWith('run-'));
  t.equal(runs.length, 1, 'the killed run left its directory');
  t.ok(list(root).length > 0, 'the killed run left containers behind');

  const c = start(['clean', '--work-dir', work]);
  const r = await c.done;
  t.equal(r.code, 0, `clean succeeds (${r.stderr.trim()})`);
  t.match(r.stdout, /1 stale run\(s\) cleaned/, 'clean reports what it removed');
  await assertNothingLeft(t, work);
});

t.test('a reader that goes away (`| head`) does not stop the run before its teardown', { skip }, async (t) => {
  const dir = await freshDir('pipe');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const { child, done } = start(['run', '--runtime', 'runc', '--reporter', 'tap', '--jobs', '1', '--only', 'lifecycle,state', '--work-dir', work]);
  // Close our end after the first output: every later write of the run meets a closed pipe.
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  child.stdout!.destroy();
  const r = await done;
  t.equal(r.code, 0, `the run ends with its own verdict (${r.stderr.trim().split('\n').pop() ?? ''})`);
  t.notMatch(r.stderr, /EPIPE|internal error/, 'no stack trace about the pipe');
  await assertNothingLeft(t, work);
});

t.test('the directory of a VM run killed with SIGKILL is removed by ocicomply clean', async (t) => {
  const dir = await freshDir('vmdir');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const vmDir = join(work, 'run-vm-cgroup2-AbC123');
  await mkdir(vmDir, { recursive: true, mode: 0o700 });
  // An owner that cannot be alive: pid 2^22 + 1 is above the kernel's pid limit.
  await writeFile(join(vmDir, 'owner.json'), JSON.stringify({ pid: 4194305, startTime: '1' }));
  await writeFile(join(vmDir, 'serial.log'), 'console output');
  const r = await start(['clean', '--work-dir', work]).done;
  t.equal(r.code, 0, `clean succeeds (${r.stderr.trim()})`);
  t.same(await readdir(work), [], 'the VM run directory is gone');
});
