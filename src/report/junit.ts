/**
 * JUnit XML for CI dashboards: one <testsuite> per case, one <testcase> per
 * requirement. Only failed MUSTs are <failure>s; SHOULD/MAY failures pass with
 * a note, mirroring how the run itself judges them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CaseResult, LoadError, RequirementResult, RunDocument } from '../results.js';
import { isFatal } from '../results.js';

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  skipped: number;
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
  const sum = (k: 'tests' | 'failures' | 'skipped' | 'seconds') => suites.reduce((n, s) => n + s[k], 0);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attrs({
      name: `ocicomply ${doc.runtime.path}`,
      tests: sum('tests'),
      failures: sum('failures'),
      errors: 0,
      skipped: sum('skipped'),
      time: seconds(sum('seconds')),
    })}>\n` +
    suites.map((s) => s.xml).join('') +
    '</testsuites>\n'
  );
}

function caseSuite(c: CaseResult): Suite {
  const failures = c.results.filter(isFatal).length;
  const skipped = c.results.filter((r) => r.status === 'skip').length;
  const secs = c.durationMs / 1000;
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
    `  <testsuite${attrs({ name: c.case, tests: c.results.length, failures, errors: 0, skipped, time: seconds(secs) })}>\n` +
    props +
    c.results.map(testcase).join('') +
    cleanup +
    '  </testsuite>\n';
  return { xml, tests: c.results.length, failures, skipped, seconds: secs };
}

function testcase(r: RequirementResult): string {
  const open = `    <testcase${attrs({ classname: r.case, name: `${r.requirement} (${r.level})` })}`;
  if (r.status === 'pass') return `${open}/>\n`;
  let body: string;
  if (r.status === 'skip') body = `<skipped${attrs({ message: r.message })}/>`;
  else if (isFatal(r)) body = `<failure${attrs({ message: r.message, type: r.level })}>${text(evidence(r))}</failure>`;
  else {
    const kind = r.level === 'SHOULD' ? 'WARNING' : 'INFO';
    body = `<system-out>${text(`${kind}: ${r.level} requirement not met\n${evidence(r)}`)}</system-out>`;
  }
  return `${open}>\n      ${body}\n    </testcase>\n`;
}

function loadErrorSuite(errors: readonly LoadError[]): Suite {
  const cases = errors.map(
    (e) =>
      `    <testcase${attrs({ classname: 'load-errors', name: e.file })}>\n` +
      `      <failure${attrs({ message: e.message, type: 'LoadError' })}>${text(e.message)}</failure>\n` +
      '    </testcase>\n',
  );
  const n = errors.length;
  const xml =
    `  <testsuite${attrs({ name: 'load-errors', tests: n, failures: n, errors: 0, skipped: 0, time: seconds(0) })}>\n` +
    cases.join('') +
    '  </testsuite>\n';
  return { xml, tests: n, failures: n, skipped: 0, seconds: 0 };
}

function evidence(r: RequirementResult): string {
  const parts = [r.message];
  if (r.expected !== undefined) parts.push(`expected: ${show(r.expected)}`);
  if (r.actual !== undefined) parts.push(`actual: ${show(r.actual)}`);
  return parts.join('\n');
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
