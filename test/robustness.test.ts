/**
 * Bad input gets one clear message and a non-zero exit, and whatever can
 * still be judged is judged: unknown runtimes, garbage output, a runtime that
 * hangs, malformed case files, bad flags.
 */
import t from 'tap';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { knownSpecVersions, loadCatalogue } from '../src/catalogue.js';
import type { RunDocument } from '../src/results.js';
import { knownRelease, versionsNamed } from '../src/spec/version.js';
import { BIN, freshDir, onPath, ROOT, run, RUNTIMES, start } from './helpers/suite.js';

function startAs(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stderr })));
}
import { probeProcesses } from './helpers/leftovers.js';

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

const skip = onPath('runc') ? false : 'runc is not on PATH';

t.test('an unknown runtime is a setup error (exit 2) with a clear message', async (t) => {
  const r = await run('/nonexistent/runtime');
  t.equal(r.code, 2);
  t.match(r.stderr, /runtime not found: \/nonexistent\/runtime/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  const byName = await run('no-such-runtime-anywhere');
  t.equal(byName.code, 2);
  t.match(byName.stderr, /no executable "no-such-runtime-anywhere" on PATH/);
});

t.test('a probe that cannot be built is an environment error (exit 2)', async (t) => {
  const r = await start(['run', '--runtime', 'runc'], { CC: '/nonexistent/cc' }).done;
  t.equal(r.code, 2);
  t.match(r.stderr, /the probe cannot be built .*install a C compiler/);
});

t.test('not root is an environment error (exit 2)', { skip: onPath('setpriv') ? false : 'setpriv is not on PATH' }, async (t) => {
  const r = await startAs(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'run', '--runtime', 'runc']);
  t.equal(r.code, 2);
  t.match(r.stderr, /needs root/);
});

t.test('bad flags are usage errors (exit 2)', async (t) => {
  for (const args of [['run'], ['run', '--runtime', 'runc', '--jobs', '0'], ['run', '--runtime', 'runc', '--bogus'], ['frobnicate'],
    ['run', '--runtime', 'runc', '--spec-version', 'banana'], ['run', '--runtime', 'runc', '--only', 'no-such-area']]) {
    const r = await start(args).done;
    t.equal(r.code, 2, `${args.join(' ')} exits 2`);
    t.match(r.stderr, /^ocicomply: /, `${args.join(' ')} says why`);
  }
});

t.test('a runtime that prints garbage for state: the run ends, each case is judged, exit 1', { skip }, async (t) => {
  const r = await run(join(RUNTIMES, 'broken', 'garbage-state'), ['--wait-timeout', '500']);
  t.equal(r.code, 1);
  t.ok(r.doc, 'results document written');
  const schema = r.doc!.results.find((x) => x.case === 'state/created' && x.requirement === 'state.schema');
  t.equal(schema?.status, 'fail');
  t.match(schema?.message, /not JSON/, 'the failure says the output is not JSON');
  t.ok(r.doc!.results.some((x) => x.status === 'pass'), 'cases that do not read state still pass');
  const created = r.doc!.results.find((x) => x.case === 'lifecycle/create-start' && x.requirement === 'create.new-container');
  t.equal(created?.status, 'skip', 'a container state cannot show is not passed as created');
  t.match(created?.message, /^not judged: after create exited 0, `state \S+` printed no state document/);
});

t.test('a hung runtime call fails its case at the deadline, and the run goes on', { skip }, async (t) => {
  const started = Date.now();
  const r = await run(join(RUNTIMES, 'broken', 'hangs-on-start'), ['--timeout', '1000', '--only', 'lifecycle,state/unknown-id']);
  const took = Date.now() - started;
  t.equal(r.code, 1);
  const start = r.doc!.results.find((x) => x.case === 'lifecycle/create-start' && x.requirement === 'start.runs-program');
  t.equal(start?.status, 'fail');
  t.match(start?.message, /deadline/, 'the failure names the deadline');
  t.equal(r.doc!.results.find((x) => x.case === 'state/unknown-id')?.status, 'pass', 'other cases are judged');
  t.ok(took < 30_000, `bounded time (${took} ms for ${r.doc!.results.length} results)`);
  t.same(await probeProcesses(), [], 'nothing left running');
});

t.test('create that exits 0 but makes nothing fails create.new-container and cli.exit-status, and passes nothing after it', { skip }, async (t) => {
  // It makes the probe container every run starts with, so the run gets as far as the cases.
  const r = await run(join(RUNTIMES, 'broken', 'create-works-once'), ['--only', 'lifecycle/create-start']);
  t.equal(r.code, 1);
  const res = (id: string) => r.doc?.results.find((x) => x.requirement === id);
  t.equal(res('create.new-container')?.status, 'fail');
  t.match(res('create.new-container')?.message, /^create exited 0, but then `state \S+` exited 1.*the runtime does not know the container$/s, 'create is judged by its effect');
  t.equal(res('cli.exit-status')?.status, 'fail');
  t.match(res('cli.exit-status')?.message, /^create gave exit status 0 though it did not take effect/, 'exit 0 without the effect is a false exit status');
  t.same(r.doc?.results.filter((x) => x.status === 'pass').map((x) => x.requirement), [], 'nothing passes on a container that does not exist');
  t.match(res('state.status.created')?.message, /^not judged to the end: step 1 \(create main\)/);
});

t.test('create that never returns passes nothing it should have done or not done', { skip }, async (t) => {
  const r = await run(join(RUNTIMES, 'broken', 'hangs-on-create'), ['--timeout', '1500', '--spec-version', '1.3.0', '--only', 'hooks/fail-createRuntime,errors/create-config-not-applicable']);
  t.equal(r.code, 1);
  for (const id of ['hooks.failure.destroyed', 'create.error-leaves-nothing']) {
    const x = r.doc?.results.find((y) => y.requirement === id);
    t.equal(x?.status, 'fail', `${id} is not passed`);
    t.match(x?.message, /^not judged to the end: step 1 \(create main\) did not finish within its deadline/, `${id}: create never came to an outcome`);
  }
  t.same(r.doc?.results.filter((x) => x.status === 'pass').map((x) => x.requirement), [], 'nothing passes');
  t.same(await probeProcesses(), [], 'nothing left running');
});

t.test('a malformed case file fails that file only (exit 2); the other cases are judged', { skip }, async (t) => {
  const dir = await freshDir('cases');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'mine'));
  await cp(join(ROOT, 'cases', 'state', 'unknown-id.yaml'), join(dir, 'mine', 'good.yaml'));
  await writeFile(join(dir, 'mine', 'bad.yaml'), 'summary: bad\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n    colour: blue\n');
  const r = await run('runc', ['--cases', dir]);
  t.equal(r.code, 2);
  t.match(r.stdout, /not ok \d+ - case file .*bad\.yaml/, 'TAP shows the file as a failure');
  t.same(r.doc!.loadErrors.map((e) => e.message), ['mine/bad.yaml: field steps.0: unknown field "colour"']);
  t.same(r.doc!.results.map((x) => `${x.case} ${x.status}`), ['mine/good pass', 'mine/good pass']);
});

t.test('--spec-version decides which expectations apply and is reported', { skip }, async (t) => {
  const r = await run('runc', ['--spec-version', '1.1.0', '--only', 'state/unknown-id']);
  t.equal(r.doc?.specVersion, '1.1.0');
  t.equal(r.code, 0);
});

t.test('list prints every case with its requirement ids', async (t) => {
  const r = await start(['list']).done;
  t.equal(r.code, 0);
  t.match(r.stdout, /^lifecycle\/create-start /m);
  t.match(r.stdout, /MUST\s+create\.no-user-program/);
});

// ---- the command line: help, version, and bad input refused before any container ----

t.test('each command prints its own help and exits 0', async (t) => {
  for (const command of ['run', 'list', 'doctor', 'clean', 'build-probe']) {
    for (const flag of ['--help', '-h']) {
      const r = await start([command, flag]).done;
      t.equal(r.code, 0, `${command} ${flag} exits 0`);
      t.match(r.stdout, new RegExp(`^usage: ocicomply ${command}\\b`), `${command} ${flag} prints ${command}'s usage`);
    }
  }
  const run = await start(['run', '--help']).done;
  for (const option of ['--skip', '--fail-fast', '--rerun-failed', '--json FILE']) t.match(run.stdout, option, `run --help names ${option}`);
  const list = await start(['list', '--help']).done;
  t.notMatch(list.stdout, '--jobs', 'list --help names only list\'s options');
  const top = await start(['--help']).done;
  t.equal(top.code, 0);
  t.match(top.stdout, /^usage: ocicomply <command>/);
  const none = await start([]).done;
  t.equal(none.code, 2, 'no command is a usage error');
});

t.test('--version and -V print the version', async (t) => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = await start([flag]).done;
    t.equal(r.code, 0);
    t.equal(r.stdout, `ocicomply ${version}\n`, flag);
  }
});

t.test('the spec versions the catalogue knows: the releases and what the ranges name', async (t) => {
  const known = knownSpecVersions(await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml')));
  t.same(known, ['1.0.0', '1.0.1', '1.0.2', '1.1.0', '1.2.0', '1.2.1', '1.3.0']);
  t.same(versionsNamed(['>=1.0.0 <1.1.0', '<1.4.0', '*']).sort(), ['1.0.0', '1.1.0', '1.4.0'], 'a range names its bounds; * names none');
  t.same(knownRelease('1.0.2-dev', known), { release: '1.0.2' }, 'a pre-release stands for its release');
  t.match(knownRelease('9.9.9', known), { error: /9\.9\.9 is not a runtime-spec version ocicomply knows/ });
  t.match(knownRelease('banana', known), { error: /not a version/ });
});

/**
 * A refusal: exit 2, one line on stderr that says `why`, nothing on stdout,
 * and no run begun (the run's work dir was never made). The time bound only
 * catches a hang (the /proc paths once spun for minutes): the 2 shared cores
 * take 1 to 5 s to start Node twice (the launcher, then the run under the
 * subreaper).
 */
async function refused(t: Tap, args: string[], why: RegExp): Promise<void> {
  const workDir = join(await freshDir('refused'), 'work');
  t.teardown(() => rm(dirname(workDir), { recursive: true, force: true }));
  const withWorkDir = args[0] === 'run' && !args.includes('--work-dir') ? [...args, '--work-dir', workDir] : args;
  const began = Date.now();
  const r = await start(withWorkDir).done;
  const took = Date.now() - began;
  t.equal(r.code, 2, `${args.join(' ')} exits 2`);
  t.match(r.stderr, why, `${args.join(' ')} says why`);
  t.equal(r.stderr.trim().split('\n').length, 1, 'in one line, no stack trace');
  t.equal(r.stdout, '', 'no run output');
  t.notOk(existsSync(workDir), 'no run began');
  t.ok(took < 10_000, `refused in ${took} ms`);
}

t.test('a version the catalogue does not know is refused', async (t) => {
  await refused(t, ['run', '--runtime', 'runc', '--spec-version', '9.9.9'], /^ocicomply: --spec-version 9\.9\.9 is not a runtime-spec version ocicomply knows \(1\.0\.0, .*1\.3\.0\)/);
});

t.test('an option of another command is refused, naming the option and the command', async (t) => {
  await refused(t, ['list', '--jobs', '3'], /^ocicomply: --jobs does not apply to list/);
  await refused(t, ['clean', '--json', 'x'], /^ocicomply: --json does not apply to clean/);
  await refused(t, ['doctor', '--only', 'state'], /^ocicomply: --only does not apply to doctor/);
  await refused(t, ['build-probe', '--fail-fast'], /^ocicomply: --fail-fast does not apply to build-probe/);
});

t.test('--junit into a read-only directory is refused before the run', async (t) => {
  const dir = await freshDir('ro');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'ocicomply-test-ro', dir]);
  t.teardown(async () => {
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });
  await refused(t, ['run', '--runtime', 'runc', '--junit', join(dir, 'junit.xml')], /^ocicomply: --junit .*junit\.xml: cannot create a file in .*: read-only file system \(EROFS\)/);
});

t.test('report paths under /proc, a missing directory or a directory as the file are refused at once', async (t) => {
  await refused(t, ['run', '--runtime', 'runc', '--junit', '/proc/x/y.xml'], /^ocicomply: --junit \/proc\/x\/y\.xml: the directory \/proc\/x does not exist/);
  await refused(t, ['run', '--runtime', 'runc', '--json', '/proc/self/results.json'], /is on a proc filesystem/);
  await refused(t, ['run', '--runtime', 'runc', '--json', '/sys/kernel/results.json'], /is on a sysfs filesystem/);
  await refused(t, ['run', '--runtime', 'runc', '--json', '/tmp'], /^ocicomply: --json \/tmp: exists and is not a regular file/);
  await refused(t, ['run', '--runtime', 'runc', '--work-dir', '/proc/x/y'], /^ocicomply: --work-dir \/proc\/x\/y: \/proc is on a proc filesystem/);
  await refused(t, ['run', '--runtime', 'runc', '--json', '-', '--junit', '-'], /cannot both go to standard output/);
});

t.test('--cases that is not a directory is refused before the run', async (t) => {
  await refused(t, ['run', '--runtime', 'runc', '--cases', '/nonexistent'], /^ocicomply: --cases \/nonexistent: no such directory$/m);
  await refused(t, ['run', '--runtime', 'runc', '--cases', '/etc/passwd'], /^ocicomply: --cases \/etc\/passwd: not a directory$/m);
  await refused(t, ['list', '--cases', '/nonexistent'], /no such directory/);
});

t.test('--json - writes the document to standard output and the report to standard error', { skip }, async (t) => {
  const r = await start(['run', '--runtime', 'runc', '--only', 'state/unknown-id', '--reporter', 'tap', '--json', '-', '--work-dir', join(await freshDir('stdout'), 'work')]).done;
  t.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as RunDocument;
  t.same([...new Set(doc.results.map((x) => x.case))], ['state/unknown-id'], 'standard output is exactly the document');
  t.match(r.stderr, /^TAP version 13$/m, 'the TAP report went to standard error');
});

t.test('--skip leaves cases out: not run, not reported', { skip }, async (t) => {
  const listed = await start(['list', '--only', 'state', '--skip', 'state/unknown-id,state/created']).done;
  t.equal(listed.code, 0);
  t.match(listed.stdout, /^state\/running /m);
  t.notMatch(listed.stdout, /^state\/(unknown-id|created) /m, 'list leaves them out');
  const r = await run('runc', ['--only', 'state/unknown-id,state/created', '--skip', 'state/created']);
  t.equal(r.code, 0);
  t.same([...new Set(r.doc!.results.map((x) => x.case))], ['state/unknown-id'], 'the run leaves them out');
  await refused(t, ['run', '--runtime', 'runc', '--skip', 'no-such-area'], /^ocicomply: --skip no-such-area matches no case/);
  await refused(t, ['run', '--runtime', 'runc', '--only', 'state/created', '--skip', 'state'], /^ocicomply: no case left to run after --only and --skip/);
});

t.test('--fail-fast starts no case after a MUST failed; the rest are skips that say why', { skip }, async (t) => {
  // lifecycle/create-start comes first (cases run in the order of their ids) and fails a MUST against
  // this runtime. Named one by one: an area term also takes in cases of other areas that check its ids.
  const r = await run(join(RUNTIMES, 'broken', 'create-also-starts'), ['--only', 'lifecycle/create-start,state/created,state/running,state/stopped,state/unknown-id', '--jobs', '1', '--fail-fast']);
  t.equal(r.code, 1);
  const byCase = new Map<string, string[]>();
  for (const x of r.doc!.results) byCase.set(x.case, [...(byCase.get(x.case) ?? []), x.status]);
  const ids = [...byCase.keys()];
  t.equal(ids[0], 'lifecycle/create-start');
  t.ok(byCase.get('lifecycle/create-start')!.includes('fail'), 'the first case failed');
  const rest = r.doc!.results.filter((x) => x.case !== 'lifecycle/create-start');
  t.equal(ids.length, 5, 'every case is reported');
  t.ok(rest.length > 4, `the other cases' requirements are all reported (${rest.length} of them)`);
  t.ok(rest.every((x) => x.status === 'skip' && x.message === 'not run: --fail-fast: a MUST failed in lifecycle/create-start'), 'each as a skip saying why');
  t.match(r.stderr, /--fail-fast: a MUST failed in lifecycle\/create-start; \d+ case\(s\) not run/);
  const all = await run(join(RUNTIMES, 'broken', 'create-also-starts'), ['--only', 'lifecycle/create-start,state/unknown-id', '--jobs', '1']);
  t.equal(all.doc!.results.find((x) => x.case === 'state/unknown-id')?.status, 'pass', 'without --fail-fast the next case runs');
});

t.test('--rerun-failed runs only the cases that failed in a results document', { skip }, async (t) => {
  const dir = await freshDir('rerun');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const result = (c: string, status: string, level = 'MUST') => ({ case: c, requirement: 'state.id', level, status, message: '' });
  const withFailures = join(dir, 'failed.json');
  await writeFile(withFailures, JSON.stringify({ ocicomply: '0.1.0', results: [result('state/unknown-id', 'fail', 'SHOULD'), result('state/created', 'pass'), result('gone/case', 'fail')] }));
  const r = await run('runc', ['--rerun-failed', withFailures]);
  t.equal(r.code, 0);
  t.same([...new Set(r.doc!.results.map((x) => x.case))], ['state/unknown-id'], 'only the failed case (a SHOULD counts) ran');
  t.match(r.stderr, /--rerun-failed: not among the loaded cases, not run: gone\/case/);

  const clean = join(dir, 'clean.json');
  await writeFile(clean, JSON.stringify({ ocicomply: '0.1.0', results: [result('state/created', 'pass'), result('state/running', 'skip')] }));
  const none = await start(['run', '--runtime', 'runc', '--rerun-failed', clean]).done;
  t.equal(none.code, 0, 'no failures: nothing to do, exit 0');
  t.match(none.stderr, /has no failed result: nothing to rerun/);
  t.equal(none.stdout, '', 'nothing ran');

  const notOne = join(dir, 'not-one.json');
  await writeFile(notOne, JSON.stringify({ results: [{ case: 'x' }] }));
  await refused(t, ['run', '--runtime', 'runc', '--rerun-failed', notOne], /^ocicomply: --rerun-failed .*not-one\.json: not a results document written by --json/);
  await refused(t, ['run', '--runtime', 'runc', '--rerun-failed', '/etc/passwd'], /not a results document written by --json \(not JSON/);
  await refused(t, ['run', '--runtime', 'runc', '--rerun-failed', '/nonexistent.json'], /: no such file$/m);
});
