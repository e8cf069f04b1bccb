/**
 * Expectations files: validation, which entries hold for a run, how results
 * are marked, what fails the run, and README.md's table, which must be the
 * one the files generate.
 */
import t from 'tap';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../src/catalogue.js';
import { loadCases } from '../src/cases/load.js';
import { CHECKS } from '../src/checks/index.js';
import { loadExpectations, unknownIds, type ExpectationsFile } from '../src/expectations/file.js';
import { applicableEntries, markResult } from '../src/expectations/mark.js';
import { deviationsTable, TABLE_BEGIN, TABLE_END, withTable } from '../src/expectations/table.js';
import type { RequirementResult } from '../src/results.js';
import { failsRun, summarize } from '../src/results.js';
import { renderJUnit } from '../src/report/junit.js';
import { SetupError } from '../src/util/errors.js';
import { ROOT, start } from './helpers/suite.js';

const EXPECTATIONS = join(ROOT, 'expectations');
const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));

async function shipped(): Promise<ExpectationsFile[]> {
  const names = (await readdir(EXPECTATIONS)).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(names.map((n) => loadExpectations(join(EXPECTATIONS, n))));
}

async function tempFile(t: Tap, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-expectations-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'x.yaml');
  await writeFile(file, text);
  return file;
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('the shipped files load, and name only cases and requirements that exist', async (t) => {
  const files = await shipped();
  t.same(files.map((f) => f.runtime), ['crun', 'runc']);
  const { cases, errors } = await loadCases([join(ROOT, 'cases')], catalogue, CHECKS);
  t.same(errors, []);
  for (const f of files) {
    t.ok(f.entries.length > 5, `${f.runtime}: entries`);
    t.equal(unknownIds(f, cases, catalogue), undefined, `${f.runtime}: every id is known`);
    t.ok(f.entries.every((e) => e.runtimeVersions !== undefined), `${f.runtime}: the file's runtimeVersions reach every entry`);
  }
  const bad: ExpectationsFile = { file: 'x.yaml', runtime: 'r', entries: [{ ...files[0]!.entries[0]!, requirements: ['hooks.invalid-config'] }] };
  t.match(unknownIds(bad, cases, catalogue), /^x\.yaml: entries\.0: case \S+ does not check hooks\.invalid-config$/);
  t.match(unknownIds({ ...bad, entries: [{ ...bad.entries[0]!, cases: ['no/such'] }] }, cases, catalogue), /no case "no\/such"/);
  t.match(unknownIds({ ...bad, entries: [{ ...bad.entries[0]!, requirements: ['no.such'] }] }, cases, catalogue), /unknown requirement id "no\.such"/);
});

t.test('an invalid file is one SetupError naming the file and the field', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['runtime: r\nentries:\n  - { case: a, requirement: b, status: flaky, reason: x }\n', /x\.yaml: field entries\.0\.status: must be one of fail, racy$/],
    ['runtime: r\nentries:\n  - { case: a, requirement: b, status: fail }\n', /field entries\.0: missing field "reason"/],
    ['runtime: r\nentries:\n  - { case: a, requirement: b, status: fail, reason: x, spec: "1" }\n', /field entries\.0: unknown field "spec"/],
    ['runtime: r\nentries:\n  - { case: [], requirement: b, status: fail, reason: x }\n', /field entries\.0\.case/],
    ['runtime: r\nentries:\n  - { case: a, requirement: b, status: fail, reason: x, specVersions: "one point two" }\n', /entries\.0\.specVersions: "one point two" is not a version range/],
    ['runtime: r\nruntimeVersions: "x y z"\nentries: []\n', /field runtimeVersions: "x y z" is not a version range/],
    ['entries: []\n', /the file: missing field "runtime"/],
    ['runtime: [unclosed\n', /not YAML/],
  ];
  for (const [text, message] of cases) {
    const file = await tempFile(t, text);
    await t.rejects(loadExpectations(file), { name: 'SetupError', message }, message.source);
  }
  await t.rejects(loadExpectations('/nonexistent/x.yaml'), new SetupError('--expectations /nonexistent/x.yaml: cannot be read (ENOENT)'));
});

t.test('which entries hold: spec version, runtime version, host cgroup mode', async (t) => {
  const file = await loadExpectations(await tempFile(t, [
    'runtime: r',
    'runtimeVersions: ">=1.1.0 <1.2.0"',
    'entries:',
    '  - { case: a, requirement: x, status: fail, reason: always }',
    '  - { case: a, requirement: y, status: fail, reason: old spec, specVersions: "<1.1.0" }',
    '  - { case: [a, b], requirement: [z, w], status: racy, reason: v2 only, cgroup: [v2] }',
    '  - { case: c, requirement: x, status: fail, reason: newer runtime, runtimeVersions: ">=2.0.0" }',
  ].join('\n')));
  const reasons = (specVersion: string, runtimeVersion: string | null, cgroup: 'v1' | 'v2' | 'hybrid') =>
    applicableEntries(file, { specVersion, runtimeVersion, cgroup }).map((e) => e.reason);
  t.same(reasons('1.0.2', 'runc version 1.1.5', 'v1'), ['always', 'old spec']);
  t.same(reasons('1.3.0', 'runc version 1.1.5', 'v2'), ['always', 'v2 only']);
  t.same(reasons('1.0.2-dev', 'runc version 1.1.5', 'hybrid'), ['always', 'old spec'], 'a pre-release counts as its release');
  t.same(reasons('1.3.0', 'runc version 1.2.0', 'v2'), [], 'outside the file\'s runtimeVersions');
  t.same(reasons('1.3.0', 'x version 2.1.0', 'v1'), ['newer runtime'], 'an entry\'s own runtimeVersions replace the file\'s');
  t.same(reasons('1.3.0', null, 'v1'), [], 'an unknown runtime version matches no range: failures stay new');
});

t.test('marking, and what fails the run', async (t) => {
  const file = await loadExpectations(await tempFile(t, [
    'runtime: r',
    'entries:',
    '  - { case: a, requirement: [x, s], status: fail, reason: known }',
    '  - { case: a, requirement: r, status: racy, reason: a race }',
  ].join('\n')));
  const entries = applicableEntries(file, { specVersion: '1.3.0', runtimeVersion: null, cgroup: 'v1' });
  const res = (requirement: string, status: RequirementResult['status'], level: RequirementResult['level'] = 'MUST', kase = 'a'): RequirementResult =>
    ({ case: kase, requirement, level, status, message: '' });
  const mark = (r: RequirementResult) => markResult(entries, r);

  t.match(mark(res('x', 'fail')), { expectation: 'expected-fail', deviation: 'known' });
  t.match(mark(res('x', 'pass')), { expectation: 'unexpected-pass', deviation: 'known' });
  t.match(mark(res('x', 'skip')), { expectation: 'expected' });
  t.match(mark(res('r', 'fail')), { expectation: 'racy', deviation: 'a race' });
  t.match(mark(res('r', 'pass')), { expectation: 'racy' });
  t.match(mark(res('x', 'fail', 'MUST', 'b')), { expectation: 'unexpected-fail' }, 'the case must match too');
  t.same(mark(res('y', 'pass')), { ...res('y', 'pass'), expectation: 'expected' }, 'no deviation field when no entry lists it');

  t.equal(failsRun(res('x', 'fail')), true, 'without expectations a failed MUST fails the run');
  t.equal(failsRun(mark(res('x', 'fail'))), false, 'a listed failure does not');
  t.equal(failsRun(mark(res('r', 'fail'))), false, 'nor a racy one');
  t.equal(failsRun(mark(res('q', 'fail'))), true, 'a new MUST failure does');
  t.equal(failsRun(mark(res('q', 'fail', 'SHOULD'))), false, 'a new SHOULD failure is a warning');
  t.equal(failsRun(mark(res('x', 'pass'))), false, 'an unexpected pass is reported, not failed');
});

t.test('JUnit: a known deviation is a skipped testcase with its reason, and only new MUST failures count as failures', async (t) => {
  const file = await loadExpectations(await tempFile(t, 'runtime: r\nentries:\n  - { case: a, requirement: x, status: fail, reason: the runtime deletes anyway }\n'));
  const entries = applicableEntries(file, { specVersion: '1.3.0', runtimeVersion: null, cgroup: 'v1' });
  const res = (requirement: string): RequirementResult => markResult(entries, { case: 'a', requirement, level: 'MUST', status: 'fail', message: `${requirement} broke` });
  const results = [res('x'), res('q')];
  const doc = {
    ocicomply: '0', runtime: { path: '/r', args: [], version: null }, specVersion: '1.3.0',
    host: { kernel: 'k', cgroup: 'v1' as const, controllers: [], blockDevice: null },
    results, summary: summarize(results), loadErrors: [],
  };
  const xml = renderJUnit(doc, [{ case: 'a', file: 'a.yaml', summary: 's', durationMs: 10, results, calls: [], cleanupProblems: [] }]);
  t.match(xml, /<testsuites [^>]*tests="2" failures="1"/, 'the run counts one failure, the new one');
  t.match(xml, /<testsuite name="a" tests="2" failures="1" errors="0" skipped="1"/);
  t.match(xml, /<testcase [^>]*name="x \(MUST\)"[^>]*>\s*<skipped message="known deviation: MUST requirement not met: x broke" type="known deviation">[^<]*the runtime deletes anyway/);
  t.match(xml, /<testcase [^>]*name="q \(MUST\)"[^>]*>\s*<failure message="q broke" type="MUST">/);
});

t.test('README.md\'s deviations table is the one expectations/*.yaml generate (npm run readme-deviations)', async (t) => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const files = await shipped();
  const table = deviationsTable(files, catalogue);
  t.ok(readme.includes(TABLE_BEGIN) && readme.includes(TABLE_END), 'the markers are there');
  t.equal(withTable(readme, table), readme, 'the table between the markers is up to date');
  const rows = table.split('\n').slice(2);
  const entries = files.reduce((n, f) => n + f.entries.length, 0);
  t.ok(rows.length < entries, 'entries alike in both files share a row');
  t.match(table, /^\| crun 1\.8\.1, runc 1\.1\.5 \| `delete\.not-stopped` \| MUST \| all \| errors\/delete-created \| runtime\.md, Delete:/m);
  t.match(table, /\| `hooks\.invalid-config` \| MUST \|/);
  t.match(table, /\| `cgroups\.hugepages\.reservation` \| SHOULD \(warning\) \| `>=1\.1\.0` \|/);
  t.match(table, /\| all, racy \|/);
  t.equal(withTable('no markers', table), undefined);
});

t.test('run --expectations with a bad file: one message, exit 2, nothing run', async (t) => {
  const file = await tempFile(t, 'runtime: r\nentries:\n  - { case: errors/delete-created, requirement: delete.not-stoped, status: fail, reason: x }\n');
  const bad = await start(['run', '--runtime', '/bin/true', '--expectations', file]).done;
  t.equal(bad.code, 2);
  t.equal(bad.stderr, `ocicomply: ${file}: entries.0: unknown requirement id "delete.not-stoped" (see ocicomply list)\n`);
  t.equal(bad.stdout, '', 'no report: nothing ran');
  const missing = await start(['run', '--runtime', '/bin/true', '--expectations', '/nonexistent.yaml']).done;
  t.equal(missing.code, 2);
  t.match(missing.stderr, /^ocicomply: --expectations \/nonexistent\.yaml: cannot be read \(ENOENT\)\n$/);
});
