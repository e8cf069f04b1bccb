/**
 * The contract between the run engine and the output formats, plus the few
 * judgements every format must make the same way (so a case that is WARN in
 * the terminal is never a failure in JUnit).
 */
import type { CaseResult, LoadError, RunDocument, HostFacts, RuntimeIdentity } from '../results.js';
import { outcomeOf } from '../results.js';

export interface RunInfo {
  total: number;
  runtime: RuntimeIdentity;
  specVersion: string;
  host: HostFacts;
}

export interface Reporter {
  start(info: RunInfo): void;
  /** Called as a case begins (for progress); formats without progress leave it out. */
  caseStarted?(caseId: string): void;
  /** Called as each case finishes; cases run in parallel, so in any order. */
  caseDone(result: CaseResult): void;
  /** A case file that could not be loaded. */
  loadError(error: LoadError): void;
  /** After all cases; resolves once all output has been flushed. */
  end(doc: RunDocument): Promise<void>;
}

/**
 * The totals every format prints, all from the document's summary: `failed`
 * is failed MUSTs only (summary.fail less summary.warn), `warnings` are failed
 * SHOULDs and MAYs. A case file that could not be loaded is counted apart.
 */
export interface Totals {
  readonly passed: number;
  readonly failed: number;
  readonly warnings: number;
  readonly skipped: number;
  readonly loadErrors: number;
}

export function totalsOf(doc: Pick<RunDocument, 'summary' | 'loadErrors'>): Totals {
  const s = doc.summary;
  return { passed: s.pass, failed: s.fail - s.warn, warnings: s.warn, skipped: s.skip, loadErrors: doc.loadErrors.length };
}

export type CaseVerdict = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';

/**
 * One word for a whole case: a failed MUST dominates, then any other failure
 * (SHOULD/MAY are warnings), then "nothing was checked", then pass. A case
 * with no verdicts at all checked nothing, so it reads as SKIP, not PASS.
 */
export function caseVerdict(result: Pick<CaseResult, 'results'>): CaseVerdict {
  const rs = result.results;
  const outcomes = rs.map(outcomeOf);
  if (outcomes.includes('fail')) return 'FAIL';
  if (outcomes.includes('warn')) return 'WARN';
  if (outcomes.every((o) => o === 'skip')) return 'SKIP';
  return 'PASS';
}

/** Runtime output can be megabytes; reports keep the head and say how much was cut. */
export function truncate(text: string, max = 2000): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n... [truncated ${text.length - max} more chars]`;
}

/** Resolves when everything written so far to `out` has been handed on. */
export function flush(out: NodeJS.WritableStream): Promise<void> {
  // An empty write's callback runs only after the writes queued before it.
  return new Promise((resolve, reject) => {
    out.write('', (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}
