/**
 * ocicomply runs as root on machines other users share. Each test here is
 * what a hostile local user (uid nobody, through setpriv) or planted run
 * metadata would try, and asserts the refusal, the exit status, and that
 * nothing outside was touched.
 */
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freshDir, onPath, ROOT, start } from './helpers/suite.js';
import { identify } from '../src/host/proc.js';

const NOBODY = 65534;
const skip = onPath('setpriv') ? false : 'setpriv (util-linux) is not on PATH';

/** A shell command run as uid/gid nobody, as another local user would. */
function asNobody(script: string): void {
  execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'sh', '-euc', script], { stdio: 'pipe' });
}

/** A directory like /tmp: everyone may write, sticky. */
async function sharedTmp(t: Tap): Promise<{ dir: string; shared: string }> {
  const dir = await freshDir('sec');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  const shared = join(dir, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o1777);
  return { dir, shared };
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

/** A program that, if root ever ran it, would leave a mark. */
async function plantProgram(shared: string): Promise<{ program: string; mark: string }> {
  const program = join(shared, 'evil');
  const mark = join(shared, 'pwned');
  asNobody(`printf '#!/bin/sh\\ntouch ${mark}\\n' > ${program}; chmod 755 ${program}`);
  return { program, mark };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

t.test('a work directory another user made is refused, and nothing it names is run', { skip }, async (t) => {
  const { shared } = await sharedTmp(t);
  const { program, mark } = await plantProgram(shared);
  const work = join(shared, 'ocicomply');
  const planted = join(work, 'run-abcdef-AAAAAA');
  asNobody(`mkdir -p ${planted}; echo '{"pid":4194305,"startTime":"1","runtime":"${program}","root":"${planted}/root"}' > ${planted}/owner.json; echo '{"id":"ocicomply-abcdef-1","cgroupsPath":"/ocicomply-abcdef-1"}' > ${planted}/journal`);

  for (const args of [['clean', '--work-dir', work], ['run', '--runtime', 'runc', '--only', 'lifecycle/create-start', '--work-dir', work]]) {
    const r = await start(args).done;
    t.equal(r.code, 2, `${args[0]} exits 2`);
    t.match(r.stderr, new RegExp(`refusing to use work directory ${work}: ${work} is owned by uid ${NOBODY}`), `${args[0]} names the path and what is wrong`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${args[0]} says it in one line`);
    t.notOk(await exists(mark), `${args[0]} never ran the program named in owner.json`);
    t.ok(await exists(join(planted, 'owner.json')), `${args[0]} left the other user's files alone`);
  }
});

t.test('a group- or world-writable work directory is refused, and what is in it is left alone', { skip }, async (t) => {
  const { shared } = await sharedTmp(t);
  // root's own, but like /tmp: another user could have put anything in it.
  const old = join(shared, 'run-other');
  asNobody(`mkdir ${old}; touch ${old}/data`);
  await utimes(old, new Date(0), new Date(0));
  const r = await start(['clean', '--work-dir', shared]).done;
  t.equal(r.code, 2, 'clean exits 2');
  t.match(r.stderr, /is writable by every user \(mode 1777\)/, 'says why');
  t.ok(await exists(join(old, 'data')), "another user's run-* entry is not removed");
});

t.test('a work directory reached through another user\'s symlink is refused; the target is untouched', { skip }, async (t) => {
  const { dir, shared } = await sharedTmp(t);
  const victim = join(dir, 'victim');
  await mkdir(join(victim, 'run-important'), { recursive: true, mode: 0o700 });
  await chmod(victim, 0o700);
  await writeFile(join(victim, 'run-important', 'keep'), 'root data');
  await utimes(join(victim, 'run-important'), new Date(0), new Date(0));
  const link = join(shared, 'ocicomply');
  asNobody(`ln -s ${victim} ${link}`);

  for (const args of [['clean', '--work-dir', link], ['run', '--runtime', 'runc', '--only', 'lifecycle/create-start', '--work-dir', link]]) {
    const r = await start(args).done;
    t.equal(r.code, 2, `${args[0]} exits 2`);
    t.match(r.stderr, /is a symbolic link/, `${args[0]} says the work directory is a symlink`);
    t.same(await readdir(victim), ['run-important'], `${args[0]} made nothing in the link's target`);
    t.equal(await readFile(join(victim, 'run-important', 'keep'), 'utf8'), 'root data', `${args[0]} removed nothing there`);
  }
  // A parent reached through the other user's link is refused the same way.
  const r = await start(['clean', '--work-dir', join(link, 'sub')]).done;
  t.equal(r.code, 2, 'a path through the link exits 2');
  t.match(r.stderr, new RegExp(`${link} is a symbolic link made by uid ${NOBODY}`), 'names the link and its maker');
  t.notOk(await exists(join(victim, 'sub')), 'nothing was made through the link');
});

t.test('planted run metadata makes clean kill, delete or remove nothing it did not make', { skip }, async (t) => {
  const dir = await freshDir('planted');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const run = join(work, 'run-abcdef-AAAAAA');
  await mkdir(join(run, 'root'), { recursive: true, mode: 0o700 });
  await chmod(work, 0o700);

  // What the metadata points at: a directory outside any cgroup mount, an
  // unrelated process (its real start time copied), another runtime root.
  const outside = join(dir, 'outside', 'ocicomply-abcdef-3');
  await mkdir(outside, { recursive: true });
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.teardown(() => sleeper.kill('SIGKILL'));
  const victim = await identify(sleeper.pid!);
  t.ok(victim, 'the unrelated process runs');
  const calls = join(dir, 'calls.log');
  const runtime = join(dir, 'runtime');
  await writeFile(runtime, `#!/bin/sh\necho "$*" >> ${calls}\nexit 1\n`, { mode: 0o755 });

  const journal = [
    { id: 'victim', cgroupsPath: '/victim' },
    { id: 'ocicomply-abcdef-1', cgroupsPath: `/../../../../..${join(dir, 'outside')}` },
    { id: 'ocicomply-abcdef-2', cgroupsPath: '/ocicomply-abcdef-2', process: victim },
    { id: 'ocicomply-abcdef-3', cgroupsPath: '/ocicomply-abcdef-3', harnessCgroups: [outside] },
    { id: 'ocicomply-123456-4', cgroupsPath: '/ocicomply-123456-4' },
  ];
  await writeFile(join(run, 'owner.json'), JSON.stringify({ pid: 4194305, startTime: '1', runtime: join(dir, 'never'), root: '/run/runc' }));
  await writeFile(join(run, 'journal'), journal.map((e) => JSON.stringify(e)).join('\n') + '\n');

  const r = await start(['clean', '--runtime', runtime, '--work-dir', work]).done;
  t.equal(r.code, 1, `clean reports problems with exit 1 (${r.stderr.trim()})`);
  t.match(r.stderr, /container id "victim" is not one this run gives/, 'a foreign id is reported');
  t.match(r.stderr, /cgroupsPath "\/\.\.\/.*" is not one this run gives/, 'a traversing cgroupsPath is reported');
  t.match(r.stderr, /cgroup directory ".*outside\/ocicomply-abcdef-3" is not one this run makes under a cgroup mount/, 'a cgroup dir outside the cgroup mounts is reported');
  t.match(r.stderr, /container id "ocicomply-123456-4" is not one this run gives/, "another run's id is reported");
  t.match(r.stderr, new RegExp(`did not kill process ${victim!.pid} of ocicomply-abcdef-2: it is not in that container's cgroups`), 'a foreign pid is reported, not killed');
  t.ok(victim && (await identify(victim.pid))?.startTime === victim.startTime, 'the unrelated process is alive');
  t.ok(await exists(outside), 'the directory outside the cgroup mounts is still there');
  const log = (await readFile(calls, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  t.ok(log.length > 0, 'the runtime from the command line was asked about the valid entry');
  t.same(log.filter((l) => !l.startsWith(`--root ${join(run, 'root')} `)), [], 'every call used the run directory\'s own root, never one from a file');
  t.same(log.filter((l) => /victim|123456/.test(l)), [], 'no call named a rejected id');
  t.notOk(await exists(join(dir, 'never')), 'no program named in owner.json existed or ran');
});

t.test('clean without --runtime runs no program at all; entries it cannot prove are its own stay', { skip }, async (t) => {
  const dir = await freshDir('noprog');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const work = join(dir, 'work');
  const mark = join(dir, 'ran');
  const program = join(dir, 'program');
  await writeFile(program, `#!/bin/sh\ntouch ${mark}\n`, { mode: 0o755 });
  const run = join(work, 'run-abcdef-BBBBBB');
  await mkdir(join(run, 'root'), { recursive: true, mode: 0o700 });
  await chmod(work, 0o700);
  await writeFile(join(run, 'owner.json'), JSON.stringify({ pid: 4194305, startTime: '1', runtime: program, root: join(run, 'root') }));
  await writeFile(join(run, 'journal'), `${JSON.stringify({ id: 'ocicomply-abcdef-1', cgroupsPath: '/ocicomply-abcdef-1' })}\n`);
  // Not provably a run directory: a file, and a directory with another name.
  await writeFile(join(work, 'run-file'), 'x');
  await mkdir(join(work, 'run-elsewhere'));
  for (const p of ['run-file', 'run-elsewhere']) await utimes(join(work, p), new Date(0), new Date(0));

  const r = await start(['clean', '--work-dir', work]).done;
  t.notOk(await exists(mark), 'the program named in owner.json never ran');
  t.notOk(await exists(run), 'the stale run directory is removed');
  t.ok(await exists(join(work, 'run-file')) && (await exists(join(work, 'run-elsewhere'))), 'entries not named like a run directory stay');
  t.match(r.stderr, /left .*run-elsewhere alone: not named like a run directory/, 'and are reported');
  t.equal(r.code, 1, 'clean exits 1 when it left something');
});

t.test("the README's commands run the local program only, never a package from the registry", async (t) => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const commands = readme.split('\n').filter((l) => /^ {4}\S/.test(l));
  t.ok(commands.some((l) => l.includes('./bin/ocicomply.js run')), 'the run command is the checkout\'s bin');
  t.same(commands.filter((l) => /\bnpx\b|npm exec/.test(l)), [], 'no npx or npm exec line');
});
