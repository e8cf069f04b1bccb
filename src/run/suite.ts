/**
 * One run of the suite: sets up (probe, runtime facts, workspace, cases),
 * runs the cases in parallel, reports, and tears everything down on every
 * path, including SIGINT and SIGTERM.
 */
import { loadCatalogue } from '../catalogue.js';
import { loadCases, selectCases } from '../cases/load.js';
import type { Timing } from '../engine/context.js';
import { runCase } from '../engine/run-case.js';
import { hostFacts } from '../host/facts.js';
import { ensureProbe } from '../probe/build.js';
import { createHumanReporter } from '../report/human.js';
import { writeJsonDocument } from '../report/json.js';
import { writeJUnit } from '../report/junit.js';
import type { Reporter } from '../report/reporter.js';
import type { CaseResult, CallRecord, RunDocument } from '../results.js';
import type { Case } from '../cases/types.js';
import { failsRun, summarize } from '../results.js';
import { loadExpectations, unknownIds } from '../expectations/file.js';
import { applicableEntries, markResult } from '../expectations/mark.js';
import { RuntimeDriver } from '../runtime/driver.js';
import { probeRuntime } from '../runtime/info.js';
import { resolveRuntime } from '../runtime/resolve.js';
import { DEFAULT_SPEC_VERSION, releaseOf } from '../spec/version.js';
import { requireRoot, SetupError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { cleanStaleRuns } from './clean.js';
import { runPool } from './pool.js';
import { readJournal, Workspace } from './workspace.js';
import { teardown } from './teardown.js';

export interface SuiteOptions {
  readonly runtime: string;
  readonly specVersion: string | undefined;
  readonly only: readonly string[];
  readonly jobs: number;
  readonly reporter: 'tap' | 'human';
  readonly json: string | undefined;
  readonly junit: string | undefined;
  readonly timing: Timing;
  readonly caseDirs: readonly string[];
  readonly catalogueFile: string;
  readonly workDir: string;
  readonly verbose: boolean;
  /** An expectations file: results are marked expected or unexpected, and only new MUST failures fail the run. */
  readonly expectations: string | undefined;
}


export async function runSuite(opts: SuiteOptions): Promise<number> {
  requireRoot();
  const runtimePath = await resolveRuntime(opts.runtime);
  if (opts.specVersion !== undefined && releaseOf(opts.specVersion) === undefined) throw new SetupError(`--spec-version "${opts.specVersion}" is not a version`);
  // Read before anything is done: a bad file ends the run before it starts.
  const expectations = opts.expectations === undefined ? undefined : await loadExpectations(opts.expectations);
  const [probeBinary, catalogue, host] = await Promise.all([ensureProbe(), loadCatalogue(opts.catalogueFile), hostFacts()]);

  const stale = await cleanStaleRuns(opts.workDir);
  if (stale.runs > 0) process.stderr.write(`ocicomply: cleaned ${stale.runs} run(s) left by a killed ocicomply (${stale.containers} container(s))\n`);
  for (const p of stale.problems) process.stderr.write(`ocicomply: ${p}\n`);

  const { cases: all, errors: loadErrors } = await loadCases(opts.caseDirs, catalogue);
  const cases = selectCases(all, opts.only);
  if (opts.only.length > 0 && cases.length === 0) throw new SetupError(`--only ${opts.only.join(',')} matches no case (see ocicomply list)`);
  const badId = expectations && unknownIds(expectations, all, catalogue);
  if (badId) throw new SetupError(badId);

  const totals = { count: 0, durationMs: 0 };
  const onCall = (c: CallRecord): void => {
    totals.count++;
    totals.durationMs += c.durationMs;
  };
  const workspace = await Workspace.open(opts.workDir, runtimePath);
  const abort = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interruptedBy === undefined) process.stderr.write(`\nocicomply: ${sig}: stopping, removing every container of this run\n`);
    interruptedBy ??= sig;
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  let sweep = false;
  const driver = new RuntimeDriver({ runtime: { path: runtimePath }, root: workspace.root, scratchDir: workspace.scratch, timeoutMs: opts.timing.callTimeoutMs, onCall });
  try {
    const facts = await probeRuntime(driver);
    const specVersion = opts.specVersion ?? releaseOf(facts.newestSpec ?? '') ?? DEFAULT_SPEC_VERSION;
    const reporter: Reporter = opts.reporter === 'tap'
      ? (await import('../report/tap.js')).createTapReporter(process.stdout)
      : createHumanReporter(process.stdout, {
        color: Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'], verbose: opts.verbose, live: Boolean(process.stdout.isTTY), jobs: opts.jobs,
        specSection: (id) => {
          const r = catalogue.get(id);
          return r && `${r.doc}#${r.section}`;
        },
        jsonFile: opts.json, expectationsFile: opts.expectations,
      });
    const runtime = { path: runtimePath, version: facts.version };
    const entries = expectations && applicableEntries(expectations, { specVersion, runtimeVersion: facts.version, cgroup: host.cgroup });
    if (expectations && entries?.length === 0 && expectations.entries.length > 0) {
      // Otherwise every failure would read as new with no hint why.
      process.stderr.write(`ocicomply: no entry of ${expectations.file} holds for ${facts.version ?? 'a runtime of unknown version'} at spec ${specVersion} on a ${host.cgroup} host: every failure counts as new\n`);
    }
    const mark = (r: CaseResult): CaseResult => (entries ? { ...r, results: r.results.map((x) => markResult(entries, x)) } : r);
    reporter.start({ total: cases.length, runtime, specVersion, host });
    for (const e of loadErrors) reporter.loadError(e);

    const started = performance.now();
    const results: CaseResult[] = await runPool(cases, opts.jobs, abort.signal, async (c) => {
      reporter.caseStarted?.(c.id);
      let r: CaseResult;
      try {
        r = await runCase(c, { driver, workspace, probeBinary, timing: opts.timing, specVersion, configOciVersion: facts.configOciVersion, signal: abort.signal, features: facts.features, host });
      } catch (e) {
        // A fault of the harness (disk full, a bug): the case fails, the run goes on,
        // and the journal sweep below removes whatever the case left.
        sweep = true;
        r = internalFailure(c, e);
      }
      r = mark(r);
      reporter.caseDone(r);
      return r;
    });
    const flat = results.flatMap((r) => r.results);
    const timing = { wallMs: Math.round(performance.now() - started), runtimeCalls: totals.count, runtimeMs: Math.round(totals.durationMs), jobs: opts.jobs };
    const doc: RunDocument = {
      ocicomply: VERSION, runtime, specVersion, host, results: flat, summary: summarize(flat), loadErrors, timing,
      ...(expectations ? { expectations: { file: expectations.file, runtime: expectations.runtime } } : {}),
    };
    await reporter.end(doc);
    if (opts.json) await writeJsonDocument(opts.json, doc);
    if (opts.junit) await writeJUnit(opts.junit, doc, results);
    if (interruptedBy) return interruptedBy === 'SIGINT' ? 130 : interruptedBy === 'SIGTERM' ? 143 : 129;
    if (loadErrors.length > 0) return 2;
    return flat.some(failsRun) ? 1 : 0;
  } finally {
    if (sweep) {
      for (const entry of await readJournal(workspace.dir)) await teardown(driver, entry, opts.timing);
    }
    await workspace.remove();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

function internalFailure(c: Case, e: unknown): CaseResult {
  const message = `internal error: ${(e as Error)?.stack ?? String(e)}`;
  return {
    case: c.id, file: c.file, summary: c.summary, calls: [], durationMs: 0, cleanupProblems: [],
    results: c.requirements.map((r) => ({ case: c.id, requirement: r.id, level: r.level, status: 'fail', message })),
  };
}
