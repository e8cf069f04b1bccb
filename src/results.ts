/**
 * The vocabulary every part of a run shares: requirement levels, verdicts,
 * runtime call records and the results document. Reporters only read these.
 */

export type Level = 'MUST' | 'SHOULD' | 'MAY';

export type Verdict = 'pass' | 'fail' | 'skip';

/** One invocation of the runtime under test, exactly as it was made. */
export interface CallRecord {
  readonly argv: readonly string[];
  /** null when the call was killed (deadline, abort) before it exited. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
}

/**
 * The runtime call a failure rests on: the call that was judged, or else the
 * last call before the verdict that failed or wrote to stderr. Its stderr is
 * kept whole (up to the driver's limit), so the results document can show
 * what a report only quotes the head of.
 */
export interface FailedCall {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stderr: string;
}

/**
 * How a result compares with an expectations file (`run --expectations`):
 * - `expected`: passed or skipped, and not listed as failing
 * - `expected-fail`: failed, and listed as `fail`
 * - `racy`: listed as `racy` (may pass or fail)
 * - `unexpected-fail`: failed, and not listed (a new failure)
 * - `unexpected-pass`: listed as `fail`, but passed
 */
export type Expectation = 'expected' | 'expected-fail' | 'racy' | 'unexpected-fail' | 'unexpected-pass';

/** The verdict on one requirement within one case. */
export interface RequirementResult {
  readonly case: string;
  readonly requirement: string;
  readonly level: Level;
  readonly status: Verdict;
  readonly message: string;
  /** What the check wanted and what it saw, for failures (and skips where useful). */
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** For failures: the runtime call the failure rests on, when the case made one. */
  readonly call?: FailedCall;
  /**
   * For failures: the requirement of the same case whose failure this one
   * follows from (a hook type that never ran fails every later check on its
   * hooks). Still a failure, counted as one; it says where to look first.
   */
  readonly followsFrom?: string;
  /** Only with an expectations file: how the result compares with it. */
  readonly expectation?: Expectation;
  /** Only with an expectations file: the reason of the entry that lists this result. */
  readonly deviation?: string;
}

/** All verdicts of one case, with the runtime calls it made. */
export interface CaseResult {
  readonly case: string;
  readonly file: string;
  readonly summary: string;
  readonly results: readonly RequirementResult[];
  readonly calls: readonly CallRecord[];
  readonly durationMs: number;
  /** Problems met while cleaning up after the case (never a verdict, but never hidden). */
  readonly cleanupProblems: readonly string[];
  /** What each check step observed, in step order: the data its verdicts were judged from. */
  readonly observations?: readonly StepObservation[];
}

/** What one check step saw: plain JSON, judged again unchanged by the check's unit fixtures. */
export interface StepObservation {
  readonly step: number;
  readonly check: string;
  readonly container: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seen: unknown;
}

/**
 * Something a run created and could not remove (a container the runtime
 * still knows, a process, a cgroup directory). The run keeps its directory
 * (journal and the runtime's root) so that `ocicomply clean` can retry.
 */
export interface LeftBehind {
  /** The case whose teardown met it; null for the probe container before the cases and the end-of-run sweep. */
  readonly case: string | null;
  readonly what: string;
}

/** A case file that could not be loaded; it fails that file only. */
export interface LoadError {
  readonly file: string;
  readonly message: string;
}

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** A block device of the host, named in the block I/O cases' rules. */
export interface BlockDevice {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
}

export interface HostFacts {
  readonly kernel: string;
  readonly cgroup: CgroupMode;
  /** The cgroup controllers the host offers: mounted v1 hierarchies' (v1, hybrid), or the root's cgroup.controllers (v2). */
  readonly controllers: readonly string[];
  /** The disk the block I/O cases name; null when the host has none. */
  readonly blockDevice: BlockDevice | null;
}

export interface RuntimeIdentity {
  readonly path: string;
  /** The global options given before every command (--runtime-arg), in order; empty without any. */
  readonly args: readonly string[];
  /** First line the runtime printed for --version, or null if it printed none. */
  readonly version: string | null;
  /** All the runtime printed for --version; absent in documents of older versions. */
  readonly versionOutput?: string;
  /** The runtime's `features` document, or null when it has none; absent in documents of older versions. */
  readonly features?: Record<string, unknown> | null;
}

/** How the run's spec version was chosen: --spec-version, the runtime's features, its --version output, or the default. */
export type SpecVersionSource = 'given' | 'features' | 'version-output' | 'default' | 'config';

/** The options of a run as given (defaults filled in), so that a reader knows what the results answer. */
export interface RunOptionsRecord {
  readonly runtime: string;
  readonly runtimeArgs: readonly string[];
  readonly specVersion: string;
  readonly specVersionFrom: SpecVersionSource;
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly jobs: number;
  readonly timeouts: { readonly callMs: number; readonly waitMs: number; readonly settleMs: number };
  /** The VM mode of `run --vm`, or null for a run on the host. */
  readonly vm: 'cgroup2' | 'cgroup1' | null;
  /** The command: `check-config` (absent: `run`, as in documents of earlier versions). */
  readonly command?: 'check-config';
}

/** What `check-config` ran: the user's config, what the harness changed in it, and what it set that was not judged. */
export interface CheckConfigRecord {
  /** The config file as given, and the SHA-256 of its bytes. */
  readonly config: { readonly file: string; readonly sha256: string; readonly ociVersion: string };
  readonly changed: readonly { readonly property: string; readonly why: string }[];
  readonly notJudged: readonly { readonly property: string; readonly why: string }[];
}

/** What a run was: when, by which ocicomply on which Node.js, with which options (as a wpt report's run_info). */
export interface RunRecord {
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly endedAt: string;
  /** commit: `git rev-parse HEAD` of the installation when it is a git checkout, else null. */
  readonly ocicomply: { readonly version: string; readonly commit: string | null };
  /** process.version of the Node.js that ran the suite. */
  readonly node: string;
  readonly options: RunOptionsRecord;
}

export interface Summary {
  readonly pass: number;
  readonly fail: number;
  readonly skip: number;
  /** SHOULD and MAY failures: counted in fail but not fatal. */
  readonly warn: number;
}

/** Where the run's time went: all of it, and the part spent inside the runtime's own calls. */
export interface RunTiming {
  readonly wallMs: number;
  readonly runtimeCalls: number;
  readonly runtimeMs: number;
  readonly jobs: number;
}

export interface RunDocument {
  readonly ocicomply: string;
  /** What the run was; absent in documents of older versions. */
  readonly run?: RunRecord;
  readonly runtime: RuntimeIdentity;
  readonly specVersion: string;
  readonly host: HostFacts;
  readonly results: readonly RequirementResult[];
  readonly summary: Summary;
  readonly loadErrors: readonly LoadError[];
  /** What the run could not remove; absent in documents of older versions. */
  readonly leftovers?: readonly LeftBehind[];
  readonly timing?: RunTiming;
  /** The expectations file the results were compared with, when one was given. */
  readonly expectations?: { readonly file: string; readonly runtime: string };
  /** check-config's record of the config it ran. */
  readonly checkConfig?: CheckConfigRecord;
  /** With --observations: what each check step of each case observed, the data its verdicts were judged from. */
  readonly observations?: readonly { readonly case: string; readonly steps: readonly StepObservation[] }[];
}

/**
 * How every report classes one verdict: a failed MUST is a failure (it fails
 * the run); a failed SHOULD (a warning) or MAY (information) is a `warn`.
 * The JSON summary, TAP, JUnit and the terminal all count from this.
 */
export type Outcome = 'pass' | 'fail' | 'warn' | 'skip';

export function outcomeOf(r: Pick<RequirementResult, 'status' | 'level'>): Outcome {
  if (r.status !== 'fail') return r.status;
  return r.level === 'MUST' ? 'fail' : 'warn';
}

/**
 * A result's message as every report shows it: with "follows from ID" when
 * the failure follows from an earlier one of the same case.
 */
export function shownMessage(r: Pick<RequirementResult, 'message' | 'followsFrom'>): string {
  return r.followsFrom ? `${r.message} (follows from ${r.followsFrom})` : r.message;
}

/** A failed MUST fails the run; a failed SHOULD is a warning; a failed MAY is information. */
export function isFatal(r: Pick<RequirementResult, 'status' | 'level'>): boolean {
  return outcomeOf(r) === 'fail';
}

/** The document's summary; its `fail` counts failures of every level (warnings included), as it always has. */
export function summarize(results: readonly RequirementResult[]): Summary {
  const n: Record<Outcome, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of results) n[outcomeOf(r)]++;
  return { pass: n.pass, fail: n.fail + n.warn, skip: n.skip, warn: n.warn };
}

/** Is the result a known deviation, by an expectations file: a listed failure, or a listed race? */
export function isKnownDeviation(r: Pick<RequirementResult, 'expectation'>): boolean {
  return r.expectation === 'expected-fail' || r.expectation === 'racy';
}

/**
 * Does the result fail the run? A failed MUST does, unless an expectations
 * file lists it (as failing or racy): a runtime's CI gates on new failures.
 */
export function failsRun(r: Pick<RequirementResult, 'status' | 'level' | 'expectation'>): boolean {
  return isFatal(r) && !isKnownDeviation(r);
}

/** A one-line description of how a call ended, for messages: with the first line of its stderr unless told otherwise. */
export function describeOutcome(call: CallRecord, opts: { readonly stderr?: boolean } = {}): string {
  if (call.timedOut) return `did not finish within its deadline (killed after ${Math.round(call.durationMs)} ms)`;
  if (call.exitCode === null) return `was killed by ${call.signal ?? 'a signal'}`;
  const err = opts.stderr === false ? undefined : call.stderr.trim().split('\n')[0];
  return `exited ${call.exitCode}${err ? `: ${err.slice(0, 200)}` : ''}`;
}
