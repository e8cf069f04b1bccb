/**
 * Observations of hooks: the hooks a step names (from the case's
 * configuration), the lines of the hook log the probe writes (one per hook
 * run), and what the judges compare them with (the program's report, the
 * harness's namespaces, the hook processes on the host).
 */
import { readFile, realpath } from 'node:fs/promises';
import type { HookSpec, HookType } from '../../cases/types.js';
import { CONTAINER_NAMESPACE_HOOKS, HOOK_TYPES } from '../../cases/types.js';
import { hookArgs, IN_CONTAINER } from '../../bundle/config.js';
import { programStart, type ProgramStart } from '../hook-placement.js';
import { commandLine, fileId, identify, namespacesOf } from '../../host/proc.js';
import type { CaseContext, Container } from '../context.js';
import { readHookLog, type HookRecord } from '../hook-log.js';
import { readReport } from '../probe-report.js';

/** How a step names hooks: by type, by label, or both. */
export interface HookSelector {
  readonly types?: readonly HookType[];
  readonly labels?: readonly string[];
}

/** One configured hook a step names: its type, its place in its type's array, its label. */
export interface NamedHook {
  readonly type: HookType;
  readonly index: number;
  readonly label: string;
}

/** The hook log's records (each cut to what its judge reads), in log order, or why the log could not be read. */
export type HookLogSeen<R> = { readonly records: readonly R[] } | { readonly error: string };

/** The hooks a step names and the hook log. */
export interface HooksSeen<R extends { readonly label: string }, H = unknown> {
  /** Every configured hook the step names, in type order then array order, whatever the target spec version. */
  readonly hooks: readonly (NamedHook & H)[];
  readonly log: HookLogSeen<R>;
}

/** The configured hooks the selector names, each with `extra` of its configuration. */
function named<H>(c: Container, sel: HookSelector, extra: (type: HookType, hook: HookSpec) => H): (NamedHook & H)[] {
  const out: (NamedHook & H)[] = [];
  for (const type of HOOK_TYPES) {
    (c.spec.hooks[type] ?? []).forEach((hook, index) => {
      if (sel.types?.includes(type) || sel.labels?.includes(hook.label)) out.push({ type, index, label: hook.label, ...extra(type, hook) });
    });
  }
  return out;
}

/** The hook log, each record cut to `pick`. */
async function hookLog<R>(c: Container, pick: (r: HookRecord) => R): Promise<HookLogSeen<R>> {
  const log = await readHookLog(c.paths.hookLog);
  return log.kind === 'ok' ? { records: log.records.map(pick) } : { error: log.error };
}

/** The named hooks and the labels the log holds, in order: which hooks ran, and in what order. */
export async function observeHookRuns(c: Container, sel: HookSelector): Promise<HooksSeen<{ label: string }>> {
  return { hooks: named(c, sel, () => ({})), log: await hookLog(c, ({ label }) => ({ label })) };
}

/** A record with what the hook saw the state's pid executing (dev:ino, null if unreadable), to place it against the program. */
export interface PlacedRecord {
  readonly label: string;
  readonly targetExe: string | null;
}

/** What the program's side says about when it started (ProgramStart), from its report. */
async function start(c: Container): Promise<ProgramStart> {
  return programStart(await readReport(c.paths.report), await fileId(c.paths.probeInRootfs));
}

/** The named hooks, the log, and the program's start: did each hook run before or after the program started? */
export async function observeHooksVsProgram(c: Container, sel: HookSelector): Promise<HooksSeen<PlacedRecord> & { readonly start: ProgramStart }> {
  return { start: await start(c), hooks: named(c, sel, () => ({})), log: await hookLog(c, ({ label, targetExe }) => ({ label, targetExe })) };
}

/** The state each hook read on stdin, with what the judge compares it with. */
export interface HookStatesSeen extends HooksSeen<PlacedRecord & { readonly stdin: string }> {
  readonly id: string;
  /** The bundle directory as configured, and resolved on the host. */
  readonly bundle: { readonly path: string; readonly resolved: string };
  readonly start: ProgramStart;
}

export async function observeHookStates(c: Container, sel: HookSelector): Promise<HookStatesSeen> {
  return {
    id: c.id, bundle: { path: c.paths.bundle, resolved: await realpath(c.paths.bundle) }, start: await start(c),
    hooks: named(c, sel, () => ({})), log: await hookLog(c, ({ label, targetExe, stdin }) => ({ label, targetExe, stdin })),
  };
}

/** The pid in each hook's state, with the container process as seen from the host and from inside. */
export interface HookStatePidsSeen extends HooksSeen<{ readonly label: string; readonly stdin: string }> {
  /** The host pid of the container process, as first seen through state's pid (null: never seen). */
  readonly hostPid: number | null;
  /** The pid the program reports of itself (null: it never reported). */
  readonly programPid: number | null;
}

export async function observeHookStatePids(c: Container, sel: HookSelector): Promise<HookStatePidsSeen> {
  const report = await readReport(c.paths.report);
  return {
    hostPid: c.process?.pid ?? null, programPid: report.kind === 'report' ? report.report.pid : null,
    hooks: named(c, sel, () => ({})), log: await hookLog(c, ({ label, stdin }) => ({ label, stdin })),
  };
}

type Inodes = Readonly<Record<string, number | null>>;

/** The namespaces each hook ran in, with the container's and the harness's. */
export interface HookNamespacesSeen extends HooksSeen<{ readonly label: string; readonly namespaces: Inodes }> {
  /** The namespaces the program reports of itself (null: it never reported). */
  readonly program: Inodes | null;
  /** The container process's namespaces as the host saw them when it was first observed (null: never observed). */
  readonly container: Inodes | null;
  /** The harness's own namespaces: every namespace compared, null where unreadable. */
  readonly harness: Inodes;
}

export async function observeHookNamespaces(c: Container, sel: HookSelector): Promise<HookNamespacesSeen> {
  const report = await readReport(c.paths.report);
  const harness = Object.fromEntries(Object.entries(await namespacesOf('self')).map(([ns, ino]) => [ns, ino ?? null]));
  return {
    program: report.kind === 'report' ? report.report.namespaces : null,
    container: c.namespaces ? Object.fromEntries(Object.entries(c.namespaces).map(([ns, ino]) => [ns, ino ?? null])) : null,
    harness,
    hooks: named(c, sel, () => ({})), log: await hookLog(c, ({ label, namespaces }) => ({ label, namespaces })),
  };
}

/** Each named hook's configured argv (its args, the hook log path as the hook sees it) and each record's argv. */
export async function observeHookArgv(c: Container, sel: HookSelector): Promise<HooksSeen<{ readonly label: string; readonly argv: readonly string[] }, { readonly args: readonly string[] }>> {
  return {
    hooks: named(c, sel, (type, hook) => ({ args: hookArgs(hook, type === 'startContainer' ? IN_CONTAINER.hookLog : c.paths.hookLog) })),
    log: await hookLog(c, ({ label, argv }) => ({ label, argv })),
  };
}

/** The records of the named hooks only: a hook's environment is the host's when a runtime passes its own on, so no other is kept. */
function ofNamed<R extends { readonly label: string }>(log: HookLogSeen<R>, hooks: readonly NamedHook[]): HookLogSeen<R> {
  return 'error' in log ? log : { records: log.records.filter((r) => hooks.some((h) => h.label === r.label)) };
}

/** Each named hook's configured env (absent: none set) and the environment each of them saw. */
export async function observeHookEnv(c: Container, sel: HookSelector): Promise<HooksSeen<{ readonly label: string; readonly env: readonly string[] }, { readonly env?: readonly string[] }>> {
  const hooks = named(c, sel, (_type, hook) => (hook.env === undefined ? {} : { env: [...hook.env] }));
  return { hooks, log: ofNamed(await hookLog(c, ({ label, env }) => ({ label, env })), hooks) };
}

/** What each named hook reported of `what`: its cwd, or the names of its environment variables (their values are the host's). */
export async function observeHookReports(c: Container, sel: HookSelector, what: 'cwd' | 'env'): Promise<HooksSeen<{ readonly label: string; readonly cwd?: string | null; readonly envNames?: readonly string[] }>> {
  const hooks = named(c, sel, () => ({}));
  const log = await hookLog(c, (r) => (what === 'cwd' ? { label: r.label, cwd: r.cwd } : { label: r.label, envNames: r.env.map((e) => e.split('=')[0]!) }));
  return { hooks, log: ofNamed(log, hooks) };
}

/** What the host sees of a runtime-namespace hook's process after it ran. */
export interface HookProcessSeen {
  readonly pid: number;
  /** The pid is still the probe running this hook (a recycled pid runs something else). */
  readonly running: boolean;
  /** How long the hook had lived, in ms by its own clock, when it last wrote its record (absent: no record). */
  readonly livedMs?: number;
}

/** Named hooks meant to outlive their timeout: their configured timeout and, for each that ran in the runtime namespace, its process. */
export interface HooksAbortedSeen extends HooksSeen<{ readonly label: string }, { readonly timeout?: number; readonly process?: HookProcessSeen }> {
  /** The last runtime call of the case (null: none was made). */
  readonly lastCall: { readonly timedOut: boolean; readonly durationMs: number } | null;
}

export async function observeHooksAborted(ctx: CaseContext, c: Container, sel: HookSelector): Promise<HooksAbortedSeen> {
  const log = await readHookLog(c.paths.hookLog);
  const records = log.kind === 'ok' ? log.records : [];
  const hooks = await Promise.all(named(c, sel, (_type, hook) => (hook.timeout === undefined ? {} : { timeout: hook.timeout })).map(async (h) => {
    const r = records.find((x) => x.label === h.label);
    if (!r || CONTAINER_NAMESPACE_HOOKS.has(h.type)) return h;
    const lived = await livedMs(c.paths.hookLog, r.pid);
    const process: HookProcessSeen = { pid: r.pid, running: await runsHook(r.pid, h.label), ...(lived === undefined ? {} : { livedMs: lived }) };
    return { ...h, process };
  }));
  const last = ctx.calls.at(-1);
  return {
    lastCall: last ? { timedOut: last.timedOut, durationMs: last.durationMs } : null,
    hooks, log: log.kind === 'ok' ? { records: records.map(({ label }) => ({ label })) } : { error: log.error },
  };
}

/**
 * The milliseconds a sleeping hook had lived when it last wrote LOG.alive.PID
 * (bundles/probe.c), or undefined when there is no such record.
 */
async function livedMs(hookLog: string, pid: number): Promise<number | undefined> {
  try {
    const ms = Number((await readFile(`${hookLog}.alive.${pid}`, 'utf8')).trim());
    return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Is `pid` (still) the probe running hook `label`? A recycled pid runs something else. */
async function runsHook(pid: number, label: string): Promise<boolean> {
  if (!(await identify(pid))) return false;
  const argv = await commandLine(pid);
  return argv[1] === 'hook' && argv[2] === label;
}
