/**
 * Terminal output: one progress line per finished case, then a summary that
 * puts failed MUSTs first, because those are what fail the run.
 */
import type { CaseResult, LoadError, RequirementResult, RunDocument } from '../results.js';
import { outcomeOf, type Outcome } from '../results.js';
import { caseVerdict, flush, totalsOf, type CaseVerdict, type Reporter, type RunInfo } from './reporter.js';

export interface HumanOptions {
  color: boolean;
  verbose: boolean;
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Paint = (style: keyof typeof ANSI, text: string) => string;

const VERDICT_STYLE: Record<CaseVerdict, keyof typeof ANSI> = {
  PASS: 'green',
  FAIL: 'red',
  WARN: 'yellow',
  SKIP: 'dim',
};

const OUTCOME_TAG: Record<Outcome, (paint: Paint) => string> = {
  pass: (paint) => paint('green', 'pass'),
  skip: (paint) => paint('dim', 'skip'),
  fail: (paint) => paint('red', 'FAIL'),
  warn: (paint) => paint('yellow', 'warn'),
};

export function createHumanReporter(out: NodeJS.WritableStream, opts: HumanOptions): Reporter {
  const paint: Paint = opts.color ? (s, text) => `\x1b[${ANSI[s]}m${text}\x1b[0m` : (_s, text) => text;
  const line = (text = '') => void out.write(`${text}\n`);
  let total = 0;
  let done = 0;

  return {
    start(info: RunInfo) {
      total = info.total;
    },

    caseDone(result: CaseResult) {
      done++;
      const width = String(Math.max(total, done)).length;
      const verdict = caseVerdict(result);
      line(
        `[${String(done).padStart(width)}/${total}] ${result.case}  ` +
          `${paint(VERDICT_STYLE[verdict], verdict)} ${paint('dim', `(${duration(result.durationMs)})`)}`,
      );
      if (opts.verbose) for (const r of result.results) line(indent(requirementLine(r, paint), 4, 9));
      // Cleanup trouble is never a verdict, but it may leave state behind on the host.
      for (const p of result.cleanupProblems) line(paint('yellow', indent(`cleanup: ${p}`, 4, 6)));
    },

    loadError(error: LoadError) {
      line(`${paint('red', 'LOAD ERROR')} ${error.file}`);
      line(indent(error.message, 4));
    },

    async end(doc: RunDocument) {
      for (const l of summaryLines(doc, paint)) line(l);
      await flush(out);
    },
  };
}

function requirementLine(r: RequirementResult, paint: Paint): string {
  const tag = OUTCOME_TAG[outcomeOf(r)](paint);
  const msg = r.status === 'pass' || !r.message ? '' : ` - ${r.message}`;
  return `${tag} ${r.requirement} (${r.level})${msg}`;
}

function summaryLines(doc: RunDocument, paint: Paint): string[] {
  const lines: string[] = [''];
  const failed = doc.results.filter((r) => outcomeOf(r) === 'fail');
  const warned = doc.results.filter((r) => outcomeOf(r) === 'warn');
  if (failed.length > 0) {
    lines.push(paint('bold', paint('red', 'Failed MUST requirements:')));
    for (const r of failed) lines.push(...detail(r));
  }
  if (warned.length > 0) {
    lines.push(paint('bold', paint('yellow', 'Warnings (SHOULD/MAY not met):')));
    for (const r of warned) lines.push(...detail(r));
  }
  if (doc.loadErrors.length > 0) {
    lines.push(paint('bold', paint('red', 'Case files that could not be loaded:')));
    for (const e of doc.loadErrors) lines.push(`  ${e.file}`, indent(e.message, 6));
  }
  if (lines.length > 1) lines.push('');

  const n = totalsOf(doc);
  const totals = `${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped, ${n.warnings} warning${n.warnings === 1 ? '' : 's'}`;
  const loadNote = n.loadErrors > 0 ? `, ${n.loadErrors} load error(s)` : '';
  const bad = n.failed > 0 || n.loadErrors > 0;
  lines.push(paint('bold', paint(bad ? 'red' : 'green', totals + loadNote)));
  lines.push(`runtime: ${doc.runtime.path} (${doc.runtime.version ?? 'version unknown'})`);
  lines.push(`spec:    ${doc.specVersion}`);
  lines.push(`host:    cgroup ${doc.host.cgroup}, kernel ${doc.host.kernel}`);
  return lines;
}

function detail(r: RequirementResult): string[] {
  return [`  ${r.case}  ${r.requirement} (${r.level})`, indent(r.message || '(no message)', 6)];
}

/** Indent every line by `n`, continuation lines by `cont`, so multi-line messages stay under their heading. */
function indent(text: string, n: number, cont = n): string {
  return text
    .split('\n')
    .map((l, i) => ' '.repeat(i === 0 ? n : cont) + l)
    .join('\n');
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
