/**
 * `ocicomply report`: the matrix model from hand-made documents (grades,
 * cells, conflicts, older documents), its Markdown and HTML escaping, bad
 * input at the command line, and two real runs (runc and crun) made into an
 * HTML page that Debian's chromium opens: its DOM is checked and screenshots
 * at a phone's width (390 px) and a wide screen's (1400 px) are written to
 * build/report-matrix/ for a person to look at.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../src/catalogue.js';
import { buildMatrix, ConflictingRunsError, gradeOf, type MatrixDocument } from '../src/report/matrix.js';
import { renderMatrixHtml } from '../src/report/matrix-html.js';
import { renderMatrixMarkdown } from '../src/report/matrix-markdown.js';
import type { RunDocument } from '../src/results.js';
import { onPath, ROOT, RUNTIMES, start } from './helpers/suite.js';
import { cgroupMode } from '../src/host/cgroups.js';

const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));
const SCREENSHOTS = join(ROOT, 'build', 'report-matrix');
const CHROMIUM = '/usr/bin/chromium';

type Result = MatrixDocument['results'][number];
const pass = (c: string, requirement: string, level: Result['level'] = 'MUST'): Result => ({ case: c, requirement, level, status: 'pass', message: 'ok' });

/** A run of runc at spec 1.0.2 on a v2 host: a SHOULD failed (yellow), a skip with its reason. */
const runcDoc: MatrixDocument = {
  ocicomply: '0.1.0',
  run: { startedAt: '2026-12-01T10:00:00.000Z', options: { vm: null } },
  runtime: { path: '/usr/sbin/runc', version: 'runc version 1.1.5' },
  specVersion: '1.0.2',
  host: { kernel: '6.1.0', cgroup: 'v2' },
  results: [
    pass('lifecycle/create-start', 'state.status.created'),
    pass('kill/term', 'kill.sends-signal'),
    { case: 'cgroups/pids', requirement: 'cgroups.pids.zero', level: 'SHOULD', status: 'fail', message: 'pids.max is 0' },
    { case: 'cgroups/pids', requirement: 'cgroups.pids.limit', level: 'MUST', status: 'skip', message: 'the host has no pids controller' },
  ],
  loadErrors: [],
};

/** A run of crun at spec 1.3.0 in a VM, with expectations: a MUST failed (red) with `<` in its message, a listed failure. */
const crunDoc: MatrixDocument = {
  ocicomply: '0.1.0',
  runtime: { path: '/usr/bin/crun', version: 'crun version 1.8.1' },
  specVersion: '1.3.0',
  host: { kernel: '6.1.0', cgroup: 'v1' },
  vm: { mode: 'cgroup1' },
  results: [
    { case: 'lifecycle/create-start', requirement: 'state.status.created', level: 'MUST', status: 'fail', message: 'status is <script>alert(1)</script> | "running"', expectation: 'unexpected-fail' },
    { case: 'kill/term', requirement: 'kill.sends-signal', level: 'MUST', status: 'fail', message: 'no signal arrived', expectation: 'expected-fail' },
  ],
};

t.test('the matrix of hand-made documents', async (t) => {
  const m = buildMatrix([{ file: 'runc.json', doc: runcDoc }, { file: 'crun.json', doc: crunDoc }], catalogue);
  t.same(m.runs.map((r) => r.grade), ['yellow', 'red'], 'runc: a SHOULD failed (yellow); crun: a MUST failed (red)');
  t.same(m.runs.map((r) => r.vm), [null, 'cgroup1'], 'the VM mode of each run');
  t.same(m.runs.map((r) => r.runtime), ['runc version 1.1.5', 'crun version 1.8.1'], 'runtime labels');
  t.same(m.areas.map((a) => a.area), ['cgroups', 'kill', 'lifecycle'], 'areas, sorted');
  const area = (name: string) => m.areas.find((a) => a.area === name)!;
  t.same(area('cgroups').grades, ['yellow', null], 'an area a run has no result in has no grade');
  t.same(area('kill').grades, ['green', 'red'], 'an expected failure still counts against the grade');
  const rows = area('lifecycle').groups.flatMap((g) => g.rows);
  t.match(rows[0], { requirement: 'state.status.created', level: 'MUST', cells: [{ status: 'pass' }, { status: 'fail', details: [/<script>/] }] });
  t.match(area('kill').groups[0]!.rows[0]!.cells[1], { status: 'expected-fail' }, 'a listed failure is an expected fail');
  const cgroupRows = area('cgroups').groups.flatMap((g) => g.rows);
  t.match(cgroupRows.find((r) => r.requirement === 'cgroups.pids.limit')?.cells, [{ status: 'skip', details: ['cgroups/pids: skip: the host has no pids controller'] }, null]);
  const group = area('lifecycle').groups[0]!;
  t.same(group.links.map((l) => l.url), [
    'https://github.com/opencontainers/runtime-spec/blob/v1.0.2/runtime.md#runtimeState',
    'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/runtime.md#runtimeState',
  ], 'the section at each target version among the runs');
});

t.test('grades: skips do not count, MAY failures do not count, load errors make a run red', async (t) => {
  t.equal(gradeOf([{ level: 'MUST', status: 'skip' }, { level: 'SHOULD', status: 'pass' }]), 'green');
  t.equal(gradeOf([{ level: 'MAY', status: 'fail' }]), 'green');
  t.equal(gradeOf([{ level: 'SHOULD', status: 'fail' }, { level: 'MUST', status: 'pass' }]), 'yellow');
  t.equal(gradeOf([{ level: 'SHOULD', status: 'fail' }, { level: 'MUST', status: 'fail' }]), 'red');
  t.equal(gradeOf([], 1), 'red');
  const m = buildMatrix([{ file: 'a.json', doc: { ...runcDoc, results: [pass('state/x', 'state.id')], loadErrors: [{ file: 'x.yaml', message: 'bad' }] } }], catalogue);
  t.equal(m.runs[0]!.grade, 'red', 'a run with a case file that could not be loaded is red');
  t.equal(m.areas[0]!.grades[0], 'green', 'its areas are graded on their results');
});

t.test('the same run twice: once when the results agree, refused when they differ; older documents', async (t) => {
  const same = buildMatrix([{ file: 'a.json', doc: runcDoc }, { file: 'b.json', doc: { ...runcDoc } }], catalogue);
  t.equal(same.runs.length, 1, 'shown once');
  t.same(same.duplicates, [{ file: 'b.json', sameAs: 'a.json' }]);
  const changed = { ...runcDoc, results: runcDoc.results.map((r) => ({ ...r, status: 'pass' as const })) };
  let refused: unknown;
  try {
    buildMatrix([{ file: 'a.json', doc: runcDoc }, { file: 'b.json', doc: changed }], catalogue);
  } catch (e) {
    refused = e;
  }
  t.ok(refused instanceof ConflictingRunsError, 'refused as conflicting runs');
  t.throws(() => buildMatrix([{ file: 'a.json', doc: runcDoc }, { file: 'b.json', doc: changed }], catalogue), /a\.json and b\.json claim the same run .* with different results/);
  const later = { ...changed, run: { startedAt: '2026-12-02T10:00:00.000Z' } };
  t.equal(buildMatrix([{ file: 'a.json', doc: runcDoc }, { file: 'c.json', doc: later }], catalogue).runs.length, 2, 'another start is another run');
  const { run: _run, ...older } = runcDoc;
  const m = buildMatrix([{ file: 'old.json', doc: older }], catalogue);
  t.match(m.runs[0], { startedAt: null, vm: null, grade: 'yellow' }, 'a document without a run record is read');
});

t.test('Markdown and HTML escape what the documents hold', async (t) => {
  const m = buildMatrix([{ file: 'runc.json', doc: runcDoc }, { file: 'crun.json', doc: crunDoc }], catalogue);
  const md = renderMatrixMarkdown(m);
  t.notMatch(md, /<script>/, 'no HTML from a message in the Markdown');
  t.match(md, /&lt;script&gt;alert\(1\)&lt;\/script&gt; \\\| "running"/, 'escaped, pipe too');
  t.match(md, /\| lifecycle \| 🟢 green \| 🔴 red \|/, 'the grades table');
  t.match(md, /\| `state\.status\.created` \| MUST \| pass \| \*\*FAIL\*\*: lifecycle\/create-start: fail: status is/);
  t.match(md, /\| `kill\.sends-signal` \| MUST \| pass \| expected fail: /);
  t.match(md, /Skips do not count/, 'the legend says skips do not count');
  const html = renderMatrixHtml(m);
  t.notMatch(html, /<script/i, 'no script element, not even from a message');
  t.notMatch(html, /<link|@import|url\(|src=/i, 'nothing external');
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  t.match(html, /\.scroll\{overflow-x:auto/, 'each table scrolls sideways');
  t.match(html, /\.req\{position:sticky;left:0/, 'with the requirement column kept in view');
  t.match(html, /<meta name="viewport" content="width=device-width/, 'laid out for a phone\'s width');
});

/** Runs ocicomply; its exit code and output. */
function ocicomply(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return start(args).done;
}

t.test('report at the command line: bad input exits 2 naming it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-test-report-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  const junk = join(dir, 'junk.json');
  await writeFile(a, JSON.stringify(runcDoc));
  await writeFile(b, JSON.stringify({ ...runcDoc, results: runcDoc.results.map((r) => ({ ...r, status: 'pass' })) }));
  await writeFile(junk, JSON.stringify({ hello: 'world' }));

  const none = await ocicomply(['report']);
  t.equal(none.code, 2, 'no document: exit 2');
  t.match(none.stderr, /report needs one or more results documents/);
  const bad = await ocicomply(['report', a, junk]);
  t.equal(bad.code, 2, 'not a results document: exit 2');
  t.match(bad.stderr, new RegExp(`report ${junk}: not a results document written by --json`));
  t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  const conflict = await ocicomply(['report', a, b]);
  t.equal(conflict.code, 2, 'the same run with other results: exit 2');
  t.match(conflict.stderr, /a\.json and .*b\.json claim the same run/);
  const html = join(dir, 'm.html');
  const conflictHtml = await ocicomply(['report', a, b, '--html', html]);
  t.equal(conflictHtml.code, 2);
  await t.rejects(stat(html), 'nothing written when the input is bad');

  const ok = await ocicomply(['report', a]);
  t.equal(ok.code, 0, 'written: exit 0');
  t.match(ok.stdout, /^# Results matrix/, 'without --html or --markdown the Markdown goes to standard output');
  const md = join(dir, 'm.md');
  const both = await ocicomply(['report', a, '--html', html, '--markdown', md]);
  t.equal(both.code, 0);
  t.equal(both.stdout, '', 'nothing on standard output with files named');
  t.match(await readFile(html, 'utf8'), /^<!DOCTYPE html>/);
  t.match(await readFile(md, 'utf8'), /^# Results matrix/);
});

t.test('list --json', async (t) => {
  const r = await ocicomply(['list', '--json', '--only', 'lifecycle']);
  t.equal(r.code, 0);
  const list = JSON.parse(r.stdout) as { id: string; summary: string; file: string; requirements: { id: string; level: string; versions: string }[] }[];
  t.ok(list.length > 0 && list.every((c) => c.id.startsWith('lifecycle/')), 'the selected cases');
  t.match(list[0], { id: String, summary: String, file: /\.yaml$/, requirements: [{ id: String, level: /^(MUST|SHOULD|MAY)$/, versions: String }] });
});

/** Runs chromium headless with a fresh profile; what it printed. */
function chromium(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    void mkdtemp(join(tmpdir(), 'ocicomply-test-chromium-')).then((profile) => {
      execFile(CHROMIUM, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args,
      ], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (e, stdout) => {
        void rm(profile, { recursive: true, force: true }).then(() => (e ? reject(e) : resolve(stdout)));
      });
    }, reject);
  });
}

const chromiumSkip = (await stat(CHROMIUM).then(() => false, () => true)) ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;
const runtimesSkip = !onPath('runc') ? 'runc is not on PATH' : !onPath('crun') ? 'crun is not on PATH' : process.getuid?.() !== 0 ? 'the runs need root' : false;

t.test('two real runs in a browser', { skip: chromiumSkip || runtimesSkip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-test-report-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const crun = (await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun';
  const files: string[] = [];
  const grades: string[] = [];
  for (const runtime of ['runc', crun]) {
    // Not through helpers' run(): its check for cgroups left by any run belongs to the cleanup tests.
    const file = join(dir, `${files.length}.json`);
    const r = await start(['run', '--runtime', runtime, '--reporter', 'tap', '--json', file, '--work-dir', join(dir, 'work'), '--only', 'lifecycle,state']).done;
    const doc = JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as RunDocument | null;
    if (!doc) {
      t.fail(`${runtime} wrote its results`, { stderr: r.stderr.slice(-2000) });
      return;
    }
    t.match(doc.run, { startedAt: /^\d{4}-\d\d-\d\dT.*Z$/, endedAt: /Z$/, node: process.version, ocicomply: { version: String }, options: { runtime, only: ['lifecycle', 'state'], vm: null, specVersionFrom: /^(features|version-output|default)$/ } }, 'the run record');
    t.type(doc.runtime.versionOutput, 'string', 'the whole --version output');
    files.push(file);
    grades.push(gradeOf(doc.results, doc.loadErrors.length));
  }
  // The page holds the real runs and the hand-made ones, so that every kind of cell is on it.
  const handMade = join(dir, 'hand-made.json');
  await writeFile(handMade, JSON.stringify(crunDoc));
  await mkdir(SCREENSHOTS, { recursive: true });
  const page = join(SCREENSHOTS, 'matrix.html');
  const r = await ocicomply(['report', ...files, handMade, '--html', page]);
  t.equal(r.code, 0, 'report wrote the page', { stderr: r.stderr });

  const dom = await chromium(['--dump-dom', `file://${page}`]);
  const runHeads = dom.match(/<th class="runhead"/g)?.length ?? 0;
  const areaCount = dom.match(/<section id="area-/g)?.length ?? 0;
  t.ok(areaCount >= 2, `the areas are sections (${areaCount})`);
  t.equal(runHeads, 3 * (areaCount + 1), 'each area table and the grades table have a column per run');
  const gradeRow = /<tr><th class="req" scope="row">all<\/th>(.*?)<\/tr>/.exec(dom)?.[1] ?? '';
  t.same([...gradeRow.matchAll(/class="grade g-(\w+)">(\w+)</g)].map((m) => `${m[1]}=${m[2]}`), [...grades, 'red'].map((g) => `${g}=${g}`),
    'the runs\' grades, each with its word');
  t.ok((dom.match(/<td class="cell pass">pass<\/td>/g)?.length ?? 0) > 20, 'pass cells');
  t.match(dom, /<td class="cell fail"><details><summary title="lifecycle\/create-start: fail: status is &lt;script&gt;alert\(1\)&lt;\/script&gt;[^"]*">FAIL<\/summary><p>lifecycle\/create-start: fail: status is &lt;script&gt;/,
    'a fail cell with its reason, on hover and in its details, escaped');
  t.match(dom, /<td class="cell xfail"><details><summary title="[^"]+">expected fail<\/summary>/, 'an expected fail cell');
  t.notMatch(dom, /<script/i, 'no script in the page the browser built');

  const shots: string[] = [];
  for (const [name, width] of [['phone', 390], ['wide', 1400]] as const) {
    const file = join(SCREENSHOTS, `matrix-${name}-${width}.png`);
    await rm(file, { force: true });
    await chromium([`--screenshot=${file}`, `--window-size=${width},1600`, `file://${page}`]);
    t.ok((await stat(file)).size > 10_000, `a screenshot ${width} px wide`);
    shots.push(file);
  }
  t.comment(`the page and its screenshots: ${page} ${shots.join(' ')}`);
});
