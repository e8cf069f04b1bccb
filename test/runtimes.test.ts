/**
 * The suite against the real runtimes: each fails exactly the requirements
 * its expectations file (expectations/<runtime>.yaml, the source of README.md's
 * table) lists for the target spec version and this host, and nothing else;
 * and with that file, `run --expectations` exits 0.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failures, onPath, ROOT, run, RUNTIMES, start } from './helpers/suite.js';
import { cgroupMode } from '../src/host/cgroups.js';
import { loadExpectations } from '../src/expectations/file.js';
import { applicableEntries, entryFor } from '../src/expectations/mark.js';
import type { RequirementResult, RunDocument } from '../src/results.js';

/** The runs of each runtime: its default target spec version, then areas at the versions whose rules changed them. */
const RUNS: readonly string[][] = [
  [],
  ['--spec-version', '1.1.0', '--only', 'seccomp,devices'],
  // One run at 1.3.0 for every area whose rules that version changed or added.
  ['--spec-version', '1.3.0', '--only', 'hooks,cgroups,process,namespaces,config,rootfs,features'],
];

const key = (r: Pick<RequirementResult, 'case' | 'requirement'>): string => `${r.case} ${r.requirement}`;

/** What the file says this run must fail, and what it may fail (races), among the results that were judged. */
async function expected(file: string, doc: RunDocument): Promise<{ known: string[]; racy: string[] }> {
  const entries = applicableEntries(await loadExpectations(file), { specVersion: doc.specVersion, runtimeVersion: doc.runtime.version, cgroup: doc.host.cgroup });
  const judged = doc.results.filter((r) => r.status !== 'skip');
  const listed = (status: 'fail' | 'racy') => judged.filter((r) => entryFor(entries, r)?.status === status).map(key).sort();
  return { known: listed('fail'), racy: listed('racy') };
}

async function check(t: Tap, runtime: string, file: string): Promise<void> {
  for (const args of RUNS) {
    await t.test(args.join(' ') || 'default spec version', async (t) => {
      const r = await run(runtime, [...args, '--expectations', file]);
      if (!r.doc) {
        t.fail('the run wrote its results', { stderr: r.stderr.slice(-4000) });
        return;
      }
      const { known, racy } = await expected(file, r.doc);
      t.ok(known.length > 0, `${file} lists failures for this run`);
      t.same(failures(r.doc).filter((f) => !racy.includes(f)), known, 'fails exactly its known deviations');
      t.equal(r.code, 0, 'every failure is a known deviation: exit 0');
      t.same(r.doc.results.filter((x) => x.expectation?.startsWith('unexpected')).map(key), [], 'no result is unexpected');
      t.same(r.doc.results.filter((x) => x.status === 'fail').map((x) => x.expectation).filter((e) => e !== 'expected-fail' && e !== 'racy'), [],
        'every failure is marked as a known deviation');
      t.equal(r.doc.expectations?.file, file, 'the results name the expectations file');
      t.ok((r.doc.timing?.runtimeCalls ?? 0) > 0, 'runtime calls are counted');
      t.equal(r.doc.host.cgroup, await cgroupMode(), 'the host cgroup mode is reported');
    });
  }
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('runc', { skip: onPath('runc') ? false : 'runc is not on PATH' }, (t) => check(t, 'runc', join(ROOT, 'expectations', 'runc.yaml')));

t.test('crun', { skip: onPath('crun') ? false : 'crun is not on PATH' }, async (t) => {
  // crun 1.8.1 refuses hybrid hosts; the fixture hides the empty v2 mount from it.
  const runtime = (await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun';
  await check(t, runtime, join(ROOT, 'expectations', 'crun.yaml'));
});

t.test('runc: a failure no file lists is new, and fails the run; the human report says so', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-test-expect-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const none = join(dir, 'none.yaml');
  await writeFile(none, 'runtime: runc\nentries: []\n');
  const only = ['--only', 'errors/delete-created'];

  const r = await run('runc', [...only, '--expectations', none]);
  const failed = r.doc?.results.find((x) => x.requirement === 'delete.not-stopped');
  t.match(failed, { status: 'fail', expectation: 'unexpected-fail' }, 'marked as a new failure');
  t.match(failed?.call, { argv: [/runc$/, '--root', String, 'delete', String], exitCode: 0, timedOut: false }, 'with the runtime call it rests on');
  t.equal(r.code, 1, 'a new MUST failure: exit 1');

  // The human report, piped: no status line; the failure block; known deviations apart.
  const json = join(dir, 'results.json');
  const human = start(['run', '--runtime', 'runc', ...only, '--reporter', 'human', '--work-dir', join(dir, 'work'), '--json', json,
    '--expectations', join(ROOT, 'expectations', 'runc.yaml')]);
  const out = await human.done;
  t.equal(out.code, 0, 'the same failure, listed: exit 0');
  t.notMatch(out.stdout, /\r|\x1b\[/, 'piped: no status line, no colour');
  t.match(out.stdout, /^\[1\/1\] errors\/delete-created {2}FAIL known /m, 'the case line says its failures are known');
  t.match(out.stdout, /Known deviations \(failures \S+runc\.yaml lists\):\n {2}errors\/delete-created {2}delete\.not-stopped \(MUST\)\n {6}known deviation: runtime\.md, Delete:/);
  t.match(out.stdout, / 1 failed \(0 new, 1 known\), /, 'the totals count known failures apart');
  t.match(out.stdout, /^time: +\d+(\.\d)?m?s wall, \d+ jobs?$/m, 'the wall time at the end');

  const plain = start(['run', '--runtime', 'runc', ...only, '--reporter', 'human', '--work-dir', join(dir, 'work')]);
  const text = (await plain.done).stdout;
  t.match(text, /Failed MUST requirements:\n {2}errors\/delete-created {2}delete\.not-stopped \(MUST\) {2}runtime\.md#runtimeDelete\n/, 'the spec section');
  t.match(text, /^ {6}expected: /m, 'what was expected');
  t.match(text, /^ {6}seen: +/m, 'what was seen');
  t.match(text, /^ {6}call: +\S*runc --root \S+ delete \S+ {2}-> exit 0$/m, 'the call the failure rests on');
  t.match(text, /^ {6}stderr: +/m, 'its stderr');
});
