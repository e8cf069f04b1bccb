/**
 * Everything one case knows while it runs: its containers, the runtime
 * driver, the assertions made so far. Steps and checks act through it.
 */
import type { ChildProcess } from 'node:child_process';
import type { Requirement } from '../catalogue.js';
import type { Case, ContainerSpec, Step } from '../cases/types.js';
import type { ProcessIdentity } from '../host/proc.js';
import type { CallRecord, StepObservation } from '../results.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import { inRange } from '../spec/version.js';
import type { StateDocument, StateParse } from './state-document.js';
import { parseState } from './state-document.js';

export interface Timing {
  /** Deadline for one runtime call. */
  readonly callTimeoutMs: number;
  /** Deadline for a state change or a file to appear (polled). */
  readonly waitTimeoutMs: number;
  /** Window in which something that must not happen is watched for. */
  readonly settleMs: number;
}

export interface ContainerPaths {
  readonly bundle: string;
  readonly shared: string;
  readonly report: string;
  readonly signals: string;
  readonly hookLog: string;
  readonly actions: string;
  /** What the seccomp agent logged (when the container has one). */
  readonly agentLog: string;
  /** The probe binary inside this bundle's rootfs (to recognise the exec'd program). */
  readonly probeInRootfs: string;
}

/** One container of a case, and what the harness has observed of it. */
export interface Container {
  readonly spec: ContainerSpec;
  readonly id: string;
  readonly paths: ContainerPaths;
  /** The config as written for create (later edits to the file are not reflected here). */
  config: Record<string, unknown>;
  createdOk: boolean;
  deleted: boolean;
  /** The container process, as first seen through state's pid while created or running. */
  process?: ProcessIdentity;
  /** Namespace inodes of the container process (mnt, pid, net, uts, ipc), seen when it was first observed. */
  namespaces?: Readonly<Record<string, number | undefined>>;
  /** Cgroup directories the harness made for the case (a seeded parent), removed at teardown. */
  harnessCgroups: string[];
  /** Host cgroup directories the container's process was in, other than the harness's own. */
  cgroupDirs: string[];
  /** Bundle contents fingerprint taken when create was called. */
  bundleFingerprint?: ReadonlyMap<string, string>;
  /** The seccomp agent process, while it runs. */
  agent?: ChildProcess;
  /**
   * With process.terminal true: the socket given to create as
   * --console-socket, the console receiver listening on it and its log, and
   * the marker the program writes on its stdout.
   */
  console?: { readonly socket: string; readonly log: string; readonly marker: string; readonly receiver: ChildProcess };
  /** The most recent state taken, and the op generation it was taken in. */
  latestState?: { readonly generation: number; readonly call: CallRecord; readonly parsed: StateParse };
}

export interface Assertion {
  readonly requirement: string;
  readonly ok: boolean;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** For a failed assertion: the runtime call it rests on, if any. */
  readonly call?: CallRecord;
  /**
   * For a failed assertion: hook types it found had never run, when that alone
   * is why it failed. The first failure to find a type missing is the root
   * cause of the later ones (see followsFrom in the results).
   */
  readonly missingHookTypes?: readonly string[];
  /** The step that made it (absent for the engine's own judgements of an operation). */
  readonly step?: number;
}

export class CaseAborted extends Error {
  override readonly name = 'CaseAborted';
  /** The runtime call that made the case stop, when one did. */
  constructor(message: string, readonly call?: CallRecord) {
    super(message);
  }
}

export class CaseContext {
  readonly assertions: Assertion[] = [];
  /** Requirements that cannot be judged here, with the reason. */
  readonly skipped = new Map<string, string>();
  readonly calls: CallRecord[] = [];
  /** What each check step observed, in order (recorded in the results). */
  readonly observations: StepObservation[] = [];
  /** Bumped by every operation, so checks know whether a state is current. */
  generation = 0;
  currentStep: Step | undefined;

  constructor(
    readonly testCase: Case,
    readonly containers: ReadonlyMap<string, Container>,
    readonly driver: RuntimeDriver,
    readonly timing: Timing,
    readonly specVersion: string,
    readonly signal: AbortSignal,
    /** Records every id before it is handed to create, so leftovers can be found. */
    readonly journal: (c: Container) => Promise<void>,
    /** The run's one `features` call, made before the cases (absent where none was made). */
    readonly featuresCall?: CallRecord,
  ) {}

  container(alias: string): Container {
    const c = this.containers.get(alias);
    if (!c) throw new Error(`case ${this.testCase.id}: no container "${alias}"`);
    return c;
  }

  requirement(id: string): Requirement | undefined {
    return this.testCase.requirements.find((r) => r.id === id);
  }

  applies(id: string): boolean {
    const r = this.requirement(id);
    return r !== undefined && inRange(this.specVersion, r.versions);
  }

  /**
   * Records an assertion under each of the given requirements that applies to
   * the target version. A failure keeps the call it judged (`details.call`),
   * or else the one a reader most likely needs: see `relevantCall`.
   */
  assert(requirements: readonly string[], ok: boolean, message: string, details: { expected?: unknown; actual?: unknown; call?: CallRecord; missingHookTypes?: readonly string[]; step?: number } = {}): void {
    const { call: judged, missingHookTypes, expected, actual, step } = details;
    const rest = { ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}), ...(step !== undefined ? { step } : {}) };
    const call = ok ? undefined : judged ?? this.relevantCall();
    const missing = !ok && missingHookTypes?.length ? { missingHookTypes } : {};
    for (const requirement of requirements) {
      if (!this.applies(requirement)) continue;
      this.assertions.push({ requirement, ok, message, ...rest, ...(call ? { call } : {}), ...missing });
    }
  }

  /** The last call so far that failed or wrote to stderr, else the last call. */
  relevantCall(): CallRecord | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i]!;
      if (c.exitCode !== 0 || c.timedOut || c.stderr.trim() !== '') return c;
    }
    return this.calls.at(-1);
  }

  skipRequirements(requirements: readonly string[], reason: string): void {
    for (const r of requirements) if (!this.skipped.has(r)) this.skipped.set(r, reason);
  }

  /** Runs a runtime call and keeps its record for the report. */
  async record(call: Promise<CallRecord>): Promise<CallRecord> {
    const r = await call;
    this.calls.push(r);
    return r;
  }

  callOptions(): { timeoutMs: number; signal: AbortSignal } {
    return { timeoutMs: this.timing.callTimeoutMs, signal: this.signal };
  }

  /** Queries state now. */
  async queryState(c: Container): Promise<{ call: CallRecord; parsed: StateParse }> {
    const call = await this.record(this.driver.state(c.id, this.callOptions()));
    const parsed: StateParse = call.exitCode === 0 ? parseState(call.stdout) : { kind: 'not-json', error: 'state exited with an error' };
    c.latestState = { generation: this.generation, call, parsed };
    return { call, parsed };
  }

  /** The state taken since the last operation, or a fresh one. */
  async currentState(c: Container): Promise<{ call: CallRecord; parsed: StateParse }> {
    const s = c.latestState;
    if (s && s.generation === this.generation && s.call.exitCode === 0) return s;
    return this.queryState(c);
  }
}

/** The document's fields, whether or not it passed the schema. */
export function stateFields(parsed: StateParse): Partial<StateDocument> | undefined {
  return parsed.kind === 'not-json' ? undefined : parsed.doc;
}
