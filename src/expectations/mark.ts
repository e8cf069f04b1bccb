/**
 * Compares results with an expectations file, as web-platform-tests'
 * metadata does: each result is marked expected or unexpected. Pure: the
 * file, the run's conditions and a result in; the marked result out.
 */
import type { CgroupMode, Expectation, RequirementResult } from '../results.js';
import { inRange, releaseOf } from '../spec/version.js';
import type { ExpectationEntry, ExpectationsFile } from './file.js';

/** What decides whether an entry holds for this run. */
export interface RunConditions {
  /** The target spec version. */
  readonly specVersion: string;
  /** What the runtime printed for --version (its first line), or null. */
  readonly runtimeVersion: string | null;
  readonly cgroup: CgroupMode;
}

/**
 * The entries that hold for this run. An entry with `runtimeVersions` holds
 * only when the runtime's version is known and in range: a failure it would
 * excuse is then reported as new, never hidden.
 */
export function applicableEntries(file: Pick<ExpectationsFile, 'entries'>, run: RunConditions): ExpectationEntry[] {
  const runtimeRelease = run.runtimeVersion === null ? undefined : releaseOf(run.runtimeVersion);
  return file.entries.filter((e) =>
    (e.specVersions === undefined || inRange(run.specVersion, e.specVersions)) &&
    (e.runtimeVersions === undefined || (runtimeRelease !== undefined && inRange(runtimeRelease, e.runtimeVersions))) &&
    (e.cgroup === undefined || e.cgroup.includes(run.cgroup)));
}

/** The first entry that lists the result's case and requirement. */
export function entryFor(entries: readonly ExpectationEntry[], r: Pick<RequirementResult, 'case' | 'requirement'>): ExpectationEntry | undefined {
  return entries.find((e) => e.cases.includes(r.case) && e.requirements.includes(r.requirement));
}

/** The result with its `expectation` (and the listing entry's reason as `deviation`). */
export function markResult(entries: readonly ExpectationEntry[], r: RequirementResult): RequirementResult {
  const entry = entryFor(entries, r);
  let expectation: Expectation;
  if (!entry) expectation = r.status === 'fail' ? 'unexpected-fail' : 'expected';
  else if (entry.status === 'racy') expectation = 'racy';
  else expectation = r.status === 'fail' ? 'expected-fail' : r.status === 'pass' ? 'unexpected-pass' : 'expected';
  return { ...r, expectation, ...(entry ? { deviation: entry.reason } : {}) };
}
