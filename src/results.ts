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
  /** Security labels and execution domains the host offers (src/host/security.ts); absent in documents of older versions. */
  readonly security?: SecurityFacts;
}

export interface SecurityFacts {
  /** A loaded AppArmor profile the probe can run under (null: AppArmor is not enabled, or no such profile is loaded). */
  readonly apparmorProfile: string | null;
  /** An SELinux label the loaded policy knows, other than the harness's own (null: SELinux is not enabled, or it knows none). */
  readonly selinuxLabel: string | null;
  /** The uname machine the LINUX32 personality shows (null: not known to run 32-bit programs). */
  readonly linux32Machine: string | null;
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
  /** The case files the run loaded its cases from; absent in documents of older versions. */
  readonly cases?: CaseSetRecord;
  /** The profile: the base config every case's config is merged over; absent in documents of older versions. */
  readonly profile?: ProfileRecord;
  /** The system the suite ran on, beyond `host`; absent in documents of older versions. */
  readonly system?: SystemFacts;
}

/**
 * The case set: every case file of the case directories (loaded or not),
 * each with the SHA-256 of its content, in load order, and `digest`, the
 * SHA-256 of the lines `SHA256  PATH\n` of that list (the form sha256sum
 * prints), so one value names the whole set and can be recomputed from it.
 */
export interface CaseSetRecord {
  readonly digest: string;
  /** PATH: relative to its case directory (the case id and its extension). */
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
}

/** The profile of the run: until profiles exist, "default", with the base config as written for every container. */
export interface ProfileRecord {
  readonly name: string;
  /** Values that differ per container (its shared directory, cgroups path, token) are shown as <placeholders>. */
  readonly baseConfig: Readonly<Record<string, unknown>>;
}

/** A fact that could not be read: why, instead of a value. */
export interface Unreadable {
  readonly unreadable: string;
}

/** Facts of the system a run ran on (inside the VM with --vm), read from files, never by running a program. */
export interface SystemFacts {
  /** uname's release and version (os.release(), os.version()). */
  readonly kernel: { readonly release: string; readonly version: string };
  /** os.machine(): x86_64, aarch64, ... */
  readonly architecture: string;
  /** From /etc/os-release (or /usr/lib/os-release): ID, VERSION_ID, PRETTY_NAME. */
  readonly distribution: { readonly id: string | null; readonly versionId: string | null; readonly prettyName: string | null; readonly from: string } | Unreadable;
  /** The security modules the kernel enabled, in order, from /sys/kernel/security/lsm. */
  readonly securityModules: readonly string[] | Unreadable;
  /** Who ran the suite: rootless when not uid 0, or uid 0 only inside a user namespace. */
  readonly user: { readonly uid: number; readonly userNamespace: boolean; readonly rootless: boolean };
  /** libseccomp as the host's package database lists it (the runtime's own, where it says, is in its features document). */
  readonly libseccomp: readonly { readonly version: string; readonly from: string }[] | Unreadable;
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
  /** With --vm: the VM the suite ran in. */
  readonly vm?: VmRecord;
}

/** What `run --vm` adds to the results document: the VM's mode and kernel, its boot time and the whole VM run's. */
export interface VmRecord {
  readonly mode: 'cgroup2' | 'cgroup1';
  readonly kernel: string;
  readonly bootMs: number | null;
  readonly wallMs: number;
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
