/** Observations of the probe's actions (bundles/probe.c, `run --do`): what each began and returned. */
import { readAction, type ActionResult } from '../actions.js';
import { pollUntil } from '../../util/poll.js';
import type { CaseContext, Container } from '../context.js';
import { stateFields } from '../context.js';

/** One action of the program as the probe's log showed it. */
export interface ActionSeen {
  /** The action as the case wrote it (e.g. `syscall:getpriority:0:0`); null: the program has no action of that index. */
  readonly action: string | null;
  readonly index: number;
  readonly begun: boolean;
  /** What it returned (null: it has not returned). */
  readonly result: ActionResult | null;
}

function actionText(c: Container, index: number): string | null {
  return c.spec.program.do?.[index] ?? null;
}

/** The action as its log stands now. */
export async function readActionSeen(c: Container, index: number): Promise<ActionSeen> {
  const a = await readAction(c.paths.actions, index);
  return { action: actionText(c, index), index, begun: a.begun, result: a.result ?? null };
}

/** The action, once it returned or the wait deadline passed. */
export async function awaitAction(ctx: CaseContext, c: Container, index: number): Promise<ActionSeen> {
  if (actionText(c, index) === null) return { action: null, index, begun: false, result: null };
  await pollUntil(async () => ((await readAction(c.paths.actions, index)).result ? true : undefined), { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  return readActionSeen(c, index);
}

/** The action once it returned, or once it began and the container stopped (the program died in it), or the deadline passed. */
export async function awaitSettled(ctx: CaseContext, c: Container, index: number): Promise<ActionSeen> {
  await pollUntil(async () => {
    const a = await readAction(c.paths.actions, index);
    if (a.result) return true;
    if (!a.begun) return undefined;
    const { parsed } = await ctx.queryState(c);
    return stateFields(parsed)?.status === 'stopped' ? true : undefined;
  }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  return readActionSeen(c, index);
}

/** Several actions, each waited for in turn (as a check reads them one after another). */
export async function awaitActions(ctx: CaseContext, c: Container, indexes: readonly number[]): Promise<ActionSeen[]> {
  const seen: ActionSeen[] = [];
  for (const i of indexes) {
    const a = await awaitAction(ctx, c, i);
    seen.push(a);
    // the judge fails on the first action that did not return: no need to wait for the next
    if (!a.result) break;
  }
  return seen;
}

/** Whether the container reached stopped before the wait deadline (polled), and the action as it stood then. */
export async function observeKilled(ctx: CaseContext, c: Container, index: number): Promise<{ readonly stopped: boolean; readonly action: ActionSeen }> {
  const stopped = await pollUntil(async () => {
    const { parsed } = await ctx.queryState(c);
    return stateFields(parsed)?.status === 'stopped' ? true : undefined;
  }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  return { stopped: stopped === true, action: await readActionSeen(c, index) };
}
