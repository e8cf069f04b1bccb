/**
 * What the engine needs of a check: an observer that performs the I/O, and a
 * pure judge of what it saw. The checks themselves (src/checks/) implement
 * this; the registry is handed to the loader and the engine, never imported
 * by them.
 */
import type { CallRecord, HostFacts } from '../results.js';
export type { StepObservation } from '../results.js';
import type { CaseContext, Container } from './context.js';

/** One verdict of a judge, recorded under every requirement of its step. */
export interface Verdict {
  readonly ok: boolean;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** For a failure: the runtime call it rests on (else the engine names the most relevant call of the case). */
  readonly call?: CallRecord;
  /**
   * For a failure: hook types found never to have run, when that alone is why it
   * failed (the first such failure is the root cause of later ones: followsFrom).
   */
  readonly missingHookTypes?: readonly string[];
}

/** The step's requirements cannot be judged here, and why (a skip, never a pass). */
export interface Unjudged {
  readonly skip: string;
  /** The check has nothing to judge in this config at all (not: it could not see what it needed). */
  readonly inapplicable?: true;
}

export type Finding = Verdict | Unjudged;

/** What a judge may know besides its parameters and its observation. */
export interface JudgeContext {
  /** The spec version the run targets. */
  readonly specVersion: string;
  readonly host: HostFacts;
}

/**
 * A named check. `observe` runs in the engine, with the case's context, and
 * returns plain JSON data (recorded in the results document as the step's
 * observation); `judge` is a pure function of that data, so recorded
 * observations can be judged again in unit tests with no runtime.
 */
export interface CheckDefinition<P = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  /** JSON schema of the step's parameters (besides check, container, requirement); the loader validates with it. */
  readonly params: Readonly<Record<string, unknown>>;
  observe(ctx: CaseContext, params: P, c: Container): Promise<O>;
  judge(params: P, seen: O, at: JudgeContext): readonly Finding[];
}

export type CheckRegistry = ReadonlyMap<string, CheckDefinition>;


export function isUnjudged(f: Finding): f is Unjudged {
  return 'skip' in f;
}

/** What a judge's findings come to for its step: any failure fails it; else any pass passes it; else a skip. */
export function findingsOutcome(findings: readonly Finding[]): 'pass' | 'fail' | 'skip' | 'none' {
  const verdicts = findings.filter((f): f is Verdict => !isUnjudged(f));
  if (verdicts.some((v) => !v.ok)) return 'fail';
  if (verdicts.length > 0) return 'pass';
  return findings.length > 0 ? 'skip' : 'none';
}
