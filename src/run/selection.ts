/**
 * Which cases a run (or `list`) takes: every loaded case, narrowed by
 * --only, minus --skip, and with --rerun-failed only the cases that failed
 * in an earlier results document. Deselected cases are simply not run: they
 * appear nowhere in the results (as with critest's and ginkgo's --skip).
 */
import type { Catalogue } from '../catalogue.js';
import { caseMatches, deselectCases, loadCases, selectCases } from '../cases/load.js';
import { CHECKS } from '../checks/index.js';
import type { Case } from '../cases/types.js';
import { failedCaseIds, readResultsDocument } from '../report/json.js';
import type { LoadError } from '../results.js';
import { SetupError } from '../util/errors.js';

export interface SelectionOptions {
  readonly caseDirs: readonly string[];
  readonly only: readonly string[];
  readonly skip: readonly string[];
  /** A results document (--json) whose failed cases are the only ones to run. */
  readonly rerunFailed: string | undefined;
}

export interface Selection {
  readonly cases: Case[];
  /** Every case loaded, chosen or not (an expectations file may name any of them). */
  readonly all: Case[];
  readonly loadErrors: LoadError[];
  /** Things the user should hear (failed cases of the document that are not loaded). */
  readonly notes: string[];
  /** Set when --rerun-failed names a document without failures: nothing to run, and why. */
  readonly nothingToRerun?: string;
}

export async function selectRun(catalogue: Catalogue, o: SelectionOptions): Promise<Selection> {
  // The document first: a wrong file is refused before the cases are read.
  const failed = o.rerunFailed === undefined ? undefined : failedCaseIds(await readResultsDocument('--rerun-failed', o.rerunFailed));
  const { cases: all, errors: loadErrors } = await loadCases(o.caseDirs, catalogue, CHECKS);
  // A term that names nothing is most likely a typo: refuse it rather than run more (or less) than meant.
  for (const [flag, terms] of [['--only', o.only], ['--skip', o.skip]] as const) {
    for (const term of terms) {
      if (!all.some((c) => caseMatches(c, term))) throw new SetupError(`${flag} ${term} matches no case (see ocicomply list)`);
    }
  }
  let cases = deselectCases(selectCases(all, o.only), o.skip);
  const notes: string[] = [];
  if (failed !== undefined) {
    if (failed.length === 0) return { cases: [], all, loadErrors, notes, nothingToRerun: `${o.rerunFailed} has no failed result: nothing to rerun` };
    const loaded = new Set(all.map((c) => c.id));
    const absent = failed.filter((id) => !loaded.has(id));
    if (absent.length === failed.length) throw new SetupError(`--rerun-failed ${o.rerunFailed}: none of its failed cases (${failed.join(', ')}) is among the loaded cases`);
    if (absent.length > 0) notes.push(`--rerun-failed: not among the loaded cases, not run: ${absent.join(', ')}`);
    const wanted = new Set(failed);
    cases = cases.filter((c) => wanted.has(c.id));
  }
  const narrowing = [o.only.length ? '--only' : '', o.skip.length ? '--skip' : '', failed ? '--rerun-failed' : ''].filter(Boolean);
  if (cases.length === 0 && narrowing.length > 0) throw new SetupError(`no case left to run after ${narrowing.join(' and ')} (see ocicomply list)`);
  return { cases, all, loadErrors, notes };
}
