/**
 * Bad input gets one clear message and a non-zero exit, and whatever can
 * still be judged is judged: unknown runtimes, garbage output, a runtime that
 * hangs, malformed case files, bad flags.
 */
import t from 'tap';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, freshDir, onPath, ROOT, run, RUNTIMES, start } from './helpers/suite.js';

function startAs(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stderr })));
}
import { probeProcesses } from './helpers/leftovers.js';

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
