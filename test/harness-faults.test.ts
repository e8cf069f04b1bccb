/**
 * A fault of the harness's own files (a full or read-only work directory) is
 * never the runtime's failure: the run stops with one message and exit 2,
 * and leaves nothing behind. Unix sockets do not depend on --work-dir.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunDocument } from '../src/results.js';
import { pollUntil } from '../src/util/poll.js';
import { cgroupDirs } from './helpers/leftovers.js';
import { freshDir, onPath, start } from './helpers/suite.js';

const skip = onPath('runc') ? false : 'runc is not on PATH';

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

/** A tmpfs of `size` at a fresh directory, unmounted and removed when the test ends, even when it fails. */
async function tmpfs(t: Tap, size: string): Promise<string> {
  const dir = await freshDir('fs');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  t.teardown(async () => {
    execFileSync('umount', ['-l', dir]);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

function fill(dir: string, mib = 1024, name = 'fill'): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, name)}`, 'bs=1M', `count=${mib}`], { stdio: 'ignore' });
  } catch {
    // dd stops with ENOSPC: the file system is full, as wanted.
  }
}

function stackTrace(stderr: string): boolean {
  return /^\s+at /m.test(stderr);
}

t.test('a work directory that fills up during a run: exit 2, one message, no result blames the runtime, nothing left', { skip }, async (t) => {
  // Room for the run's check (8 MiB) and little more, so that filling the rest takes no time.
  const fs = await tmpfs(t, '40m');
  fill(fs, 30, 'ballast');
  const work = join(fs, 'work');
  const out = await freshDir('out');
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const json = join(out, 'results.json');
  const { done } = start(['run', '--runtime', 'runc', '--only', 'lifecycle,state,kill,delete', '--jobs', '1', '--reporter', 'tap', '--json', json, '--work-dir', work]);
  // Full once the first case (not the smoke test) has its directory.
  const runTag = await pollUntil(async () => {
    for (const run of await readdir(work).catch(() => [])) {
      const cases = await readdir(join(work, run, 'cases')).catch(() => []);
      if (cases.some((c) => !c.startsWith('smoke'))) return run.split('-')[1];
    }
    return undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 });
  t.ok(runTag, 'a case began');
  fill(fs);
  const leftRoom = execFileSync('df', ['--output=avail', fs]).toString();
  const r = await done;
  t.equal(r.code, 2, `exit 2 (room left after the fill: ${leftRoom.trim().split('\n')[1]} KiB)`);
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 1, `one message: ${r.stderr}`);
  t.match(lines[0], /^ocicomply: harness fault: .*ENOSPC \(no space left on device\).*--work-dir/);
  t.match(lines[0], work, 'it names the path');
  t.notOk(stackTrace(r.stderr), 'no stack trace');
  const doc = JSON.parse(await readFile(json, 'utf8')) as RunDocument;
  t.same(doc.results.filter((x) => x.status === 'fail').map((x) => `${x.case} ${x.requirement}: ${x.message}`), [], 'no result blames the runtime');
  const unjudged = doc.results.filter((x) => x.status === 'skip' && /^not judged: harness fault: .*ENOSPC/.test(x.message ?? ''));
  t.ok(unjudged.length > 0, 'the cases that could not be judged say why');
  t.equal(doc.summary.fail, 0);
  t.equal(doc.summary.skip, doc.results.filter((x) => x.status === 'skip').length, 'the summary counts them as skips');
  t.match(r.stdout, /# SKIP not judged: harness fault/, 'TAP shows them as skips');
  t.same(await readdir(work), [], 'the run directory is gone');
  t.same((await cgroupDirs()).filter((d) => d.includes(`ocicomply-${runTag}-`)), [], 'no cgroup of the run is left');
  t.notOk(existsSync(`/run/ocicomply-${runTag}-sock`), 'the socket directory is gone');
  t.equal(execFileSync('runc', ['list', '-q']).toString().split('\n').filter((l) => l.includes(`ocicomply-${runTag}-`)).length, 0, 'no container is left');
});

t.test('a work directory on a full file system: exit 2 before any case, one message', { skip }, async (t) => {
  const fs = await tmpfs(t, '4m');
  fill(fs);
  const r = await start(['run', '--runtime', 'runc', '--only', 'lifecycle', '--work-dir', join(fs, 'work')]).done;
  t.equal(r.code, 2);
  t.equal(r.stderr.trim().split('\n').length, 1, `one message: ${r.stderr}`);
  t.match(r.stderr, /ENOSPC.*--work-dir/);
  t.notOk(stackTrace(r.stderr));
  t.notMatch(r.stdout, /^(not )?ok /m, 'no case ran');
});

t.test('a work directory with less room than the run needs: exit 2, says how much', { skip }, async (t) => {
  const fs = await tmpfs(t, '6m');
  const r = await start(['run', '--runtime', 'runc', '--only', 'lifecycle', '--jobs', '4', '--work-dir', join(fs, 'work')]).done;
  t.equal(r.code, 2);
  t.match(r.stderr, /has [0-9.]+ MiB free; a run with --jobs 4 needs 20 MiB/);
  t.same(await readdir(join(fs, 'work')), [], 'no run directory is left');
});

t.test('a read-only work directory: exit 2, one message, no stack trace', { skip }, async (t) => {
  const fs = await tmpfs(t, '4m');
  await mkdir(join(fs, 'work'), { mode: 0o700 });
  execFileSync('mount', ['-o', 'remount,ro', fs]);
  for (const work of [join(fs, 'work'), join(fs, 'missing')]) {
    const r = await start(['run', '--runtime', 'runc', '--only', 'lifecycle', '--work-dir', work]).done;
    t.equal(r.code, 2, `${work}: exit 2`);
    t.equal(r.stderr.trim().split('\n').length, 1, `one message: ${r.stderr}`);
    t.match(r.stderr, /EROFS/);
    t.match(r.stderr, work);
    t.notOk(stackTrace(r.stderr));
  }
});

t.test('a long --work-dir does not lengthen the seccomp agent\'s socket path', { skip }, async (t) => {
  const base = await freshDir('long');
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const work = join(base, 'd'.repeat(60), 'e'.repeat(60));
  t.ok(work.length >= 150, `the path is ${work.length} bytes`);
  const out = join(base, 'results.json');
  const r = await start(['run', '--runtime', 'runc', '--only', 'seccomp/notify', '--spec-version', '1.1.0', '--reporter', 'tap', '--json', out, '--work-dir', work]).done;
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(await readFile(out, 'utf8')) as RunDocument;
  const notify = doc.results.filter((x) => x.requirement.startsWith('seccomp.notify.'));
  t.ok(notify.length >= 2, 'the notify requirements were judged');
  t.same(notify.filter((x) => x.status !== 'pass').map((x) => `${x.requirement}: ${x.status} ${x.message}`), [], 'every notify requirement passes');
});

t.test('a seeded parent cgroup is in the journal before it exists, and not made when journalling fails', async (t) => {
  const { seedParent } = await import('../src/engine/run-case.js');
  const { cgroupMode } = await import('../src/host/cgroups.js');
  const mode = await cgroupMode();
  const seeds = { v1: { 'pids.max': '1000' }, v2: { 'pids.max': '1000' } };
  const name = `ocicomply-${randomBytes(3).toString('hex')}-1-parent`;
  const made: string[] = [];
  t.teardown(async () => {
    for (const d of made) await rmdir(d).catch(() => undefined);
  });
  const recorded: string[][] = [];
  const failing = seedParent(name, seeds, mode, async (dirs) => {
    recorded.push(dirs);
    throw Object.assign(new Error(`write journal: no space`), { code: 'ENOSPC' });
  });
  await t.rejects(failing, { code: 'ENOSPC' });
  t.equal(recorded.length, 1, 'the journal was asked first');
  t.ok(recorded[0]!.length > 0, 'with the directories to make');
  t.same(recorded[0]!.filter((d) => existsSync(d)), [], 'none was made when the journal could not be written');

  const seenBefore: boolean[] = [];
  const parent = await seedParent(name, seeds, mode, async (dirs) => {
    seenBefore.push(...dirs.map((d) => existsSync(d)));
  });
  made.push(...parent.dirs);
  t.same(seenBefore, parent.dirs.map(() => false), 'journalled before it existed');
  t.same(parent.dirs.filter((d) => !existsSync(d)), [], 'then made');
});
