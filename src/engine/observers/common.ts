/** Observations many checks share. */
import type { CaseContext, Container } from '../context.js';

/** What was seen of the container's create, for a judge deciding whether create refused a setting. */
export interface CreateOutcome {
  readonly createdOk: boolean;
  /** The last create call of this container ("exit N: last line of stderr"), when one was made. */
  readonly create?: string;
}

/** The container's create outcome, from the case's call records. */
export function createOutcome(ctx: Pick<CaseContext, 'calls'>, c: Container): CreateOutcome {
  const create = [...ctx.calls].reverse().find((x) => x.argv.includes('create') && x.argv.includes(c.id));
  const why = create ? `exit ${String(create.exitCode)}${create.stderr.trim() ? `: ${create.stderr.trim().split('\n').pop()}` : ''}` : undefined;
  return { createdOk: c.createdOk, ...(why !== undefined ? { create: why } : {}) };
}
