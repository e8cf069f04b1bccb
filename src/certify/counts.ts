/**
 * The counts a bundle's reports must agree on, each taken from the report's
 * own text and set beside what the results document says. The reports are
 * ocicomply's own formats (see README: TAP, JUnit, the summary), so their
 * fixed shapes are read directly.
 */
import { isKnownDeviation, outcomeOf, type RunDocument } from '../results.js';
import { totalsOf } from '../report/reporter.js';

/** How many results (and unloaded case files) each report must show in each way. */
export interface ExpectedCounts {
  readonly results: number;
  readonly loadErrors: number;
  readonly pass: number;
  /** Failed MUSTs no expectations file lists: failures for every reader. */
  readonly mustFailed: number;
  /** Failed SHOULDs and MAYs, and listed failures: reported, never failures. */
  readonly notFailing: number;
  readonly skip: number;
}

export function expectedCounts(doc: Pick<RunDocument, 'results' | 'loadErrors'>): ExpectedCounts {
  const failed = doc.results.filter((r) => r.status === 'fail');
  const mustFailed = failed.filter((r) => outcomeOf(r) === 'fail' && !isKnownDeviation(r)).length;
  return {
    results: doc.results.length, loadErrors: doc.loadErrors.length,
    pass: doc.results.filter((r) => r.status === 'pass').length,
    mustFailed, notFailing: failed.length - mustFailed,
    skip: doc.results.filter((r) => r.status === 'skip').length,
  };
}

/** A difference between a report's count and the document's, as one message. */
function differs(report: string, what: string, seen: number | null, want: number): string[] {
  return seen === want ? [] : [`${report}: ${what} is ${seen ?? 'missing'}, the results document says ${want}`];
}

/** TAP's test points by kind, its plan and its summary comment, against the document. */
export function tapProblems(tap: string, doc: RunDocument): string[] {
  const want = expectedCounts(doc);
  let pass = 0, failed = 0, todo = 0, skip = 0;
  let plan: number | null = null;
  let summary: string | null = null;
  for (const line of tap.split('\n')) {
    const point = /^(not )?ok \d+\b(.*)$/.exec(line);
    if (point) {
      // A `#` in a description is escaped (\#), so an unescaped one starts the directive.
      const directive = /(?<!\\)#\s*(SKIP|TODO)\b/i.exec(point[2]!)?.[1]?.toUpperCase();
      if (point[1]) (directive === 'TODO' ? todo++ : failed++);
      else (directive === 'SKIP' ? skip++ : pass++);
      continue;
    }
    const p = /^1\.\.(\d+)/.exec(line);
    if (p) plan = Number(p[1]);
    if (line.startsWith('# summary: ')) summary = line;
  }
  const n = totalsOf(doc);
  const wantSummary = `# summary: ${n.passed} pass, ${n.failed} fail, ${n.skipped} skip, ${n.warnings} warn${n.loadErrors > 0 ? `, ${n.loadErrors} load error(s)` : ''}`;
  return [
    ...differs('tap.log', 'the plan', plan, want.results + want.loadErrors),
    ...differs('tap.log', 'the number of test points', pass + failed + todo + skip, want.results + want.loadErrors),
    ...differs('tap.log', '"ok" points', pass, want.pass),
    ...differs('tap.log', '"not ok" points (failures)', failed, want.mustFailed + want.loadErrors),
    ...differs('tap.log', '"not ok # TODO" points', todo, want.notFailing),
    ...differs('tap.log', '"ok # SKIP" points', skip, want.skip),
    ...(summary === wantSummary ? [] : [`tap.log: its summary comment is ${summary === null ? 'missing' : JSON.stringify(summary)}, the results document says ${JSON.stringify(wantSummary)}`]),
  ];
}

function attr(tag: string, name: string): number | null {
  const m = new RegExp(`\\s${name}="(\\d+)"`).exec(tag);
  return m ? Number(m[1]) : null;
}

/** JUnit's totals on <testsuites>, the sums over <testsuite> and the <testcase> elements, against the document. */
export function junitProblems(xml: string, doc: RunDocument): string[] {
  const want = expectedCounts(doc);
  const top = /<testsuites\b[^>]*>/.exec(xml)?.[0];
  if (top === undefined) return ['junit.xml: no <testsuites> element'];
  const suites = [...xml.matchAll(/<testsuite\b[^>]*>/g)].map((m) => m[0]);
  const sum = (name: string): number => suites.reduce((t, s) => t + (attr(s, name) ?? 0), 0);
  const testcases = [...xml.matchAll(/<testcase\b/g)].length;
  return [
    ...differs('junit.xml', '<testsuites tests>', attr(top, 'tests'), want.results + want.loadErrors),
    ...differs('junit.xml', '<testsuites failures>', attr(top, 'failures'), want.mustFailed + want.loadErrors),
    ...differs('junit.xml', 'the number of <testcase> elements', testcases, want.results + want.loadErrors),
    ...differs('junit.xml', 'the sum of <testsuite tests>', sum('tests'), want.results + want.loadErrors),
    ...differs('junit.xml', 'the sum of <testsuite failures>', sum('failures'), want.mustFailed + want.loadErrors),
    ...differs('junit.xml', 'the sum of <testsuite skipped>', sum('skipped'), want.skip + want.notFailing),
  ];
}

export const SUMMARY_TOTALS_HEADER = '| results | pass | failed MUST | warnings and known deviations | skip | case files not loaded |';

/** The cells of a Markdown table row; `\|` is a pipe inside a cell. */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
}

/** The totals table of summary.md and the run's row of its matrix, against the document. */
export function summaryProblems(md: string, doc: RunDocument): string[] {
  const want = expectedCounts(doc);
  const lines = md.split('\n');
  const at = lines.indexOf(SUMMARY_TOTALS_HEADER);
  if (at < 0 || lines[at + 2] === undefined) return ['summary.md: its totals table is missing'];
  const n = cells(lines[at + 2]!).map(Number);
  const problems = [
    ...differs('summary.md', 'the results total', n[0] ?? null, want.results),
    ...differs('summary.md', 'pass', n[1] ?? null, want.pass),
    ...differs('summary.md', 'failed MUST', n[2] ?? null, want.mustFailed),
    ...differs('summary.md', 'warnings and known deviations', n[3] ?? null, want.notFailing),
    ...differs('summary.md', 'skip', n[4] ?? null, want.skip),
    ...differs('summary.md', 'case files not loaded', n[5] ?? null, want.loadErrors),
  ];
  // The matrix's run table: | run | runtime | spec | host | VM | started | grade | pass | fail | skip | file |
  const row = lines.find((l) => l.startsWith('| 1 |'));
  if (row === undefined) return [...problems, 'summary.md: the matrix has no run row'];
  const m = cells(row);
  return [
    ...problems,
    ...differs('summary.md', "the matrix's pass", Number(m[7]), want.pass),
    ...differs('summary.md', "the matrix's fail", Number(m[8]), want.mustFailed + want.notFailing),
    ...differs('summary.md', "the matrix's skip", Number(m[9]), want.skip),
  ];
}
