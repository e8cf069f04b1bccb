/** Checks on what the probe's actions saw inside the container (raw syscalls, opens, mknods, stats). */
import { constants } from 'node:os';
import type { CheckStep } from '../cases/types.js';
import type { CaseContext, Container } from '../engine/context.js';
import { stateFields } from '../engine/context.js';
import { readAction, type ActionResult } from '../engine/actions.js';
import { pollUntil } from '../util/poll.js';
import { judge, legacyCheck } from './check.js';

const ERRNO = constants.errno as Readonly<Record<string, number>>;

export function errnoName(n: number): string {
  return n === 0 ? 'no error' : Object.entries(ERRNO).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
}

/** The action as the case wrote it (e.g. `syscall:getpriority:0:0`). */
export function actionOf(c: Container, index: number): string {
  return c.spec.program.do?.[index] ?? `action ${index}`;
}

/** The action's result, waited for up to the deadline; a message when there is none. */
export async function resultOf(ctx: CaseContext, c: Container, index: number): Promise<ActionResult | string> {
  if (c.spec.program.do?.[index] === undefined) return `the program has no action ${index}`;
  const r = await pollUntil(async () => (await readAction(c.paths.actions, index)).result, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  if (r) return r.unknown ? `the probe does not know the action ${r.do}` : r;
  const state = await readAction(c.paths.actions, index);
  return state.begun ? `${actionOf(c, index)} began and never finished (the program died in it)` : `${actionOf(c, index)} never ran`;
}

const actionIndex = { type: 'integer', minimum: 0 } as const;

export const actionResult = legacyCheck({
  name: 'action-result',
  description: 'An action of the program returned what is expected: `errno: NAME` (the call failed with exactly that errno), `errno: 0` (it succeeded), `fails: true` (it failed, whatever the errno) or `ret: N`.',
  params: {
    type: 'object', additionalProperties: false, required: ['action'],
    properties: { action: actionIndex, errno: { oneOf: [{ type: 'string', pattern: '^E[A-Z0-9]+$' }, { const: 0 }] }, ret: { type: 'integer' }, fails: { const: true } },
    oneOf: [{ required: ['errno'] }, { required: ['ret'] }, { required: ['fails'] }],
  },
  async run(ctx, step, c) {
    const r = await resultOf(ctx, c, step.params['action'] as number);
    if (typeof r === 'string') return judge(ctx, step, false, r);
    const what = actionOf(c, step.params['action'] as number);
    if ('ret' in step.params) {
      const want = step.params['ret'] as number;
      return judge(ctx, step, r.ret === want, `${what} returned ${r.ret}${r.errno ? ` (${errnoName(r.errno)})` : ''}${r.ret === want ? '' : `, not ${want}`}`, { expected: want, actual: r.ret });
    }
    if (step.params['fails'] === true) {
      return judge(ctx, step, r.ret === -1, r.ret === -1 ? `${what} failed with ${errnoName(r.errno)}` : `${what} succeeded (returned ${r.ret})`, { expected: 'failure', actual: r.ret === -1 ? errnoName(r.errno) : r.ret });
    }
    const name = step.params['errno'];
    const want = name === 0 ? 0 : ERRNO[String(name)];
    if (want === undefined) return judge(ctx, step, false, `unknown errno ${String(name)}`);
    const ok = want === 0 ? r.errno === 0 && r.ret !== -1 : r.ret === -1 && r.errno === want;
    judge(ctx, step, ok, `${what} ${r.errno === 0 ? 'succeeded' : `failed with ${errnoName(r.errno)}`}${ok ? '' : `; expected ${want === 0 ? 'success' : errnoName(want)}`}`,
      { expected: want === 0 ? 'success' : errnoName(want), actual: r.errno === 0 ? 'success' : errnoName(r.errno) });
  },
});

export const actionKilled = legacyCheck({
  name: 'action-killed',
  description: 'An action ended the program: it began, never returned, and the container stopped.',
  params: { type: 'object', additionalProperties: false, required: ['action'], properties: { action: actionIndex } },
  async run(ctx, step, c) {
    const index = step.params['action'] as number;
    const stopped = await pollUntil(async () => {
      const { parsed } = await ctx.queryState(c);
      return stateFields(parsed)?.status === 'stopped' ? true : undefined;
    }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
    const a = await readAction(c.paths.actions, index);
    const what = actionOf(c, step.params['action'] as number);
    if (!a.begun) return judge(ctx, step, false, `${what} never ran`);
    if (a.result) return judge(ctx, step, false, `${what} returned ${a.result.ret} (${errnoName(a.result.errno)}) instead of ending the program`, { expected: 'killed', actual: a.result });
    judge(ctx, step, stopped === true, stopped ? `${what} ended the program` : `${what} never returned, but the container did not stop`);
  },
});

export const deviceNode = legacyCheck({
  name: 'device-node',
  description: 'A stat action saw the node as expected: type (c, b, p, l, d, f), major, minor, mode (permission bits), uid, gid, and for a link its target.',
  params: {
    type: 'object', additionalProperties: false, required: ['action'],
    properties: {
      action: actionIndex, type: { enum: ['c', 'b', 'p', 'l', 'd', 'f', 's'] }, major: { type: 'integer' }, minor: { type: 'integer' },
      mode: { type: 'integer' }, uid: { type: 'integer' }, gid: { type: 'integer' }, target: { type: 'string' },
    },
  },
  async run(ctx, step, c) {
    const r = await resultOf(ctx, c, step.params['action'] as number);
    if (typeof r === 'string') return judge(ctx, step, false, r);
    const what = actionOf(c, step.params['action'] as number);
    if (r.errno !== 0) return judge(ctx, step, false, `${what} failed with ${errnoName(r.errno)}`);
    const want = Object.fromEntries(Object.entries(step.params).filter(([k]) => k !== 'action'));
    const got = r as unknown as Record<string, unknown>;
    const path = what.slice(what.indexOf(':') + 1);
    const show = (k: string, v: unknown): string => (k === 'mode' && typeof v === 'number' ? `0${v.toString(8)}` : JSON.stringify(v));
    const differs = Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k, v]) => `${k} is ${show(k, got[k])}, not ${show(k, v)}`);
    judge(ctx, step, differs.length === 0, differs.length === 0 ? `${path} is as configured` : `${path}: ${differs.join(', ')}`,
      { expected: want, actual: Object.fromEntries(Object.keys(want).map((k) => [k, got[k]])) });
  },
});
