/**
 * Terminal output: a line per finished case (and, on a terminal, a status
 * line with what is running and how long is left), then a summary that puts
 * what fails the run first. A failure shows what was expected and what was
 * seen, the spec section, and the head of the runtime's stderr; with an
 * expectations file, known deviations are told apart from new failures.
 */
import type { FailedCall, CaseResult, LoadError, RequirementResult, RunDocument } from '../results.js';
import { failsRun, isFatal, isKnownDeviation, outcomeOf, shownMessage, type Outcome } from '../results.js';
import { StatusLine, clock } from './progress.js';
import { caseVerdict, flush, totalsOf, type CaseVerdict, type Reporter, type RunInfo } from './reporter.js';

export interface HumanOptions {
  color: boolean;
  verbose: boolean;
  /** Keep a status line rewritten in place (only for a terminal). */
  live?: boolean;
  /** Cases run in parallel, for the estimate of the time left. */
  jobs?: number;
  /** Where a requirement is written in the spec, e.g. "runtime.md#delete". */
  specSection?: (requirement: string) => string | undefined;
  /** The --json file, where a runtime's whole stderr can be read. */
  jsonFile?: string | undefined;
  /** The expectations file the results are marked against, if any. */
  expectationsFile?: string | undefined;
  /** Milliseconds, for the status line's clock. */
  now?: () => number;
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

/** Lines of a runtime's stderr quoted in a failure; the rest is in the results document. */
const STDERR_LINES = 5;
const LINE_WIDTH = 200;
const WRAP_WIDTH = 100;

export function createHumanReporter(out: NodeJS.WritableStream, opts: HumanOptions): Reporter {
  const paint: Paint = opts.color ? (s, text) => `\x1b[${ANSI[s]}m${text}\x1b[0m` : (_s, text) => text;
  const status = opts.live ? new StatusLine(out, opts.jobs ?? 1, opts.now ?? (() => performance.now())) : undefined;
  const line = (text = '') => {
    status?.clear();
    out.write(`${text}\n`);
  };
  let total = 0;
  let done = 0;

  return {
    start(info: RunInfo) {
      total = info.total;
      status?.begin(total);
    },

    caseStarted(caseId: string) {
      status?.caseStarted(caseId);
    },

    caseDone(result: CaseResult) {
      done++;
      status?.caseDone(result.case, result.durationMs);
      const width = String(Math.max(total, done)).length;
      const verdict = caseVerdict(result);
      line(
        `[${String(done).padStart(width)}/${total}] ${result.case}  ` +
          `${paint(VERDICT_STYLE[verdict], verdict)}${knownNote(result, opts, paint)} ${paint('dim', `(${duration(result.durationMs)})`)}`,
      );
      if (opts.verbose) for (const r of result.results) line(indent(requirementLine(r, paint), 4, 9));
      // Cleanup trouble is never a verdict, but it may leave state behind on the host.
      for (const p of result.cleanupProblems) line(paint('yellow', indent(`cleanup: ${p}`, 4, 6)));
      status?.draw();
    },

    loadError(error: LoadError) {
      line(`${paint('red', 'LOAD ERROR')} ${error.file}`);
      line(indent(error.message, 4));
      status?.draw();
    },

    async end(doc: RunDocument) {
      status?.stop();
      for (const l of summaryLines(doc, opts, paint)) line(l);
      await flush(out);
    },
  };
}

/** After a failing case's verdict, with expectations: whether all its failures are known. */
function knownNote(result: CaseResult, opts: HumanOptions, paint: Paint): string {
  if (opts.expectationsFile === undefined) return '';
  const failed = result.results.filter((r) => r.status === 'fail');
  if (failed.length === 0) return '';
  return failed.every(isKnownDeviation) ? paint('dim', ' known') : paint('bold', ' NEW');
}

function requirementLine(r: RequirementResult, paint: Paint): string {
  const tag = OUTCOME_TAG[outcomeOf(r)](paint);
  const msg = r.status === 'pass' || !r.message ? '' : ` - ${shownMessage(r)}`;
  return `${tag} ${r.requirement} (${r.level})${msg}`;
}

function summaryLines(doc: RunDocument, opts: HumanOptions, paint: Paint): string[] {
  const lines: string[] = [''];
  const marked = opts.expectationsFile !== undefined;
  const file = opts.expectationsFile ?? '';
  const failed = doc.results.filter((r) => r.status === 'fail');
  const fatal = failed.filter(failsRun);
  const warned = failed.filter((r) => !isFatal(r) && !isKnownDeviation(r));
  const known = failed.filter(isKnownDeviation);
  const unexpectedPasses = doc.results.filter((r) => r.expectation === 'unexpected-pass');
  const section = (title: string, style: keyof typeof ANSI, body: string[]) => {
    if (body.length > 0) lines.push(paint('bold', paint(style, title)), ...body);
  };

  section(marked ? `New MUST failures (not in ${file}):` : 'Failed MUST requirements:', 'red', fatal.flatMap((r) => failureBlock(r, opts, paint)));
  section(marked ? `New warnings (SHOULD/MAY not met, not in ${file}):` : 'Warnings (SHOULD/MAY not met):', 'yellow', warned.flatMap((r) => failureBlock(r, opts, paint)));
  section(`Known deviations (failures ${file} lists):`, 'dim', opts.verbose ? known.flatMap((r) => failureBlock(r, opts, paint)) : knownLines(known));
  section(`Unexpected passes (${file} lists them as failing; the entry can go):`, 'yellow', unexpectedPasses.map((r) => `  ${r.case}  ${r.requirement} (${r.level})`));
  if (doc.loadErrors.length > 0) {
    lines.push(paint('bold', paint('red', 'Case files that could not be loaded:')));
    for (const e of doc.loadErrors) lines.push(`  ${e.file}`, indent(e.message, 6));
  }
  const left = doc.leftovers ?? [];
  if (left.length > 0) {
    lines.push(paint('bold', paint('red', 'Left behind (could not be removed; `ocicomply clean` removes it):')));
    for (const l of left) lines.push(indent(`${l.case ?? '(run)'}: ${l.what}`, 2, 6));
  }
  const cc = doc.checkConfig;
  if (cc) {
    lines.push(paint('bold', `Config ${cc.config.file} (sha256 ${cc.config.sha256.slice(0, 16)}…, ociVersion ${cc.config.ociVersion}):`));
    lines.push('  changed for the probe:', ...cc.changed.flatMap((n) => wrap(`${n.property}: ${n.why}`, 4)));
    if (cc.notJudged.length > 0) lines.push('  not judged:', ...cc.notJudged.flatMap((n) => wrap(`${n.property}: ${n.why}`, 4)));
  }
  if (lines.length > 1) lines.push('');

  const n = totalsOf(doc);
  const knownMust = known.filter(isFatal).length;
  const totals = `${n.passed} passed, ${n.failed} failed${marked ? ` (${n.failed - knownMust} new, ${knownMust} known)` : ''}, ` +
    `${n.skipped} skipped, ${n.warnings} warning${n.warnings === 1 ? '' : 's'}` +
    (marked ? `, ${unexpectedPasses.length} unexpected pass${unexpectedPasses.length === 1 ? '' : 'es'}` : '');
  const loadNote = n.loadErrors > 0 ? `, ${n.loadErrors} load error(s)` : '';
  const bad = fatal.length > 0 || n.loadErrors > 0;
  lines.push(paint('bold', paint(bad ? 'red' : 'green', totals + loadNote)));
  lines.push(`runtime: ${[doc.runtime.path, ...doc.runtime.args].join(' ')} (${doc.runtime.version ?? 'version unknown'})`);
  lines.push(`spec:    ${doc.specVersion}`);
  lines.push(`host:    cgroup ${doc.host.cgroup}, kernel ${doc.host.kernel}`);
  if (doc.timing) lines.push(`time:    ${duration(doc.timing.wallMs)} wall, ${doc.timing.jobs} job${doc.timing.jobs === 1 ? '' : 's'}`);
  return lines;
}

/** A failure as a reader needs it: where the rule is, what was wanted and seen, what the runtime said. */
function failureBlock(r: RequirementResult, opts: HumanOptions, paint: Paint): string[] {
  const where = opts.specSection?.(r.requirement);
  const lines = [`  ${r.case}  ${r.requirement} (${r.level})${where ? `  ${paint('dim', where)}` : ''}`, indent(shownMessage(r) || '(no message)', 6)];
  if (r.expected !== undefined) lines.push(indent(`expected: ${shown(r.expected)}`, 6, 16));
  if (r.actual !== undefined) lines.push(indent(`seen:     ${shown(r.actual)}`, 6, 16));
  if (r.call) lines.push(...callLines(r.call, opts.jsonFile));
  if (r.expectation === 'unexpected-fail') lines.push(`      ${paint('bold', 'NEW failure')}`);
  if (isKnownDeviation(r)) lines.push(...wrap(`known deviation: ${r.deviation ?? ''}`, 6));
  return lines;
}

/** Known deviations in short: the results an entry lists, then its reason once. */
function knownLines(known: readonly RequirementResult[]): string[] {
  const byReason = new Map<string, RequirementResult[]>();
  for (const r of known) byReason.set(r.deviation ?? '', [...(byReason.get(r.deviation ?? '') ?? []), r]);
  return [...byReason].flatMap(([reason, rs]) => [
    ...rs.map((r) => `  ${r.case}  ${r.requirement} (${r.level})${r.expectation === 'racy' ? ', racy' : ''}`),
    ...wrap(`known deviation: ${reason}`, 6),
  ]);
}

/** Words filled into lines of at most WRAP_WIDTH columns, indented by `n`. */
function wrap(text: string, n: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current !== '' && n + current.length + 1 + word.length > WRAP_WIDTH) {
      lines.push(' '.repeat(n) + current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') lines.push(' '.repeat(n) + current);
  return lines;
}

function callLines(call: FailedCall, jsonFile: string | undefined): string[] {
  const ended = call.timedOut ? 'deadline passed, killed' : call.exitCode === null ? `killed by ${call.signal ?? 'a signal'}` : `exit ${call.exitCode}`;
  const lines = [`      call:     ${call.argv.map(quoteArg).join(' ')}  -> ${ended}`];
  const stderr = call.stderr.replace(/\s+$/, '').split('\n');
  if (stderr.length === 1 && stderr[0] === '') {
    lines.push('      stderr:   (empty)');
    return lines;
  }
  stderr.slice(0, STDERR_LINES).forEach((l, i) => lines.push(`${i === 0 ? '      stderr:   ' : '                '}${oneLine(l, LINE_WIDTH)}`));
  const more = stderr.length - STDERR_LINES;
  if (more > 0) {
    const where = jsonFile ? `see ${jsonFile} for all` : 'run with --json FILE to see all';
    lines.push(`                … (${more} more line${more === 1 ? '' : 's'}; ${where})`);
  }
  return lines;
}

/** A value as one readable line: strings as they are, anything else as JSON. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return oneLine(text, 400);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`;
}

/** Indent every line by `n`, continuation lines by `cont`, so multi-line messages stay under their heading. */
function indent(text: string, n: number, cont = n): string {
  return text
    .split('\n')
    .map((l, i) => ' '.repeat(i === 0 ? n : cont) + l)
    .join('\n');
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : clock(ms);
}
