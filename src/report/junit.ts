/**
 * JUnit XML for CI dashboards: one <testsuite> per case, one <testcase> per
 * requirement, in the shape the JUnit schema of Jenkins' xunit plugin
 * (junit-10.xsd) accepts and GitLab and Jenkins' junit step read:
 *
 * - classname `ocicomply.<area>.<case>`, so Jenkins groups cases by area
 *   (package `ocicomply.hooks`, class `fail-poststart-warns`) and GitLab shows
 *   it as the suite;
 * - a `time` on every testcase: the case's duration shared among its
 *   requirements (they are judged together), so each suite's testcases add up
 *   to the case's time; the <testsuites> time is the run's wall time;
 * - a failed MUST is a <failure> whose text holds the evidence and the
 *   runtime calls of its case (argv, how each ended, the head of stderr);
 * - a failed SHOULD or MAY is a <skipped> whose message starts with
 *   "warning:" (or "information:"): both GitLab and Jenkins show a skipped
 *   testcase with its message, and neither counts it as a failure, while a
 *   passing testcase's output is shown by neither in its lists. Its
 *   <system-out> repeats the evidence for Jenkins' testcase page.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CallRecord, CaseResult, LoadError, RequirementResult, RunDocument } from '../results.js';
import { isKnownDeviation, outcomeOf, shownMessage, type Outcome } from '../results.js';
import { totalsOf, truncate } from './reporter.js';

interface Suite {
  xml: string;
  seconds: number;
}

export async function writeJUnit(file: string, doc: RunDocument, cases: readonly CaseResult[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderJUnit(doc, cases), 'utf8');
}

/** The document as a string; exported for callers that want it in memory. */
export function renderJUnit(doc: RunDocument, cases: readonly CaseResult[]): string {
  const suites = cases.map(caseSuite);
  if (doc.loadErrors.length > 0) suites.push(loadErrorSuite(doc.loadErrors));
  const runLeftovers = (doc.leftovers ?? []).filter((l) => l.case === null);
  if (runLeftovers.length > 0) suites.push(leftoverSuite(runLeftovers.map((l) => l.what)));
  const n = totalsOf(doc);
  const knownMust = doc.results.filter((r) => outcomeOf(r) === 'fail' && junitOutcome(r) === 'known').length;
  // The schema has no `skipped` on <testsuites>; each <testsuite> has it.
  const wallSeconds = doc.timing ? doc.timing.wallMs / 1000 : suites.reduce((t, s) => t + s.seconds, 0);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attrs({
      name: `ocicomply ${doc.runtime.path}`,
      tests: n.passed + n.failed + n.warnings + n.skipped + n.loadErrors,
      failures: n.failed - knownMust + n.loadErrors,
      errors: 0,
      time: seconds(wallSeconds),
    })}>\n` +
    suites.map((s) => s.xml).join('') +
    '</testsuites>\n'
  );
}

/** The classname of a case's testcases: dotted, so consumers group them by area. */
export function classnameOf(caseId: string): string {
  return `ocicomply.${caseId.replace(/\//g, '.')}`;
}

function caseSuite(c: CaseResult): Suite {
  const outcomes = c.results.map(junitOutcome);
  const failures = outcomes.filter((o) => o === 'fail').length;
  const skipped = outcomes.length - failures - outcomes.filter((o) => o === 'pass').length;
  const times = shares(c.durationMs, c.results.length);
  const props =
    '    <properties>\n' +
    `      <property${attrs({ name: 'file', value: c.file })}/>\n` +
    `      <property${attrs({ name: 'summary', value: c.summary })}/>\n` +
    '    </properties>\n';
  // Cleanup problems are not verdicts, but CI logs should still show them.
  const cleanup = c.cleanupProblems.length
    ? `    <system-err>${text(c.cleanupProblems.map((p) => `cleanup: ${p}`).join('\n'))}</system-err>\n`
    : '';
  const xml =
    `  <testsuite${attrs({ name: c.case, tests: c.results.length, failures, errors: 0, skipped, time: seconds(c.durationMs / 1000) })}>\n` +
    props +
    c.results.map((r, i) => testcase(r, times[i]!, c.calls)).join('') +
    cleanup +
    '  </testsuite>\n';
  return { xml, seconds: c.durationMs / 1000 };
}

/** `total` ms shared among `n` testcases in whole ms, the remainder on the last, so they add up exactly. */
function shares(total: number, n: number): number[] {
  if (n === 0) return [];
  const each = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? total - each * (n - 1) : each));
}

/**
 * outcomeOf, plus `known`: a failure an expectations file lists. Like a
 * warning it is a <skipped> with the evidence, so a CI job gated on the
 * JUnit failures fails on new failures only, as the exit status does.
 */
function junitOutcome(r: RequirementResult): Outcome | 'known' {
  return r.status === 'fail' && isKnownDeviation(r) ? 'known' : outcomeOf(r);
}

function testcase(r: RequirementResult, ms: number, calls: readonly CallRecord[]): string {
  const open = `    <testcase${attrs({ classname: classnameOf(r.case), name: `${r.requirement} (${r.level})`, time: seconds(ms / 1000) })}`;
  const outcome = junitOutcome(r);
  if (outcome === 'pass') return `${open}/>\n`;
  let body: string;
  if (outcome === 'skip') body = `<skipped${attrs({ message: r.message })}>${text(r.message)}</skipped>`;
  else if (outcome === 'fail') body = `<failure${attrs({ message: shownMessage(r), type: r.level })}>${text(evidence(r, calls))}</failure>`;
  else if (outcome === 'known') {
    const detail = evidence(r, calls);
    const why = r.deviation ? ` (${r.deviation})` : '';
    body =
      `<skipped${attrs({ message: `known deviation: ${r.level} requirement not met: ${shownMessage(r)}`, type: 'known deviation' })}>${text(`${detail}\nknown deviation${why}`)}</skipped>\n` +
      `      <system-out>${text(`KNOWN DEVIATION: ${r.level} requirement not met${why}\n${detail}`)}</system-out>`;
  } else {
    const [word, what] = r.level === 'SHOULD' ? ['warning', 'SHOULD requirement not met'] : ['information', 'MAY requirement not met'];
    const detail = evidence(r, calls);
    body =
      `<skipped${attrs({ message: `${word}: ${what}: ${shownMessage(r)}`, type: r.level })}>${text(detail)}</skipped>\n` +
      `      <system-out>${text(`${word.toUpperCase()}: ${what}\n${detail}`)}</system-out>`;
  }
  return `${open}>\n      ${body}\n    </testcase>\n`;
}

function loadErrorSuite(errors: readonly LoadError[]): Suite {
  const cases = errors.map(
    (e) =>
      `    <testcase${attrs({ classname: 'ocicomply.load-errors', name: e.file, time: seconds(0) })}>\n` +
      `      <failure${attrs({ message: e.message, type: 'LoadError' })}>${text(e.message)}</failure>\n` +
      '    </testcase>\n',
  );
  const n = errors.length;
  const xml =
    `  <testsuite${attrs({ name: 'load-errors', tests: n, failures: n, errors: 0, skipped: 0, time: seconds(0) })}>\n` +
    cases.join('') +
    '  </testsuite>\n';
  return { xml, seconds: 0 };
}

/**
 * What the run itself (the probe container before the cases, the end-of-run
 * sweep) could not remove: no testcase, so no count changes, only the text,
 * as a case's own cleanup problems are in its <system-err>.
 */
function leftoverSuite(problems: readonly string[]): Suite {
  const xml =
    `  <testsuite${attrs({ name: 'left-behind', tests: 0, failures: 0, errors: 0, skipped: 0, time: seconds(0) })}>\n` +
    `    <system-err>${text(problems.map((p) => `cleanup: ${p}`).join('\n'))}</system-err>\n` +
    '  </testsuite>\n';
  return { xml, seconds: 0 };
}

/** What a reader needs to see why: the message, expected and actual, then the runtime calls the case made. */
function evidence(r: RequirementResult, calls: readonly CallRecord[]): string {
  const parts = [shownMessage(r)];
  if (r.expected !== undefined) parts.push(`expected: ${show(r.expected)}`);
  if (r.actual !== undefined) parts.push(`actual: ${show(r.actual)}`);
  if (calls.length > 0) parts.push('', `runtime calls of the case (${calls.length}):`, ...calls.map(callText));
  return parts.join('\n');
}

function callText(c: CallRecord): string {
  const argv = c.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  const end =
    c.timedOut ? `killed at its deadline${c.signal ? ` (${c.signal})` : ''}`
    : c.exitCode === null ? `killed by ${c.signal ?? 'a signal'}`
    : `exit ${c.exitCode}`;
  const lines = [`$ ${argv}`, `  ${end} after ${Math.round(c.durationMs)} ms`];
  const stderr = c.stderr.trimEnd();
  if (stderr) lines.push(`  stderr: ${truncate(stderr, 1000).replace(/\n/g, '\n    ')}`);
  return lines.join('\n');
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v); // cycles or BigInt: something readable beats a crash
  }
}

function seconds(s: number): string {
  return s.toFixed(3);
}

/**
 * XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/FFFF at
 * all, not even as character references, and runtime stderr is full of them.
 * They are rewritten as visible \uXXXX text so the file stays parseable and
 * the byte is still identifiable.
 */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(s: string): string {
  return s
    .replace(INVALID_XML, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Attribute values additionally protect quotes and whitespace, which parsers would normalise to spaces. */
function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${attr(String(v))}"`)
    .join('');
}
