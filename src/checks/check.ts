/** A named check: the logic a case refers to by name, with the parameters it accepts. */
import type { CheckStep } from '../cases/types.js';
import type { CaseContext, Container } from '../engine/context.js';
import { CaseAborted } from '../engine/context.js';

export interface CheckDefinition {
  readonly name: string;
  readonly description: string;
  /** JSON schema of the step's parameters (besides check, container, requirement). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Observes and records assertions under step.requirements through ctx.assert. */
  run(ctx: CaseContext, step: CheckStep, c: Container): Promise<void>;
}

export const NO_PARAMS = { type: 'object', additionalProperties: false, properties: {} } as const;

/**
 * Asserts under the step's requirements. A check that names no requirement is
 * a precondition: when it fails, the rest of the case cannot be judged.
 */
export function judge(ctx: CaseContext, step: CheckStep, ok: boolean, message: string, details: { expected?: unknown; actual?: unknown; missingHookTypes?: readonly string[] } = {}): void {
  if (step.requirements.length === 0) {
    if (!ok) throw new CaseAborted(`step ${step.index} (${step.check}): ${message}`, ctx.relevantCall());
    return;
  }
  ctx.assert(step.requirements, ok, message, details);
}

/**
 * Why create failed, when it did: runtime.md lets a runtime refuse a property
 * it cannot apply, so a check of that property gives no verdict then.
 */
export function createRefusal(ctx: CaseContext, c: Container): string | undefined {
  if (c.createdOk) return undefined;
  const create = [...ctx.calls].reverse().find((x) => x.argv.includes('create') && x.argv.includes(c.id));
  const why = create ? `exit ${String(create.exitCode)}${create.stderr.trim() ? `: ${create.stderr.trim().split('\n').pop()}` : ''}` : 'never called';
  return `not judged: create refused the setting (${why}); runtime.md lets a runtime refuse a property it cannot apply`;
}
