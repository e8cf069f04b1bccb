/** A case as the engine runs it: loaded from YAML, validated, resolved against the catalogue. */
import type { Requirement } from '../catalogue.js';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'stopped';

export const RUNTIME_OPS = ['create', 'start', 'state', 'kill', 'delete', 'run'] as const;
export type RuntimeOp = (typeof RUNTIME_OPS)[number];

/** What the probe does once started: wait until a signal ends it, or exit at once with a code. */
export type Program = { readonly wait: true } | { readonly exit: number };

export interface ContainerSpec {
  readonly alias: string;
  /** Patch merged over the base config (objects merge, arrays replace, null deletes). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly program: Program;
  /** Use the ID of another container of the case (to create a duplicate). */
  readonly idOf?: string;
}

interface StepBase {
  /** Position in the case's steps, from 1, for messages. */
  readonly index: number;
  readonly container: string;
  /** The requirements this step's outcome is judged under. */
  readonly requirements: readonly string[];
}

export interface OpStep extends StepBase {
  readonly kind: 'op';
  readonly op: RuntimeOp;
  /** `any`: the outcome is not judged here (a check looks at it). */
  readonly expect: 'success' | 'error' | 'any';
  /**
   * Requirements under which the runtime's exit status is judged: 0 when it
   * succeeds; for an expected error, non-zero unless the operation visibly
   * took effect (then exit 0 told the truth, and `requirement` fails instead).
   */
  readonly exitStatus: readonly string[];
  /** For an expected error: requirements under which "the operation had no effect" is judged. */
  readonly noEffect: readonly string[];
  readonly signal?: string;
  /** create/run with a bundle path that does not exist. */
  readonly missingBundle: boolean;
}

export interface EditConfigStep extends StepBase {
  readonly kind: 'edit-config';
  readonly patch: Readonly<Record<string, unknown>>;
}

export interface CheckStep extends StepBase {
  readonly kind: 'check';
  readonly check: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export type Step = OpStep | EditConfigStep | CheckStep;

export interface Case {
  /** Path under cases/ without the extension, e.g. "lifecycle/create-start". */
  readonly id: string;
  readonly file: string;
  readonly summary: string;
  /** The requirements the case checks, resolved from the catalogue. */
  readonly requirements: readonly Requirement[];
  readonly containers: ReadonlyMap<string, ContainerSpec>;
  readonly steps: readonly Step[];
}
