/** Observations for the seccomp checks: the probe's actions, the kernel's seccomp log records, what the seccomp agent received. */
import { readFile, realpath } from 'node:fs/promises';
import { readSeccompRecords, type SeccompRecord } from '../../host/kernel-log.js';
import { pollUntil } from '../../util/poll.js';
import type { CaseContext, Container } from '../context.js';
import { createOutcome, type CreateOutcome } from './common.js';
import { awaitAction, awaitActions, awaitSettled, readActionSeen, type ActionSeen } from './actions.js';

/** A step that allows a refused create: what create did, and nothing else when it was refused (there is nothing to wait for). */
export type Refusable<O> = { readonly create: CreateOutcome } & (O | { readonly refused: true });

async function unlessRefused<O>(ctx: CaseContext, c: Container, refusable: boolean | undefined, observe: () => Promise<O>): Promise<Refusable<O> | O> {
  if (refusable !== true) return observe();
  const create = createOutcome(ctx, c);
  if (!create.createdOk) return { create, refused: true };
  return { create, ...(await observe()) };
}

/** seccomp-applied: the denied call, waited for, and the status action as it stands (evidence only). */
export async function observeApplied(ctx: CaseContext, c: Container, denied: number, status: number | undefined): Promise<{ readonly denied: ActionSeen; readonly status: ActionSeen | null }> {
  const deniedSeen = await awaitAction(ctx, c, denied);
  if (!deniedSeen.result) return { denied: deniedSeen, status: null };
  return { denied: deniedSeen, status: status === undefined ? null : await readActionSeen(c, status) };
}

export interface Arch32Seen {
  readonly native: ActionSeen;
  readonly control?: ActionSeen;
  readonly call?: ActionSeen;
}

/** seccomp-arch32: the native call; the 32-bit control until it returned or the program died in it; the 32-bit call likewise once the control ran. */
export function observeArch32(ctx: CaseContext, c: Container, idx: { native: number; control: number; call: number; refusable?: boolean | undefined }): Promise<Refusable<Arch32Seen> | Arch32Seen> {
  return unlessRefused(ctx, c, idx.refusable, async () => {
    const native = await awaitAction(ctx, c, idx.native);
    if (!native.result || native.result.unknown) return { native };
    const control = await awaitSettled(ctx, c, idx.control);
    const call = control.result && control.result.ret !== -1 ? await awaitSettled(ctx, c, idx.call) : await readActionSeen(c, idx.call);
    return { native, control, call };
  });
}

export interface LoggedSeen {
  /** The call, then the controls (stopping at the first that did not return). */
  readonly actions: readonly ActionSeen[];
  /** The container process (null: no state named it). */
  readonly pid: number | null;
  /** The kernel log's seccomp records of that pid (null: the log cannot be read). */
  readonly records: readonly SeccompRecord[] | null;
}

/** How long the kernel may take to print a record the call already caused. */
const KERNEL_LOG_WAIT_MS = 2000;

/** seccomp-logged: the actions, and the kernel log's seccomp records of the container process once the controls' records are there (or after a short wait). */
export function observeLogged(ctx: CaseContext, c: Container, call: number, controls: readonly number[], refusable: boolean | undefined): Promise<Refusable<LoggedSeen> | LoggedSeen> {
  return unlessRefused(ctx, c, refusable, async () => {
    const actions = await awaitActions(ctx, c, [call, ...controls]);
    const pid = c.process?.pid ?? null;
    if (actions.some((a) => !a.result) || pid === null) return { actions, pid, records: null };
    const controlNrs = actions.slice(1).map((a) => a.result?.nr);
    // the kernel prints audit records from its own thread: give the controls' records a moment to appear
    const records = (await pollUntil(() => {
      const all = readSeccompRecords();
      return all && controlNrs.every((nr) => all.some((x) => x.pid === pid && x.syscall === nr)) ? all : undefined;
    }, { timeoutMs: KERNEL_LOG_WAIT_MS, signal: ctx.signal })) ?? readSeccompRecords();
    return { actions, pid, records: records ? records.filter((r) => r.pid === pid) : null };
  });
}

/** seccomp-spec-allow: the status action, then the denied call. */
export function observeSpecAllow(ctx: CaseContext, c: Container, status: number, denied: number, refusable: boolean | undefined): Promise<Refusable<{ readonly actions: readonly ActionSeen[] }> | { readonly actions: readonly ActionSeen[] }> {
  return unlessRefused(ctx, c, refusable, async () => ({ actions: await awaitActions(ctx, c, [status, denied]) }));
}

/** What the seccomp agent received (its first `state` event), with what the container's state should say. */
export interface AgentSeen {
  /** The message as received, and how many descriptors came with it (null: none received). */
  readonly received: { readonly fds: number; readonly state: string } | null;
  readonly id: string;
  /** The bundle directory, as given and resolved. */
  readonly bundle: string;
  readonly bundleResolved: string;
  readonly pid: number | null;
  readonly listenerMetadata: string | null;
}

async function received(path: string): Promise<{ fds: number; state: string } | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as { event?: string; fds: number; state: string };
      if (e.event === 'state') return { fds: e.fds, state: e.state };
    } catch {
      // not a whole line
    }
  }
  return null;
}

export async function observeAgent(c: Container): Promise<AgentSeen> {
  const seccomp = (c.config['linux'] as { seccomp: { listenerMetadata?: string } }).seccomp;
  return {
    received: await received(c.paths.agentLog),
    id: c.id,
    bundle: c.paths.bundle,
    bundleResolved: await realpath(c.paths.bundle),
    pid: c.process?.pid ?? null,
    listenerMetadata: seccomp.listenerMetadata ?? null,
  };
}
