/**
 * One run of the suite: sets up (probe, runtime facts, workspace), runs the
 * selected cases in parallel, reports, and tears everything down on every
 * path, including SIGINT and SIGTERM. The command line has checked its input
 * and chosen the cases before this starts.
 */
import type { Timing } from '../engine/context.js';
import { ownDirs, runCase } from '../engine/run-case.js';
import { CHECKS } from '../checks/index.js';
import { hostFacts } from '../host/facts.js';
import { systemFacts } from '../host/system.js';
import { MINIMAL, type Profile, profileRecord } from '../bundle/profile.js';
import { memoryTapReporter, teeReporter } from '../report/tee.js';
import { ensureProbe } from '../probe/build.js';
import { createHumanReporter } from '../report/human.js';
import { renderJsonDocument } from '../report/json.js';
import { renderJUnit } from '../report/junit.js';
import type { ReportOutput } from '../report/output.js';
import type { Reporter } from '../report/reporter.js';
import type { CaseResult, CallRecord, CaseSetRecord, CheckConfigRecord, LeftBehind, LoadError, RunDocument, SpecVersionSource } from '../results.js';
import type { Case } from '../cases/types.js';
import { failsRun, summarize } from '../results.js';
import type { ExpectationsFile } from '../expectations/file.js';
import type { Catalogue } from '../catalogue.js';
import { applicableEntries, markResult } from '../expectations/mark.js';
import { RuntimeDriver } from '../runtime/driver.js';
import { probeRuntime } from '../runtime/info.js';
import { runtimeCommand } from '../runtime/resolve.js';
import { DEFAULT_SPEC_VERSION, releaseOf } from '../spec/version.js';
import { requireRoot, SetupError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { cleanStaleRuns } from './clean.js';
import { runPool } from './pool.js';
import { Workspace } from './workspace.js';
import { readJournal } from './journal.js';
import { cgroupMounts } from '../host/cgroups.js';
import { smokeFailureMessage, smokeTest } from './smoke.js';
import { teardown } from './teardown.js';
import { installCommit, runRecord, specVersionSource } from './record.js';
import { interruptStatus, watchInterrupts } from './interrupt.js';

/** The run left something it could not remove; `ocicomply clean` retries it. */
export const LEFT_BEHIND_STATUS = 3;
import { describeFault, fullDiskFault, harnessFaultOf, HarnessFaultError, type HarnessFault } from '../util/harness-fault.js';

export interface SuiteOptions {
  /** The runtime as given (a name on PATH or a path), and its global options (--runtime-arg). */
  readonly runtime: string;
  readonly runtimeArgs: readonly string[];
  /** A release the catalogue knows, already checked; undefined: what the runtime says it supports. */
  readonly specVersion: string | undefined;
  /** The selected cases, and the case files that could not be loaded (reported as failures). */
  readonly cases: readonly Case[];
  readonly loadErrors: readonly LoadError[];
  readonly jobs: number;
  readonly reporter: 'tap' | 'human';
  /** Where the reporter writes: standard error when a report file goes to standard output. */
  readonly reporterOut: NodeJS.WriteStream;
  readonly json: ReportOutput | undefined;
  readonly junit: ReportOutput | undefined;
  readonly timing: Timing;
  readonly workDir: string;
  readonly verbose: boolean;
  /** Start no new case once a MUST has failed; the cases not started are reported as skipped ("not run"). */
  readonly failFast: boolean;
  /** A loaded expectations file: results are marked expected or unexpected, and only new MUST failures fail the run. */
  readonly expectations: ExpectationsFile | undefined;
  /** The requirement catalogue, for the spec section of each failure. */
  readonly catalogue: Catalogue;
  /** Put each check step's observation into the results document. */
  readonly observations: boolean;
  /** The --only and --skip terms as given, for the run record. */
  readonly selectedBy?: { readonly only: readonly string[]; readonly skip: readonly string[] };
  /** check-config: where the spec version came from (given, or the config's ociVersion), the record for the document, and its own status for a config the runtime refused. */
  readonly checkConfig?: {
    readonly specVersionFrom: SpecVersionSource;
    readonly record: CheckConfigRecord;
    /** The exit status when no MUST failed and nothing else decides it, or undefined for 0. */
    readonly status: (cases: readonly CaseResult[]) => number | undefined;
  };
  /** The case files the cases were loaded from, for the run record. */
  readonly caseSet?: CaseSetRecord;
  /** With --certify: called with the run's reports once it has ended (not when interrupted). */
  readonly certify?: (reports: CertifyReports) => Promise<void>;
  /** The base the cases' configs merge over (default: minimal, the harness's own base). */
  readonly profile?: Profile;
}

/** What a certification bundle is made from: the results document, the JUnit XML and the TAP log of one run. */
export interface CertifyReports {
  readonly doc: RunDocument;
  readonly junit: string;
  readonly tap: string;
}


export async function runSuite(opts: SuiteOptions): Promise<number> {
  requireRoot();
  const startedAt = new Date();
  const commit = installCommit();
  const runtime = await runtimeCommand(opts.runtime, opts.runtimeArgs);
  const runtimePath = runtime.path;
  const { expectations } = opts;
  const [probeBinary, host, system] = await Promise.all([ensureProbe(), hostFacts(), systemFacts()]);

  const stale = await cleanStaleRuns(opts.workDir, runtime);
  if (stale.runs > 0) process.stderr.write(`ocicomply: cleaned ${stale.runs} run(s) left by a killed ocicomply (${stale.containers} container(s))\n`);
  for (const p of stale.problems) process.stderr.write(`ocicomply: ${p}\n`);

  const { cases, loadErrors } = opts;
  const totals = { count: 0, durationMs: 0 };
  const onCall = (c: CallRecord): void => {
    totals.count++;
    totals.durationMs += c.durationMs;
  };
  const workspace = await Workspace.open(opts.workDir, opts.jobs);
  const interrupts = watchInterrupts(workspace.dir);
  // Whatever teardown could not remove: it is reported everywhere, fails the
  // run with status 3 and keeps the run directory for `ocicomply clean`.
  const leftovers: LeftBehind[] = [];
  let sweep = false;
  let swept = false;
  const sweepJournal = async (): Promise<void> => {
    swept = true;
    const { entries } = await readJournal(workspace.journalFile, workspace.runTag, (await cgroupMounts()).map((m) => m.mountPoint));
    for (const entry of entries) {
      for (const what of await teardown(driver, entry, opts.timing)) {
        process.stderr.write(`ocicomply: ${what}\n`);
        leftovers.push({ case: null, what });
      }
    }
  };
  const driver = new RuntimeDriver({ runtime, root: workspace.root, scratchDir: workspace.scratch, timeoutMs: opts.timing.callTimeoutMs, onCall });
  try {
    const facts = await probeRuntime(driver);
    const specVersion = opts.specVersion ?? releaseOf(facts.newestSpec ?? '') ?? DEFAULT_SPEC_VERSION;
    const out = opts.reporterOut;
    // Before any case: a runtime that cannot run one probe container stops the run with one message.
    const smoke = await smokeTest({ driver, workspace, probeBinary, configOciVersion: facts.configOciVersion, specVersion, timing: opts.timing });
    if (smoke.fatal) {
      // A runtime that could not write its state in a full work directory has shown nothing about itself.
      const full = await fullDiskFault(workspace.dir);
      throw new SetupError(full ? `harness fault: ${faultMessage(full)}` : smokeFailureMessage(runtime, smoke.fatal));
    }
    for (const s of smoke.steps) if (s.problem) process.stderr.write(`ocicomply: the probe container's \`${s.op}\` ${s.problem}; the cases judge this\n`);
    for (const p of smoke.cleanupProblems) {
      process.stderr.write(`ocicomply: ${p}\n`);
      leftovers.push({ case: null, what: `probe container before the cases: ${p}` });
    }
    const shown: Reporter = opts.reporter === 'tap'
      ? (await import('../report/tap.js')).createTapReporter(out)
      : createHumanReporter(out, {
        color: Boolean(out.isTTY) && !process.env['NO_COLOR'], verbose: opts.verbose, live: Boolean(out.isTTY), jobs: opts.jobs,
        specSection: (id) => {
          const r = opts.catalogue.get(id);
          return r && `${r.doc}#${r.section}`;
        },
        jsonFile: opts.json?.isStdout ? undefined : opts.json?.name, expectationsFile: expectations?.file,
      });
    // A certification bundle keeps the TAP log whatever the terminal shows.
    const tapLog = opts.certify ? memoryTapReporter() : undefined;
    const reporter = tapLog ? teeReporter(shown, tapLog.reporter) : shown;
    const identity = { path: runtimePath, args: runtime.args, version: facts.version, versionOutput: facts.versionOutput, features: facts.features };
    const entries = expectations && applicableEntries(expectations, { specVersion, runtimeVersion: facts.version, cgroup: host.cgroup });
    if (expectations && entries?.length === 0 && expectations.entries.length > 0) {
      // Otherwise every failure would read as new with no hint why.
      process.stderr.write(`ocicomply: no entry of ${expectations.file} holds for ${facts.version ?? 'a runtime of unknown version'} at spec ${specVersion} on a ${host.cgroup} host: every failure counts as new\n`);
    }
    const mark = (r: CaseResult): CaseResult => (entries ? { ...r, results: r.results.map((x) => markResult(entries, x)) } : r);
    reporter.start({ total: cases.length, runtime: identity, specVersion, host });
    for (const e of loadErrors) reporter.loadError(e);

    const started = performance.now();
    // --fail-fast stops the pool taking cases; unlike an interrupt it lets running cases finish.
    const stopTaking = new AbortController();
    let failedFirst: string | undefined;
    // The harness's own I/O failed: no further case can be judged.
    let fault: HarnessFault | undefined;
    const begun = new Set<Case>();
    const ran: CaseResult[] = await runPool(cases, opts.jobs, AbortSignal.any([interrupts.signal, stopTaking.signal]), async (c) => {
      begun.add(c);
      reporter.caseStarted?.(c.id);
      let r: CaseResult;
      try {
        r = await runCase(c, { driver, workspace, probeBinary, timing: opts.timing, specVersion, configOciVersion: facts.configOciVersion, signal: interrupts.signal, features: facts.features, featuresCall: facts.featuresCall, host, checks: CHECKS, teardown: (t) => teardown(driver, t, opts.timing), profile: opts.profile ?? MINIMAL });
      } catch (e) {
        // The journal sweep below removes whatever the case left.
        sweep = true;
        const f = e instanceof HarnessFaultError ? e.fault : harnessFaultOf(e, ownDirs({ workspace, probeBinary }));
        if (f) {
          // Not the runtime's failure: the case is not judged, and no new case starts.
          fault ??= f;
          stopTaking.abort();
          r = notRunResult(c, `not judged: harness fault: ${describeFault(f)}`);
        } else {
          // A bug of the harness: the case fails, the run goes on.
          r = internalFailure(c, e);
        }
      }
      if (r.results.some((x) => x.status === 'fail')) {
        const full = await fullDiskFault(workspace.dir);
        if (full) {
          fault ??= full;
          stopTaking.abort();
          r = notRunResult(c, `not judged: harness fault: ${describeFault(full)}`);
        }
      }
      r = mark(r);
      reporter.caseDone(r);
      if (opts.failFast && failedFirst === undefined && r.results.some(failsRun)) {
        failedFirst = c.id;
        stopTaking.abort();
      }
      return r;
    });
    // The pool takes cases in order, so those never begun come after every one that ran.
    const whyNotRun = interrupts.by() ? undefined
      : fault ? `not judged: harness fault: ${describeFault(fault)}`
      : failedFirst !== undefined ? `not run: --fail-fast: a MUST failed in ${failedFirst}` : undefined;
    const notRun = whyNotRun ? cases.filter((c) => !begun.has(c)).map((c) => notRunResult(c, whyNotRun)) : [];
    for (const r of notRun) reporter.caseDone(r);
    if (notRun.length > 0 && !fault) process.stderr.write(`ocicomply: --fail-fast: a MUST failed in ${failedFirst}; ${notRun.length} case(s) not run, reported as skipped\n`);
    const results = [...ran, ...notRun];
    for (const r of ran) for (const what of r.cleanupProblems) leftovers.push({ case: r.case, what });
    // The journal sweep runs before the reports, so that what it could not remove is in them.
    if (sweep) await sweepJournal();
    const flat = results.flatMap((r) => r.results);
    const timing = { wallMs: Math.round(performance.now() - started), runtimeCalls: totals.count, runtimeMs: Math.round(totals.durationMs), jobs: opts.jobs };
    const run = runRecord(startedAt, new Date(), await commit, {
      runtime: opts.runtime, runtimeArgs: opts.runtimeArgs, specVersion,
      specVersionFrom: opts.checkConfig?.specVersionFrom ?? specVersionSource(opts.specVersion, facts),
      only: opts.selectedBy?.only ?? [], skip: opts.selectedBy?.skip ?? [], jobs: opts.jobs,
      timeouts: { callMs: opts.timing.callTimeoutMs, waitMs: opts.timing.waitTimeoutMs, settleMs: opts.timing.settleMs }, vm: null,
      ...(opts.checkConfig ? { command: 'check-config' as const } : {}),
    }, { cases: opts.caseSet, profile: profileRecord(opts.profile ?? MINIMAL, facts.configOciVersion, specVersion), system });
    const doc: RunDocument = {
      ocicomply: VERSION, run, runtime: identity, specVersion, host, results: flat, summary: summarize(flat), loadErrors, leftovers, timing,
      ...(expectations ? { expectations: { file: expectations.file, runtime: expectations.runtime } } : {}),
      ...(opts.checkConfig ? { checkConfig: opts.checkConfig.record } : {}),
      ...(opts.observations ? { observations: results.map((r) => ({ case: r.case, steps: r.observations ?? [] })) } : {}),
    };
    await reporter.end(doc);
    if (opts.json) await opts.json.write(renderJsonDocument(doc));
    if (opts.junit) await opts.junit.write(renderJUnit(doc, results));
    const interruptedBy = interrupts.by();
    if (interruptedBy) return interruptStatus(interruptedBy);
    // An interrupted run certifies nothing: its bundle is never written.
    if (opts.certify && tapLog) await opts.certify({ doc, junit: renderJUnit(doc, results), tap: tapLog.text() });
    if (fault) {
      const unjudged = results.filter((r) => r.results.some((x) => x.message?.startsWith('not judged: harness fault'))).length;
      process.stderr.write(`ocicomply: harness fault: ${faultMessage(fault)}; the run stopped, ${unjudged} case(s) not judged (reported as skipped, none counts against the runtime)\n`);
      return 2;
    }
    if (leftovers.length > 0) return LEFT_BEHIND_STATUS;
    if (loadErrors.length > 0) return 2;
    if (flat.some(failsRun)) return 1;
    return opts.checkConfig?.status(results) ?? 0;
  } catch (e) {
    // Before the cases (the smoke test, the report files): the same fault is a set-up error.
    const f = e instanceof HarnessFaultError ? e.fault : harnessFaultOf(e, ownDirs({ workspace, probeBinary }));
    if (f) throw new SetupError(`harness fault: ${faultMessage(f)}`);
    throw e;
  } finally {
    if (sweep && !swept) await sweepJournal();
    if (leftovers.length > 0) {
      // Its journal and the runtime's root are what `clean` needs; once this process is gone the directory is stale.
      process.stderr.write(`ocicomply: ${leftovers.length} thing(s) could not be removed; kept ${workspace.dir} for \`ocicomply clean\` (or the next run)\n`);
    } else {
      await workspace.remove();
    }
    interrupts.stop();
  }
}

/** A case that was not judged (--fail-fast, a harness fault): each of its requirements is a skip saying why. */
function notRunResult(c: Case, why: string): CaseResult {
  return {
    case: c.id, file: c.file, summary: c.summary, calls: [], durationMs: 0, cleanupProblems: [],
    results: c.requirements.map((r) => ({ case: c.id, requirement: r.id, level: r.level, status: 'skip', message: why })),
  };
}

/** One line: what failed, on which path, and what to do. */
function faultMessage(f: HarnessFault): string {
  return `${describeFault(f)}; this is the harness's own file, not the runtime's doing: free space there, or give --work-dir a writable directory with free space`;
}

function internalFailure(c: Case, e: unknown): CaseResult {
  const message = `internal error: ${(e as Error)?.stack ?? String(e)}`;
  return {
    case: c.id, file: c.file, summary: c.summary, calls: [], durationMs: 0, cleanupProblems: [],
    results: c.requirements.map((r) => ({ case: c.id, requirement: r.id, level: r.level, status: 'fail', message })),
  };
}
