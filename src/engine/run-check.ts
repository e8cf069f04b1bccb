/**
 * Runs one check step: the check's observer performs the I/O, the
 * observation is recorded as JSON, and the check's judge rules on that JSON
 * copy alone, so what a unit test replays from a results document is
 * exactly what was judged, and no judge can change what a later step sees.
 */
import type { CheckStep } from '../cases/types.js';
import type { CheckDefinition, Finding, JudgeContext } from './check.js';
import { isUnjudged } from './check.js';
import type { CaseContext } from './context.js';
import { CaseAborted } from './context.js';

export async function runCheck(ctx: CaseContext, step: CheckStep, def: CheckDefinition, at: JudgeContext): Promise<void> {
  const observed = await def.observe(ctx, step.params, ctx.container(step.container));
  const seen: unknown = observed === undefined ? null : JSON.parse(JSON.stringify(observed));
  ctx.observations.push({ step: step.index, check: step.check, container: step.container, params: step.params, seen });
  applyFindings(ctx, step, def.judge(step.params, seen, at));
}

/**
 * Records a judge's findings under the step's requirements. A step that names
 * no requirement is a precondition: when it fails, the rest of the case
 * cannot be judged.
 */
export function applyFindings(ctx: CaseContext, step: CheckStep, findings: readonly Finding[]): void {
  for (const f of findings) {
    if (isUnjudged(f)) {
      ctx.skipRequirements(step.requirements, f.skip);
      continue;
    }
    if (step.requirements.length === 0) {
      if (!f.ok) throw new CaseAborted(`step ${step.index} (${step.check}): ${f.message}`, f.call ?? ctx.relevantCall());
      continue;
    }
    ctx.assert(step.requirements, f.ok, f.message, { ...f, step: step.index });
  }
}
