import t from 'tap';
import { PassThrough } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser, type FinalResults, type Result } from 'tap-parser';
import type { CaseResult, LoadError, RequirementResult, RunDocument } from '../src/results.js';
import { outcomeOf, summarize } from '../src/results.js';
import type { Reporter, RunInfo } from '../src/report/reporter.js';
import { caseVerdict, totalsOf } from '../src/report/reporter.js';
import { createTapReporter } from '../src/report/tap.js';
import { createHumanReporter } from '../src/report/human.js';
import { clock, estimateLeftMs, statusLine } from '../src/report/progress.js';
import { writeJUnit, renderJUnit } from '../src/report/junit.js';
import { writeJsonDocument } from '../src/report/json.js';
import { onPath, run, whyNoResults } from './helpers/suite.js';
import type { Tap } from './helpers/broken-cgroups.js';

// ---- synthetic run --------------------------------------------------------

const req = (
  kase: string,
  requirement: string,
  level: RequirementResult['level'],
  status: RequirementResult['status'],
  message = '',
  extra: Partial<Pick<RequirementResult, 'expected' | 'actual'>> = {},
): RequirementResult => ({ case: kase, requirement, level, status, message, ...extra });

const call = {
  argv: ['runc', 'run', '--bundle', '/tmp/b', 'ctr'],
  exitCode: 1,
  signal: null,
  stdout: 'x'.repeat(5000),
  stderr: 'level=error msg="boom"',
  durationMs: 42,
  timedOut: false,
};

const mk = (kase: string, results: RequirementResult[], extra: Partial<CaseResult> = {}): CaseResult => ({
  case: kase,
  file: `cases/${kase}.yaml`,
  summary: `summary of ${kase}`,
  results,
  calls: [],
  durationMs: 1234,
  cleanupProblems: [],
  ...extra,
});

const passing = mk('process-cwd', [
  req('process-cwd', 'config.process.cwd', 'MUST', 'pass'),
  req('process-cwd', 'config.process.cwd.absolute', 'MUST', 'pass'),
]);
const mustFail = mk(
  'process-env',
  [
    req('process-env', 'config.process.env', 'MUST', 'fail', 'PATH was not set <&"', {
      expected: 'PATH=/usr/bin',
      actual: 'PATH=\u0001',
    }),
    req('process-env', 'config.process.env.order', 'MUST', 'pass'),
  ],
  { calls: [call], cleanupProblems: ['could not delete container ctr: still running'] },
);
const shouldFail = mk(
  'hostname',
  [
    req('hostname', 'config.hostname.uts', 'SHOULD', 'fail', 'hostname ignored without UTS namespace'),
    req('hostname', 'config.hostname.may', 'MAY', 'fail', 'optional behaviour absent'),
    req('hostname', 'config.hostname', 'MUST', 'pass'),
  ],
  { calls: [call] },
);
const skipped = mk('cgroup-v1-memory', [
  req('cgroup-v1-memory', 'linux.resources.memory', 'MUST', 'skip', 'host uses cgroup v2'),
  req('cgroup-v1-memory', 'linux.resources.memory.swap', 'SHOULD', 'skip', ''),
]);
const loadErr: LoadError = { file: 'cases/broken.yaml', message: 'unexpected key "procss" at line 3' };

const cases = [passing, mustFail, shouldFail, skipped];
const info: RunInfo = {
  total: cases.length + 1,
  runtime: { path: '/usr/bin/runc', args: [], version: 'runc version 1.1.12' },
  specVersion: '1.2.0',
  host: { kernel: '6.8.0-45-generic', cgroup: 'v2', controllers: [], blockDevice: null },
};

function docFor(cs: readonly CaseResult[], loadErrors: readonly LoadError[]): RunDocument {
  const results = cs.flatMap((c) => c.results);
  return {
    ocicomply: '0.1.0',
    runtime: info.runtime,
    specVersion: info.specVersion,
    host: info.host,
    results,
    summary: summarize(results),
    loadErrors,
  };
}

/** Drive a reporter like the engine would (cases out of order) and collect its output. */
async function drive(
  make: (out: PassThrough) => Reporter,
  cs: readonly CaseResult[],
  loadErrors: readonly LoadError[],
): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const r = make(out);
  r.start({ ...info, total: cs.length + loadErrors.length });
  for (const e of loadErrors) r.loadError(e);
  // Deliver on separate ticks and reversed, as parallel cases would finish.
  for (const c of [...cs].reverse()) {
    await new Promise((res) => setImmediate(res));
    r.caseDone(c);
  }
  await r.end(docFor(cs, loadErrors));
  return text;
}

interface Parsed {
  top: FinalResults;
  asserts: Result[];
}

/** Parse TAP; `asserts` collects every test point at every depth. */
function parseTap(tap: string): Promise<Parsed> {
  return new Promise((resolve) => {
    const asserts: Result[] = [];
    const watch = (p: Parser) => {
      p.on('assert', (a: Result) => asserts.push(a));
      p.on('child', watch);
    };
    const parser = new Parser((top) => resolve({ top, asserts }));
    watch(parser);
    parser.end(tap);
  });
}

// ---- shared ---------------------------------------------------------------

t.test('caseVerdict ranks MUST failure over warnings over skips', async (t) => {
  t.equal(caseVerdict(passing), 'PASS');
  t.equal(caseVerdict(mustFail), 'FAIL');
  t.equal(caseVerdict(shouldFail), 'WARN');
  t.equal(caseVerdict(skipped), 'SKIP');
});

t.test('one classification and one set of totals for every format', async (t) => {
  const doc = docFor(cases, [loadErr]);
  t.same(doc.results.map(outcomeOf), ['pass', 'pass', 'fail', 'pass', 'warn', 'warn', 'pass', 'skip', 'skip']);
  t.same(doc.summary, { pass: 4, fail: 3, skip: 2, warn: 2 }, 'the document keeps fail as every failed level');
  t.same(totalsOf(doc), { passed: 4, failed: 1, warnings: 2, skipped: 2, loadErrors: 1 }, 'the formats print failed MUSTs as failed');
});

// ---- TAP ------------------------------------------------------------------

/** What every TAP reader must count, derived from the document alone. */
function expectedTapCounts(doc: RunDocument): TapCounts {
  const s = doc.summary;
  return { pass: s.pass, fail: s.fail - s.warn + doc.loadErrors.length, skip: s.skip, todo: s.warn, planned: doc.results.length + doc.loadErrors.length };
}

/** tap-parser's counts in the same terms: its own `fail` also counts failed TODO points. */
function tapParserCounts(top: FinalResults): TapCounts {
  return { pass: top.pass - top.skip, fail: top.failures.filter((f) => !f.tapError).length, skip: top.skip, todo: top.todo, planned: top.plan.end ?? -1 };
}

interface TapCounts {
  pass: number; // ok points without a directive
  fail: number; // not ok points without TODO
  skip: number;
  todo: number; // failed TODO points: warnings
  planned: number;
}

t.test('TAP reporter: flat TAP 13, one point per verdict', async (t) => {
  const exitCodeBefore = process.exitCode;
  const tap = await drive(createTapReporter, cases, [loadErr]);
  const { top, asserts } = await parseTap(tap);

  t.match(tap, /^TAP version 13\n/, 'starts with a version line TAP 13 readers accept');
  t.notMatch(tap, /^ +(ok|not ok) /m, 'no indented subtests: every point is top level');
  t.equal(process.exitCode, exitCodeBefore, 'a failing report does not touch process.exitCode');

  t.equal(top.count, 10, 'nine verdicts and one load error');
  t.match(top.plan, { start: 1, end: 10 }, 'trailing plan covers verdicts and load errors');
  t.equal(asserts.length, 10);
  t.same(
    tapParserCounts(top),
    expectedTapCounts(docFor(cases, [loadErr])),
    'tap-parser counts what the summary counts',
  );
  t.equal(top.ok, false);

  const byName = (n: string) => asserts.find((a) => a.name === n);
  t.match(byName('hostname: config.hostname.uts (SHOULD)')?.todo, /^warning: SHOULD requirement not met$/, 'SHOULD failure is a TODO warning');
  t.match(byName('hostname: config.hostname.may (MAY)')?.todo, /^information: MAY/);
  t.equal(byName('hostname: config.hostname.uts (SHOULD)')?.diag?.['message'], 'hostname ignored without UTS namespace', 'TODO points keep diagnostics');
  t.equal(byName('cgroup-v1-memory: linux.resources.memory (MUST)')?.skip, 'host uses cgroup v2');
  t.equal(byName('cgroup-v1-memory: linux.resources.memory.swap (SHOULD)')?.skip, 'no reason given', 'a skip without reason still is a skip');

  const failed = byName('process-env: config.process.env (MUST)');
  t.equal(failed?.ok, false);
  t.notOk(failed?.todo, 'a failed MUST is a real failure');
  t.match(failed?.diag, {
    case: 'process-env',
    requirement: 'config.process.env',
    level: 'MUST',
    message: 'PATH was not set <&"',
    expected: 'PATH=/usr/bin',
    actual: 'PATH=\u0001',
    calls: [{ argv: call.argv, exitCode: 1, signal: null, durationMs: 42, timedOut: false, stderr: call.stderr }],
  });
  const stdout = failed?.diag?.['calls']?.[0]?.stdout as string;
  t.ok(stdout.length < 2100 && stdout.includes('truncated 3000'), 'runtime stdout is truncated');

  const loadPoint = byName('case file cases/broken.yaml');
  t.equal(loadPoint?.ok, false, 'load error is a failing point');
  t.equal(loadPoint?.diag?.['message'], loadErr.message);

  t.match(tap, /^# case process-env - summary of process-env \(1234 ms\)$/m, 'a comment names each case, its summary and time');
  t.match(tap, /^# cleanup: could not delete container ctr: still running$/m, 'cleanup problem is a comment');
  t.match(tap, /^# summary: 4 pass, 1 fail, 2 skip, 2 warn, 1 load error\(s\)$/m, 'the summary line counts as the document does');
});

t.test('TAP: SHOULD/MAY failures alone leave the stream passing', async (t) => {
  const { top } = await parseTap(await drive(createTapReporter, [passing, shouldFail], []));
  t.equal(top.ok, true);
  t.equal(tapParserCounts(top).fail, 0);
  t.equal(top.todo, 2);
  t.match(top.plan, { start: 1, end: 5, skipAll: false });
});

t.test('TAP: multi-line summaries and reasons stay on one line', async (t) => {
  const c = mk('nl', [req('nl', 'r', 'MUST', 'skip', 'why # not\nreally')], { summary: 'two\nlines' });
  const tap = await drive(createTapReporter, [c], []);
  t.match(tap, /^# case nl - two lines \(1234 ms\)$/m);
  t.match(tap, /^ok 1 - nl: r \(MUST\) # SKIP why \\# not really$/m);
  const { top, asserts } = await parseTap(tap);
  t.equal(top.ok, true);
  t.equal(asserts.find((a) => a.name === 'nl: r (MUST)')?.skip, 'why # not really', 'parser unescapes the reason');
});

t.test('TAP: an empty run still has a valid plan', async (t) => {
  const { top } = await parseTap(await drive(createTapReporter, [], []));
  t.match(top.plan, { start: 1, end: 0 });
  t.equal(top.ok, true);
});

// ---- TAP consumers: prove 3.44 (Debian 12), prove 3.48, tap-parser ---------

/**
 * Diagnostics that stress YAML: every kind of string the runtime or a check
 * can produce, as message, expected, actual and runtime output.
 */
const awkward = [
  'multi\nline\n\nwith an empty line\n',
  'no trailing line break\nsecond',
  '  leading spaces\nsecond\n',
  'blank lines at the end\n\n\n',
  'tab\there',
  "quote's \"double\" # hash: colon",
  'escape \u001b[31mred\u001b[0m bell \u0007 nul \u0000 del \u007f',
  'ünïcødé ✓ and \u0085 next line',
  'a\n...\n---\nb\n',
  '- dash',
  '...',
  'true',
  '123',
  '',
  '~',
  'trailing space ',
  '|',
  'C:\\path\\n',
];
const awkwardCase = mk(
  'awkward/yaml',
  awkward.map((m, i) => req('awkward/yaml', `r${i}`, i % 2 ? 'MUST' : 'SHOULD', 'fail', m, { expected: { text: m, list: [m, 1, null, true, []], empty: {} }, actual: m })),
  { calls: [{ ...call, stdout: awkward.join(''), stderr: awkward.join('\n') }] },
);
const consumerCases = [...cases, awkwardCase];

/** What a YAML reader gives back for what we wrote: a `|` block always ends with one line break. */
function readBack(v: unknown, stringsOnly: boolean): unknown {
  if (typeof v === 'string') return v.includes('\n') && !v.endsWith('\n') && /^\S/.test(v) && !/\n\n$/.test(v) && !/[\t\x00-\x08\x0b-\x1f\x7f]/.test(v) ? `${v}\n` : v;
  if (Array.isArray(v)) return v.map((x) => readBack(x, stringsOnly));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readBack(x, stringsOnly)]));
  return stringsOnly && v !== null ? String(v) : v;
}

interface PerlReport {
  version: string;
  counts: TapCounts;
  parseErrors: string[];
  yaml: Record<string, unknown>;
}

/** TAP::Parser (the module behind prove) from `lib`, or the system's: its counts and the YAML it read per point. */
const PERL_COUNT = `
use strict; use warnings; use TAP::Parser; use JSON::PP;
binmode STDIN, ':encoding(UTF-8)';
local $/; my $tap = <STDIN>;
my $p = TAP::Parser->new({ tap => $tap });
my %yaml; my $last;
while (my $r = $p->next) {
  if ($r->is_test) { $last = $r->description; $last =~ s/^- //; }
  elsif ($r->is_yaml && defined $last) { $yaml{$last} = $r->data; }
}
print JSON::PP->new->ascii->canonical->encode({
  version => $TAP::Parser::VERSION,
  counts => { pass => scalar($p->actual_passed) - scalar($p->skipped) - scalar($p->todo_passed), fail => scalar($p->failed),
              skip => scalar($p->skipped), todo => scalar($p->todo) - scalar($p->todo_passed), planned => $p->tests_planned // -1 },
  parseErrors => [$p->parse_errors], yaml => \\%yaml,
});
`;

function perlReport(tap: string, lib: string | undefined): PerlReport {
  const out = execFileSync('perl', ['-e', PERL_COUNT], { input: tap, env: { ...process.env, PERL5LIB: lib ?? '' }, encoding: 'utf8' });
  return JSON.parse(out) as PerlReport;
}

function prove(file: string, lib: string | undefined): { status: number | null; out: string; version: string } {
  const env = { ...process.env, PERL5LIB: lib ?? '' };
  const version = execFileSync('prove', ['--version'], { env, encoding: 'utf8' });
  const r = spawnSync('prove', ['--exec', 'cat', file], { env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, version };
}

// Where scripts/fetch-test-harness-3.48.sh puts it, unless the environment names another place.
const PROVE_348_LIB = process.env['TEST_HARNESS_348_LIB'] ?? join(import.meta.dirname, '..', 'build', 'test-harness-3.48');
const haveProve = onPath('prove') && onPath('perl');
const proves: { label: string; lib: string | undefined; skip: string | false }[] = [
  { label: 'prove (system)', lib: undefined, skip: haveProve ? false : 'perl and prove are not on PATH' },
  {
    label: 'prove 3.48',
    lib: PROVE_348_LIB,
    skip: !haveProve ? 'perl and prove are not on PATH'
      : !PROVE_348_LIB || !existsSync(join(PROVE_348_LIB, 'TAP', 'Parser.pm')) ? `Test::Harness 3.48 not found in ${PROVE_348_LIB}: run scripts/fetch-test-harness-3.48.sh, or set TEST_HARNESS_348_LIB to a directory holding TAP/ and App/ from perl-modules-5.40 (Debian trixie)`
      : false,
  },
];

async function checkConsumers(t: Tap, tap: string, doc: RunDocument, diags: Map<string, unknown> | undefined): Promise<void> {
  const want = expectedTapCounts(doc);
  const { top, asserts } = await parseTap(tap);
  t.same(tapParserCounts(top), want, 'tap-parser counts as the summary');
  t.same(top.failures.filter((f) => f.tapError), [], 'tap-parser: no parse errors');
  if (diags) {
    for (const [name, diag] of diags) t.same(asserts.find((a) => a.name === name)?.diag, readBack(diag, false), `tap-parser reads the YAML of ${name}`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-tap-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'run.tap');
  await writeFile(file, tap);
  for (const p of proves) {
    await t.test(p.label, { skip: p.skip }, async (t) => {
      const perl = perlReport(tap, p.lib);
      if (p.lib) t.equal(perl.version, '3.48', 'the 3.48 modules are the ones loaded');
      t.same(perl.parseErrors, [], `TAP::Parser ${perl.version}: no parse errors`);
      t.same(perl.counts, want, `TAP::Parser ${perl.version} counts as the summary`);
      if (diags) {
        for (const [name, diag] of diags) t.same(perl.yaml[name], readBack(diag, true), `TAP::Parser ${perl.version} reads the YAML of ${name}`);
      }
      const r = prove(file, p.lib);
      t.match(r.version, p.lib ? /TAP::Harness v3\.48/ : /TAP::Harness v3\./);
      t.notMatch(r.out, /Parse errors/, 'prove reports no parse errors');
      t.match(r.out, new RegExp(`Files=1, Tests=${want.planned},`), 'prove sees every point');
      if (want.fail > 0) {
        t.match(r.out, new RegExp(`Tests: ${want.planned} Failed: ${want.fail}\\)`), 'prove counts the failed MUSTs and load errors only');
        t.equal(r.status, 1);
        // prove says how many skips only beside failures
        if (want.skip > 0) t.match(r.out, new RegExp(`less ${want.skip} skipped subtest`), 'prove counts the skips');
      } else {
        t.match(r.out, /All tests successful/);
        t.equal(r.status, 0);
      }
    });
  }
}

t.test('TAP consumers read a rendered run as the summary counts it', async (t) => {
  const doc = docFor(consumerCases, [loadErr]);
  const tap = await drive(createTapReporter, consumerCases, [loadErr]);
  const diags = new Map<string, unknown>();
  for (const r of awkwardCase.results) {
    diags.set(`awkward/yaml: ${r.requirement} (${r.level})`, {
      case: r.case,
      requirement: r.requirement,
      level: r.level,
      message: r.message,
      expected: r.expected,
      actual: r.actual,
      calls: awkwardCase.calls.map((c) => ({ ...c, stdout: c.stdout, stderr: c.stderr })),
    });
  }
  diags.set('case file cases/broken.yaml', { file: loadErr.file, message: loadErr.message });
  await checkConsumers(t, tap, doc, diags);
});

t.test('TAP consumers: a run without failed MUSTs passes in every reader', async (t) => {
  await checkConsumers(t, await drive(createTapReporter, [passing, shouldFail, skipped], []), docFor([passing, shouldFail, skipped], []), undefined);
});

const realRunSkip = process.env['OCICOMPLY_UNIT_TIER'] ? 'the unit tier runs no runtime' : process.getuid?.() !== 0 ? 'needs root' : !onPath('runc') ? 'runc is not on PATH' : false;
t.test('TAP consumers read a real run (runc: pass, fail, warning and skip)', { skip: realRunSkip }, async (t) => {
  // At 1.3.0 runc fails the SHOULD of cgroups/pids-zero (a warning), and one requirement of these is out of range (a skip).
  const r = await run('runc', ['--spec-version', '1.3.0', '--only', 'lifecycle/create-start,hooks/fail-poststart-warns,hooks/invalid-relative-path,hooks/fail-prestart,cgroups/pids-zero']);
  t.ok(r.doc, 'the run wrote its results', whyNoResults(r));
  if (!r.doc) return;
  const n = expectedTapCounts(r.doc);
  t.ok(n.pass > 0 && n.skip > 0 && n.todo > 0, `the run has passes, skips and warnings (${JSON.stringify(n)})`);
  await checkConsumers(t, r.stdout, r.doc, undefined);
});

// ---- JUnit ----------------------------------------------------------------

const XSD = join(import.meta.dirname, 'fixtures', 'junit-xunit-subset.xsd');

function xmllint(file: string): { status: number | null; out: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('JUnit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-junit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'nested', 'junit.xml');
  const doc = { ...docFor(cases, [loadErr]), timing: { wallMs: 2500, runtimeCalls: 3, runtimeMs: 100, jobs: 2 } };
  await writeJUnit(file, doc, cases);
  const xml = await readFile(file, 'utf8');

  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ocicomply \/usr\/bin\/runc" tests="10" failures="2" errors="0" time="2.500">/, 'totals, and the run wall time');
  t.equal(xml.match(/<testsuite /g)?.length, 5, 'one suite per case plus load-errors');
  t.match(xml, /<testsuite name="process-env" tests="2" failures="1" errors="0" skipped="0" time="1.234">/);
  t.match(xml, /<testsuite name="hostname" tests="3" failures="0" errors="0" skipped="2"/, 'SHOULD/MAY failures are skipped, not failures');
  t.match(xml, /<testsuite name="cgroup-v1-memory" tests="2" failures="0" errors="0" skipped="2"/);
  t.match(xml, /<testsuite name="load-errors" tests="1" failures="1"/);
  t.equal(xml.match(/<failure /g)?.length, 2);
  t.equal(xml.match(/<skipped /g)?.length, 4);
  t.match(xml, /<testcase classname="ocicomply.process-env" name="config.process.env \(MUST\)" time="0.617">/, 'dotted classname, the case time shared');
  t.match(xml, /<testcase classname="ocicomply.hostname" name="config.hostname \(MUST\)" time="0.412"\/>/, 'the last share takes the remainder');
  t.notMatch(xml, /<testcase (?![^>]*time=)/, 'every testcase has a time');
  t.match(xml, /<skipped message="warning: SHOULD requirement not met: hostname ignored without UTS namespace" type="SHOULD">hostname ignored/);
  t.match(xml, /<system-out>WARNING: SHOULD requirement not met\nhostname ignored without UTS namespace\n\nruntime calls of the case \(1\):/);
  t.match(xml, /<skipped message="information: MAY requirement not met: optional behaviour absent" type="MAY">/);
  t.match(xml, /<skipped message="host uses cgroup v2">host uses cgroup v2<\/skipped>/);
  t.match(xml, /<system-err>cleanup: could not delete container ctr: still running<\/system-err>/);
  t.match(xml, /<testcase classname="ocicomply.load-errors" name="cases\/broken.yaml" time="0.000">/);

  // the failure's text: evidence, then the runtime calls of the case
  t.match(
    xml,
    'PATH was not set &lt;&amp;"\nexpected: PATH=/usr/bin\nactual: PATH=\\u0001\n\nruntime calls of the case (1):\n' +
      '$ runc run --bundle /tmp/b ctr\n  exit 1 after 42 ms\n  stderr: level=error msg="boom"</failure>',
  );

  // escaping: attribute and text forms, and the control character
  t.match(xml, 'message="PATH was not set &lt;&amp;&quot;"');
  t.notOk(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml), 'no raw control characters');
  t.notMatch(xml.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, ''), /&/, 'every & starts an entity');
  t.match(xml, /message="unexpected key &quot;procss&quot; at line 3"/);
});

t.test('JUnit: how a call ended, and the head of its stderr', async (t) => {
  const calls = [
    { ...call, argv: ['rt', 'state', 'a b'], exitCode: null, signal: 'SIGKILL', timedOut: true, stderr: `${'e'.repeat(1500)}\n` },
    { ...call, exitCode: null, signal: 'SIGTERM', timedOut: false, stderr: 'line1\nline2\n' },
  ];
  const c = mk('k/x', [req('k/x', 'r', 'MUST', 'fail', 'm')], { calls });
  const xml = renderJUnit(docFor([c], []), [c]);
  t.match(xml, '$ rt state "a b"\n  killed at its deadline (SIGKILL) after 42 ms\n  stderr: eee');
  t.match(xml, 'truncated 500 more chars');
  t.match(xml, '  killed by SIGTERM after 42 ms\n  stderr: line1\n    line2</failure>');
});

t.test('JUnit: valid against the xunit plugin schema rules (xmllint)', { skip: onPath('xmllint') ? false : 'xmllint is not on PATH (Debian: libxml2-utils)' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-junit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.xml');
  await writeJUnit(good, docFor(consumerCases, [loadErr]), consumerCases);
  const r = xmllint(good);
  t.equal(r.status, 0, 'validates', { out: r.out });

  // The schema refuses what consumers refuse: it is a real check.
  const bad = join(dir, 'bad.xml');
  await writeFile(bad, (await readFile(good, 'utf8')).replace('<testsuites ', '<testsuites skipped="1" '));
  const refused = xmllint(bad);
  t.not(refused.status, 0, 'a skipped attribute on <testsuites> is refused');
  t.match(refused.out, /attribute 'skipped': The attribute 'skipped' is not allowed/);
});

t.test('JUnit escapes newlines and quotes inside attributes', async (t) => {
  const c = mk('q', [req('q', "it's", 'MUST', 'fail', 'line1\nline2\ttab')]);
  const xml = renderJUnit(docFor([c], []), [c]);
  t.match(xml, 'name="it&apos;s (MUST)"');
  t.match(xml, 'message="line1&#10;line2&#9;tab"');
});

// ---- JSON -----------------------------------------------------------------

t.test('JSON document round-trips', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-json-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'deep', 'er', 'results.json');
  const doc = docFor(cases, [loadErr]);
  await writeJsonDocument(file, doc);
  const raw = await readFile(file, 'utf8');
  t.same(JSON.parse(raw), JSON.parse(JSON.stringify(doc)));
  t.ok(raw.endsWith('}\n'), 'trailing newline');
  t.match(raw, /^\{\n {2}"ocicomply": "0\.1\.0",\n/, 'two-space indentation');
});

// ---- human ----------------------------------------------------------------

t.test('human reporter', async (t) => {
  const text = await drive((out) => createHumanReporter(out, { color: false, verbose: false }), cases, [loadErr]);
  t.match(text, /^\[1\/5\] cgroup-v1-memory {2}SKIP \(1\.2s\)$/m, 'progress line per case');
  t.match(text, /^\[2\/5\] hostname {2}WARN/m);
  t.match(text, /^\[3\/5\] process-env {2}FAIL/m);
  t.match(text, /^\[4\/5\] process-cwd {2}PASS/m);
  t.match(text, /LOAD ERROR cases\/broken\.yaml\n {4}unexpected key/);
  t.match(text, /cleanup: could not delete container ctr/);
  t.notMatch(text, /config\.process\.cwd \(MUST\)/, 'passing requirements only listed when verbose');

  const summary = text.slice(text.indexOf('Failed MUST requirements:'));
  t.match(summary, /^ {2}process-env {2}config\.process\.env \(MUST\)\n {6}PATH was not set <&"$/m, 'failed MUST listed');
  t.ok(summary.indexOf('Failed MUST') < summary.indexOf('Warnings'), 'failures before warnings');
  t.match(summary, /hostname {2}config\.hostname\.uts \(SHOULD\)/);
  t.match(summary, /^4 passed, 1 failed, 2 skipped, 2 warnings, 1 load error\(s\)$/m, 'totals line');
  t.match(summary, /runtime: \/usr\/bin\/runc \(runc version 1\.1\.12\)/);
  t.match(summary, /spec: +1\.2\.0/);
  t.match(summary, /cgroup v2, kernel 6\.8\.0-45-generic/);
  t.notMatch(text, /\x1b\[/, 'no color codes when color is off');
});

t.test('human reporter: verbose and color', async (t) => {
  const text = await drive((out) => createHumanReporter(out, { color: true, verbose: true }), [mustFail], []);
  t.match(text, /\x1b\[31mFAIL\x1b\[0m/, 'colored verdict');
  t.match(text, /config\.process\.env\.order \(MUST\)/, 'verbose lists passing requirements too');
  t.match(text, /FAIL\x1b\[0m config\.process\.env \(MUST\) - PATH was not set/);
});

t.test('human reporter: a failure block has the spec section, expected and seen, the call and the head of its stderr', async (t) => {
  const stderr = Array.from({ length: 8 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const failing = mk('errors/x', [
    req('errors/x', 'delete.not-stopped', 'MUST', 'fail', 'delete should fail but it exited 0', {
      expected: 'non-zero exit status', actual: { main: 'state error' },
    }),
  ]);
  const withCall = { ...failing, results: [{ ...failing.results[0]!, call: { argv: ['/usr/sbin/runc', '--root', '/r', 'delete', 'my ctr'], exitCode: 0, signal: null, timedOut: false, stderr } }] };
  const opts = { color: false, verbose: false, specSection: (id: string) => (id === 'delete.not-stopped' ? 'runtime.md#runtimeDelete' : undefined) };

  const text = await drive((out) => createHumanReporter(out, { ...opts, jsonFile: 'out/results.json' }), [withCall], []);
  const block = text.slice(text.indexOf('Failed MUST requirements:'));
  t.match(block, /^ {2}errors\/x {2}delete\.not-stopped \(MUST\) {2}runtime\.md#runtimeDelete$/m, 'case, requirement, level and spec section');
  t.match(block, /^ {6}expected: non-zero exit status$/m);
  t.match(block, /^ {6}seen: {5}\{"main":"state error"\}$/m, 'a value that is not a string, as JSON');
  t.match(block, /^ {6}call: {5}\/usr\/sbin\/runc --root \/r delete 'my ctr' {2}-> exit 0$/m, 'the call, quoted where needed');
  t.match(block, /^ {6}stderr: {3}line 1\n {16}line 2\n {16}line 3\n {16}line 4\n {16}line 5\n {16}… \(3 more lines; see out\/results\.json for all\)$/m, 'five lines, then where the rest is');
  t.notMatch(block, /line 6/);
  t.notMatch(block, /NEW failure|known deviation/, 'nothing about expectations without a file');

  const noJson = await drive((out) => createHumanReporter(out, opts), [withCall], []);
  t.match(noJson, /… \(3 more lines; run with --json FILE to see all\)/);
  const empty = { ...withCall, results: [{ ...withCall.results[0]!, call: { ...withCall.results[0]!.call, stderr: '' } }] };
  t.match(await drive((out) => createHumanReporter(out, opts), [empty], []), /^ {6}stderr: {3}\(empty\)$/m);
});

t.test('human reporter: with expectations, new failures, known deviations and unexpected passes apart', async (t) => {
  const reason = 'runtime.md, Delete: deleting a container that is not stopped "MUST have no effect". Deletes a created container and exits 0.';
  const c = mk('errors/x', [
    { ...req('errors/x', 'known.must', 'MUST', 'fail', 'it failed as known'), expectation: 'expected-fail', deviation: reason },
    { ...req('errors/x', 'new.must', 'MUST', 'fail', 'a regression'), expectation: 'unexpected-fail' },
    { ...req('errors/x', 'fixed.must', 'MUST', 'pass'), expectation: 'unexpected-pass', deviation: 'was broken' },
    { ...req('errors/x', 'racy.must', 'MUST', 'fail', 'lost the race'), expectation: 'racy', deviation: reason },
  ]);
  const known = mk('errors/y', [{ ...req('errors/y', 'known.must', 'MUST', 'fail', 'known'), expectation: 'expected-fail', deviation: reason }]);
  const text = await drive((out) => createHumanReporter(out, { color: false, verbose: false, expectationsFile: 'exp/runc.yaml' }), [c, known], []);
  t.match(text, /^\[1\/2\] errors\/y {2}FAIL known \(/m, 'a case whose failures are all known');
  t.match(text, /^\[2\/2\] errors\/x {2}FAIL NEW \(/m, 'a case with a new failure');
  t.match(text, /New MUST failures \(not in exp\/runc\.yaml\):\n {2}errors\/x {2}new\.must \(MUST\)\n {6}a regression\n {6}NEW failure\n/);
  t.match(text, /Known deviations \(failures exp\/runc\.yaml lists\):\n {2}errors\/x {2}known\.must \(MUST\)\n {2}errors\/x {2}racy\.must \(MUST\), racy\n {2}errors\/y {2}known\.must \(MUST\)\n {6}known deviation: runtime\.md, Delete:/,
    'results sharing a reason are listed together, the reason once');
  t.equal(text.match(/known deviation:/g)?.length, 1);
  t.match(text, /Unexpected passes \(exp\/runc\.yaml lists them as failing; the entry can go\):\n {2}errors\/x {2}fixed\.must \(MUST\)\n/);
  t.match(text, /^1 passed, 4 failed \(1 new, 3 known\), 0 skipped, 0 warnings, 1 unexpected pass$/m);
  t.ok(text.split('\n').every((l) => l.length <= 100), 'reasons are wrapped');

  const verbose = await drive((out) => createHumanReporter(out, { color: false, verbose: true, expectationsFile: 'exp/runc.yaml' }), [known], []);
  t.match(verbose, /Known deviations[^\n]*\n {2}errors\/y {2}known\.must \(MUST\)\n {6}known\n {6}known deviation: runtime\.md/, 'verbose: whole blocks for known deviations too');
});

t.test('human reporter: the status line on a terminal', async (t) => {
  let now = 0;
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const r = createHumanReporter(out, { color: false, verbose: false, live: true, jobs: 2, now: () => now });
  r.start({ ...info, total: 4 });
  r.caseStarted!('hooks/lifecycle');
  r.caseStarted!('cgroups/memory');
  t.match(text, /\r\x1b\[K\[0\/4\] 0:00 elapsed \| running: hooks\/lifecycle, cgroups\/memory$/, 'running cases, nothing to estimate from yet');
  now = 2000;
  r.caseDone(mk('hooks/lifecycle', [req('hooks/lifecycle', 'a', 'MUST', 'pass')], { durationMs: 2000 }));
  t.match(text, /\r\x1b\[K\[1\/4\] hooks\/lifecycle {2}PASS \(2\.0s\)\n\r\x1b\[K\[1\/4\] 0:02 elapsed, about 0:03 left \| running: cgroups\/memory$/,
    'the status line is cleared for a lasting line, then redrawn: mean 2 s x 3 cases left / 2 jobs');
  await r.end(docFor([], []));
  t.match(text, /\r\x1b\[K\n0 passed/, 'cleared before the summary');
  t.notMatch(text.slice(text.lastIndexOf('\r\x1b[K') + 4), /elapsed/, 'no status line after the end');

  const piped = await drive((o) => createHumanReporter(o, { color: false, verbose: false }), cases, []);
  t.notMatch(piped, /\r|\x1b/, 'without a terminal: no status line');
});

t.test('status line: estimate, clock, and fitting the width', async (t) => {
  t.equal(estimateLeftMs([], 5, 2), undefined, 'nothing finished: no estimate');
  t.equal(estimateLeftMs([1000, 3000], 4, 2), 4000, 'mean x left / jobs');
  t.equal(estimateLeftMs([1000], 0, 2), 0);
  t.equal(clock(0), '0:00');
  t.equal(clock(61_400), '1:01');
  t.equal(clock(3_725_000), '1:02:05');
  const p = { done: 3, total: 80, elapsedMs: 5000, leftMs: 60_000, running: ['hooks/fail-startContainer', 'cgroups/unconvertible-swappiness'] };
  const wide = statusLine(p, 200);
  t.equal(wide, '[3/80] 0:05 elapsed, about 1:00 left | running: hooks/fail-startContainer, cgroups/unconvertible-swappiness');
  t.equal(statusLine(p, 79), '[3/80] 0:05 elapsed, about 1:00 left | running: fail-startContainer +1', 'areas dropped, then cases counted');
  t.ok(statusLine(p, 60).length <= 60);
  t.equal(statusLine({ ...p, running: [] }, 30), '[3/80] 0:05 elapsed, about 1:…');
});

t.test('TAP: a failure an expectations file lists is a TODO point, so the stream passes', async (t) => {
  const c = mk('errors/x', [
    { ...req('errors/x', 'known.must', 'MUST', 'fail', 'known'), expectation: 'expected-fail', deviation: 'why' },
    { ...req('errors/x', 'racy.must', 'MUST', 'fail', 'raced'), expectation: 'racy', deviation: 'why' },
  ]);
  const { top, asserts } = await parseTap(await drive(createTapReporter, [c], []));
  t.equal(top.ok, true);
  t.same(asserts.filter((a) => /MUST/.test(a.name)).map((a) => a.todo), ['known deviation', 'known deviation']);
  const { top: newTop } = await parseTap(await drive(createTapReporter, [mk('e', [{ ...req('e', 'n', 'MUST', 'fail'), expectation: 'unexpected-fail' }])], []));
  t.equal(newTop.ok, false, 'a new failure still fails the stream');
});

// ---- what the run could not remove -----------------------------------------

const leftCase = mk('process-cwd', passing.results, { cleanupProblems: ['cgroup directories of ocicomply-1a2b3c-2 could not be removed: /sys/fs/cgroup/pids/ocicomply-1a2b3c-2'] });
const leftovers = [
  { case: 'process-cwd', what: leftCase.cleanupProblems[0]! },
  { case: null, what: 'probe container before the cases: container ocicomply-1a2b3c-1 is still known to the runtime after kill and delete' },
];

/** drive() with the leftovers in the document the reporter ends with. */
async function driveLeft(make: (out: PassThrough) => Reporter): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const r = make(out);
  r.start({ ...info, total: 2 });
  r.caseDone(leftCase);
  r.caseDone(mustFail);
  await r.end({ ...docFor([leftCase, mustFail], []), leftovers });
  return text;
}

t.test('leftovers: TAP comments, no extra test point, the same counts', async (t) => {
  const tap = await driveLeft(createTapReporter);
  t.match(tap, /^# left behind: process-cwd: cgroup directories of ocicomply-1a2b3c-2 could not be removed/m, "a case's leftover names the case");
  t.match(tap, /^# left behind: probe container before the cases: container ocicomply-1a2b3c-1/m, "the run's own leftover");
  t.match(tap, /^# 2 thing\(s\) left behind: `ocicomply clean` removes them$/m);
  const { top } = await parseTap(tap);
  const doc = docFor([leftCase, mustFail], []);
  t.equal(top.count, doc.results.length, 'as many points as results');
  t.equal(top.fail, totalsOf(doc).failed, 'failures counted as the summary counts them');
});

t.test('leftovers: a section of the human summary', async (t) => {
  const text = await driveLeft((out) => createHumanReporter(out, { color: false, verbose: false }));
  t.match(text, /Left behind \(could not be removed; `ocicomply clean` removes it\):\n {2}process-cwd: cgroup directories[^\n]*\n {2}\(run\): probe container before the cases/);
});

t.test('leftovers: JUnit keeps counts, and is valid with the run-level ones (xmllint)', { skip: onPath('xmllint') ? false : 'xmllint is not on PATH (Debian: libxml2-utils)' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-junit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const doc = { ...docFor([leftCase, mustFail], []), leftovers };
  const xml = renderJUnit(doc, [leftCase, mustFail]);
  t.equal(xml.match(/<testsuites[^>]*>/)![0], renderJUnit(docFor([leftCase, mustFail], []), [leftCase, mustFail]).match(/<testsuites[^>]*>/)![0], 'the same totals as without leftovers');
  t.match(xml, /<system-err>cleanup: cgroup directories of ocicomply-1a2b3c-2/, "the case's in its system-err");
  t.match(xml, /<testsuite name="left-behind" tests="0" failures="0" errors="0" skipped="0"[^>]*>\n {4}<system-err>cleanup: probe container before the cases/, "the run's own in a left-behind suite");
  const file = join(dir, 'left.xml');
  await writeFile(file, xml);
  const r = xmllint(file);
  t.equal(r.status, 0, 'validates', { out: r.out });
});

// ---- followsFrom ---------------------------------------------------------------

t.test('a failure that follows from another says so in every format, and still counts', async (t) => {
  const root = req('hooks/lifecycle', 'hooks.createRuntime.during-create', 'MUST', 'fail', 'createRuntime hook createRuntime-1 ran 0 times');
  const follower: RequirementResult = { ...req('hooks/lifecycle', 'hooks.order.types', 'MUST', 'fail', 'not both of createRuntime, createContainer ran'), followsFrom: 'hooks.createRuntime.during-create' };
  const c = mk('hooks/lifecycle', [root, follower], { calls: [call] });
  const doc = docFor([c], []);
  t.equal(doc.summary.fail, 2, 'both are failures in the counts');
  const said = 'not both of createRuntime, createContainer ran (follows from hooks.createRuntime.during-create)';

  const human = await drive((out) => createHumanReporter(out, { color: false, verbose: false }), [c], []);
  const verbose = await drive((out) => createHumanReporter(out, { color: false, verbose: true }), [c], []);
  t.match(verbose, `FAIL hooks.order.types (MUST) - ${said}`, 'human --verbose: the requirement line');
  t.ok(human.split('\n').some((l) => l.trim() === said), 'human: the failure block');
  t.notMatch(human, /ran 0 times \(follows from/, 'human: the root cause follows from nothing');

  const tap = await drive((out) => createTapReporter(out), [c], []);
  t.match(tap, /followsFrom: hooks\.createRuntime\.during-create/, 'TAP: a followsFrom key in the YAML diagnostics');
  t.match(tap, /message: .*not both of createRuntime, createContainer ran \(follows from hooks\.createRuntime\.during-create\)/, 'TAP: the message says it');
  const parsed = await parseTap(tap);
  t.equal(parsed.top.fail, 2, 'TAP: both points fail');

  const xml = renderJUnit(doc, [c]);
  t.match(xml, `message="${said}"`, 'JUnit: the failure message says it');
  t.equal((xml.match(/<failure /g) ?? []).length, 2, 'JUnit: both are failures');

  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-follows-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeJsonDocument(join(dir, 'r.json'), doc);
  const back = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as RunDocument;
  t.same(back.results.map((r) => r.followsFrom ?? null), [null, 'hooks.createRuntime.during-create'], 'JSON: the field');
});
