/** Checks on what the probe's actions saw inside the container (raw syscalls, opens, mknods, stats). */
import type { ActionResult } from '../engine/actions.js';
import type { ActionSeen } from '../engine/observers/actions.js';
import { awaitAction, observeKilled } from '../engine/observers/actions.js';
import { errnoName, errnoNumber } from '../util/errno.js';
import type { Finding } from './check.js';
import { defineCheck, fail, verdict } from './check.js';

export type { ActionSeen } from '../engine/observers/actions.js';
export { errnoName } from '../util/errno.js';

/** The action as the case wrote it (e.g. `syscall:getpriority:0:0`). */
export function actionOf(seen: ActionSeen): string {
  return seen.action ?? `action ${seen.index}`;
}

/** The action's result, or why there is none (no such action, unknown to the probe, never ran, died in it). */
export function returned(seen: ActionSeen): ActionResult | string {
  if (seen.action === null) return `the program has no action ${seen.index}`;
  const r = seen.result;
  if (r) return r.unknown ? `the probe does not know the action ${r.do}` : r;
  return seen.begun ? `${seen.action} began and never finished (the program died in it)` : `${seen.action} never ran`;
}

export const actionIndex = { type: 'integer', minimum: 0 } as const;

/** Judges the action's result with `judge`, or fails with why there is none. */
export function onResult(seen: ActionSeen, judge: (r: ActionResult, what: string) => Finding[]): Finding[] {
  const r = returned(seen);
  return typeof r === 'string' ? [fail(r)] : judge(r, actionOf(seen));
}

export const actionResult = defineCheck({
  name: 'action-result',
  description: 'An action of the program returned what is expected: `errno: NAME` (the call failed with exactly that errno), `errno: 0` (it succeeded), `fails: true` (it failed, whatever the errno) or `ret: N`.',
  params: {
    type: 'object', additionalProperties: false, required: ['action'],
    properties: { action: actionIndex, errno: { oneOf: [{ type: 'string', pattern: '^E[A-Z0-9]+$' }, { const: 0 }] }, ret: { type: 'integer' }, fails: { const: true } },
    oneOf: [{ required: ['errno'] }, { required: ['ret'] }, { required: ['fails'] }],
  } as const,
  observe: (ctx, params, c) => awaitAction(ctx, c, params.action),
  judge: (params, seen) => onResult(seen, (r, what) => {
    if (params.ret !== undefined) {
      const want = params.ret;
      return [verdict(r.ret === want, `${what} returned ${r.ret}${r.errno ? ` (${errnoName(r.errno)})` : ''}${r.ret === want ? '' : `, not ${want}`}`, { expected: want, actual: r.ret })];
    }
    if (params.fails === true) {
      return [verdict(r.ret === -1, r.ret === -1 ? `${what} failed with ${errnoName(r.errno)}` : `${what} succeeded (returned ${r.ret})`, { expected: 'failure', actual: r.ret === -1 ? errnoName(r.errno) : r.ret })];
    }
    const name = params.errno;
    const want = name === 0 ? 0 : errnoNumber(String(name));
    if (want === undefined) return [fail(`unknown errno ${String(name)}`)];
    const ok = want === 0 ? r.errno === 0 && r.ret !== -1 : r.ret === -1 && r.errno === want;
    return [verdict(ok, `${what} ${r.errno === 0 ? 'succeeded' : `failed with ${errnoName(r.errno)}`}${ok ? '' : `; expected ${want === 0 ? 'success' : errnoName(want)}`}`,
      { expected: want === 0 ? 'success' : errnoName(want), actual: r.errno === 0 ? 'success' : errnoName(r.errno) })];
  }),
});

export const actionKilled = defineCheck({
  name: 'action-killed',
  description: 'An action ended the program: it began, never returned, and the container stopped.',
  params: { type: 'object', additionalProperties: false, required: ['action'], properties: { action: actionIndex } } as const,
  observe: (ctx, params, c) => observeKilled(ctx, c, params.action),
  judge(_params, { stopped, action }) {
    const what = actionOf(action);
    if (!action.begun) return [fail(`${what} never ran`)];
    if (action.result) return [fail(`${what} returned ${action.result.ret} (${errnoName(action.result.errno)}) instead of ending the program`, { expected: 'killed', actual: action.result })];
    return [verdict(stopped, stopped ? `${what} ended the program` : `${what} never returned, but the container did not stop`)];
  },
});

export const deviceNode = defineCheck({
  name: 'device-node',
  description: 'A stat action saw the node as expected: type (c, b, p, l, d, f), major, minor, mode (permission bits), uid, gid, and for a link its target.',
  params: {
    type: 'object', additionalProperties: false, required: ['action'],
    properties: {
      action: actionIndex, type: { enum: ['c', 'b', 'p', 'l', 'd', 'f', 's'] }, major: { type: 'integer' }, minor: { type: 'integer' },
      mode: { type: 'integer' }, uid: { type: 'integer' }, gid: { type: 'integer' }, target: { type: 'string' },
    },
  } as const,
  observe: (ctx, params, c) => awaitAction(ctx, c, params.action),
  judge(params, seen) {
    const r = returned(seen);
    if (typeof r === 'string') return [fail(r)];
    const what = actionOf(seen);
    if (r.errno !== 0) return [fail(`${what} failed with ${errnoName(r.errno)}`)];
    const want = Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'action'));
    const got = r as unknown as Record<string, unknown>;
    const path = what.slice(what.indexOf(':') + 1);
    const show = (k: string, v: unknown): string => (k === 'mode' && typeof v === 'number' ? `0${v.toString(8)}` : JSON.stringify(v));
    const differs = Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k, v]) => `${k} is ${show(k, got[k])}, not ${show(k, v)}`);
    return [verdict(differs.length === 0, differs.length === 0 ? `${path} is as configured` : `${path}: ${differs.join(', ')}`,
      { expected: want, actual: Object.fromEntries(Object.keys(want).map((k) => [k, got[k]])) })];
  },
});
